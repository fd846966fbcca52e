import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { BusError } from '../../errors.ts';
import type { BusRecord, TopicPartition } from '../bus.ts';
import { retryOf, type KafkaTuning } from './kafka-bus-options.ts';
import { toBusError } from './kafka-errors.ts';
import { toBusRecord } from './kafka-records.ts';

// Bus.readPartition on Kafka (state restore from a changelog): one partition from its low to its current high
// watermark, read with a throwaway consumer group since kafkajs has no assign(). Nothing is committed.

export async function readPartition(
  kafka: Kafka,
  admin: Admin,
  clientId: string,
  tuning: KafkaTuning,
  tp: TopicPartition,
  onRecord: (record: BusRecord) => void,
): Promise<void> {
  let high: number;
  let low: number;
  try {
    const offsets = await admin.fetchTopicOffsets(tp.topic);
    const p = offsets.find((o) => o.partition === tp.partition);
    if (!p) throw new BusError(`${tp.topic} has no partition ${tp.partition}`, { retriable: false });
    high = Number(p.high);
    low = Number(p.low);
  } catch (err) {
    throw err instanceof BusError ? err : toBusError(`offsets of ${tp.topic}`, err);
  }
  if (high <= low) return;
  await readToOffset(kafka, clientId, tuning, tp, high, onRecord);
}

/** Reads one partition up to (not including) `end`. */
async function readToOffset(
  kafka: Kafka,
  clientId: string,
  tuning: KafkaTuning,
  tp: TopicPartition,
  end: number,
  onRecord: (record: BusRecord) => void,
): Promise<void> {
  const consumer = kafka.consumer({
    groupId: `${clientId}.restore.${randomUUID()}`,
    maxWaitTimeInMs: tuning.fetchMaxWaitMs,
    allowAutoTopicCreation: false,
    retry: retryOf(tuning),
  });
  let finish!: (err?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (err?: unknown) => (err === undefined ? resolve() : reject(err));
  });
  consumer.on(consumer.events.CRASH, (e) => finish(toBusError(`read ${tp.topic}/${tp.partition}`, e.payload.error)));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: tp.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== tp.partition) return;
        try {
          for (const m of batch.messages) {
            if (Number(m.offset) < end) onRecord(toBusRecord(batch.topic, batch.partition, m));
          }
        } catch (err) {
          finish(err);
          return;
        }
        if (Number(batch.lastOffset()) >= end - 1) finish();
      },
    });
    await finished;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
