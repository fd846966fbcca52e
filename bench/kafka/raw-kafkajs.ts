import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { fastTuning } from '../../test/support/kafka-harness.ts';
import { RECORDS, timeUntil } from './bench-clock.ts';

// The peer: raw kafkajs eachBatch moving the same bytes untouched, committing after every batch, at-least-once
// or with each batch in a transaction (sendOffsets, commit) as a hand-written exactly-once consumer would.

export async function rawKafkajs(brokers: string[], round: number, transactional: boolean): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const groupId = `raw-${transactional ? 'tx' : 'alo'}-${round}`;
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(transactional
      ? {
          transactionalId: `${groupId}.bench`,
          idempotent: true,
          maxInFlightRequests: 1,
          retry: { initialRetryTime: 20 },
        }
      : {}),
  });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: fastTuning.fetchMaxWaitMs! });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: 'bench-in', fromBeginning: true });
  const out = `bench-out-${groupId}`;
  let moved = 0;
  let start: number | null = null;
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      start ??= performance.now();
      const messages = batch.messages.map((m) => ({
        key: m.key,
        value: m.value,
        headers: m.headers,
        timestamp: m.timestamp,
      }));
      const offsets = [
        { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
      ];
      // In sends of at most 2000 records (~120 kB here), under the broker's message.max.bytes per record batch.
      const sends = Array.from({ length: Math.ceil(messages.length / 2000) }, (_, i) =>
        messages.slice(i * 2000, (i + 1) * 2000),
      );
      if (transactional) {
        const tx = await producer.transaction();
        for (const send of sends) await tx.send({ topic: out, acks: -1, messages: send });
        await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: batch.topic, partitions: offsets }] });
        await tx.commit();
      } else {
        for (const send of sends) await producer.send({ topic: out, acks: -1, messages: send });
        await consumer.commitOffsets(offsets);
      }
      moved += batch.messages.length;
    },
  });
  const ms = await timeUntil(
    () => moved,
    () => start,
  );
  await consumer.disconnect();
  await producer.disconnect();
  return (RECORDS / ms) * 1000;
}

/** Output topics the raw side writes in a round. */
export const rawOutputs = (round: number): string[] => [`bench-out-raw-alo-${round}`, `bench-out-raw-tx-${round}`];
