import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { BusClosedError, BusError, CandleflowError, ProducerFencedError } from '../../errors.ts';
import type { BusTransaction, TransactionalProducer } from '../bus.ts';
import { retryOf, type BusLogger, type KafkaTuning } from './kafka-bus-options.ts';
import { toAccessError, toBusError } from './kafka-errors.ts';
import { sendsOf, toKafkaMessages } from './kafka-records.ts';
import { protocolErrorTypes, sendOffsetsRetrying } from './kafkajs-workarounds.ts';

// Bus.transactional on Kafka: one kafkajs transactional producer per transactional id, one transaction at a
// time (the stage runner handles one batch at a time). Consumers of this adapter read committed (kafkajs's
// default), so aborted outputs and changelog writes are never seen downstream or by a state restore.

const fencedTypes = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);

export async function kafkaTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  tuning: KafkaTuning,
  log: BusLogger,
): Promise<TransactionalProducer> {
  let producer: Producer | null = null;
  let closed = false;

  const failure = (
    what: string,
    err: unknown,
    access = { operation: 'Write', resource: `transactionalId ${transactionalId}` },
  ) => {
    const types = protocolErrorTypes(err);
    if (types.some((t) => t.endsWith('_AUTHORIZATION_FAILED'))) return toAccessError(what, err, access);
    // kafkajs drops the reason FindCoordinator failed (cluster/index.js, findGroupCoordinatorMetadata); for a
    // transactional id it is almost always the missing right.
    if ((err as { name?: string }).name === 'KafkaJSGroupCoordinatorNotFound') {
      return new BusError(
        `${what}: no transaction coordinator answered (kafkajs does not say why): needs ${access.operation} on ${access.resource}, or the broker's __transaction_state is unavailable`,
        { retriable: true, cause: err },
      );
    }
    if (types.some((t) => fencedTypes.has(t))) {
      return new ProducerFencedError(
        `${what}: transactional id ${transactionalId} was opened by another producer (${types.join(', ')}); give each replica its own INSTANCE_ID`,
        err,
      );
    }
    return toBusError(what, err);
  };

  // A fresh producer: its first (empty) transaction gets a producer id from the coordinator, which bumps the
  // epoch of this transactional id, fencing an earlier holder and aborting what it left open.
  const open = async (): Promise<Producer> => {
    const p = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: tuning.transactionTimeoutMs,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      // After a commit the coordinator answers CONCURRENT_TRANSACTIONS until its markers are written: Java's
      // client retries that after 20 ms, kafkajs after its initial retry time, which would cost every batch.
      retry: { ...retryOf(tuning), initialRetryTime: Math.min(20, tuning.initialRetryMs) },
    });
    try {
      await p.connect();
      const first = await p.transaction();
      await first.abort();
    } catch (err) {
      await p.disconnect().catch(() => undefined);
      throw failure(`open transactional producer ${transactionalId}`, err);
    }
    return p;
  };

  producer = await open();

  return {
    async run(fn: (tx: BusTransaction) => Promise<void>): Promise<void> {
      if (closed) throw new BusClosedError('transaction');
      producer ??= await open();
      const p = producer;
      let transaction;
      try {
        transaction = await p.transaction();
      } catch (err) {
        throw failure(`begin a transaction of ${transactionalId}`, err);
      }
      const tx: BusTransaction = {
        async produce(topic, messages) {
          if (messages.length === 0) return;
          try {
            const now = Date.now();
            for (const send of sendsOf(messages)) {
              await transaction.send({ topic, acks: -1, messages: toKafkaMessages(send, now) });
            }
          } catch (err) {
            throw failure(`produce to ${topic} in a transaction`, err, {
              operation: 'Write',
              resource: `topic ${topic}`,
            });
          }
        },
        async sendOffsets(consumerGroupId, offsets) {
          const byTopic = new Map<string, { partition: number; offset: string }[]>();
          for (const o of offsets) {
            let list = byTopic.get(o.topic);
            if (!list) byTopic.set(o.topic, (list = []));
            list.push({ partition: o.partition, offset: String(o.offset) });
          }
          const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
          try {
            await sendOffsetsRetrying(transaction, { consumerGroupId, topics });
          } catch (err) {
            throw failure(`commit offsets of ${consumerGroupId} in a transaction`, err);
          }
        },
      };
      try {
        await fn(tx);
        await transaction.commit();
      } catch (err) {
        await transaction.abort().catch((abortErr: unknown) => {
          // A producer that could not end its transaction is in no state for another: the next run opens a new
          // one, whose producer id aborts this transaction on the coordinator.
          log.warn({ err: abortErr, transactionalId }, 'could not abort a transaction; reopening the producer');
          producer = null;
          p.disconnect().catch(() => undefined);
        });
        throw err instanceof CandleflowError ? err : failure(`transaction of ${transactionalId}`, err);
      }
    },
    async close(): Promise<void> {
      closed = true;
      const p = producer;
      producer = null;
      await p?.disconnect();
    },
  };
}
