import { type Admin, Kafka, logLevel, type LogEntry, Partitioners, type Producer, type SASLOptions } from 'kafkajs';
import { BusClosedError } from '../../errors.ts';
import type {
  Bus,
  BusMessage,
  BusRecord,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TransactionalProducer,
} from '../bus.ts';
import type { KafkaBusConfig } from './kafka-config.ts';
import {
  defaultKafkaTuning,
  retryOf,
  type KafkaBusDeps,
  type KafkaTuning,
  type PartitionLag,
} from './kafka-bus-options.ts';
import { toAccessError, toBusError } from './kafka-errors.ts';
import { sendsOf, toKafkaMessages } from './kafka-records.ts';
import { readPartition } from './kafka-restore.ts';
import { KafkaSubscription } from './kafka-subscription.ts';
import { kafkaTopicAdmin } from './kafka-topics.ts';
import { kafkaTransactionalProducer } from './kafka-transactions.ts';
import { offsetResetFrom } from './kafkajs-workarounds.ts';

// The kafkajs adapter of the Bus. This file holds the client, the producer, the admin (topics, partition
// counts) and the lifecycle; group membership and batches are in kafka-subscription.ts, commits in
// kafka-commits.ts, state restore in kafka-restore.ts, record conversion in kafka-records.ts. Only this folder
// imports kafkajs (the lint enforces it).

export {
  defaultKafkaTuning,
  type BusLogger,
  type KafkaBusDeps,
  type KafkaTuning,
  type PartitionLag,
} from './kafka-bus-options.ts';

export interface KafkaBus extends Bus {
  readonly kind: 'kafka';
  /** Current consumer lag of every partition owned by this process's subscriptions. */
  lag(): PartitionLag[];
}

export function createKafkaBus(
  config: KafkaBusConfig,
  deps: KafkaBusDeps,
  tuning: Partial<KafkaTuning> = {},
): KafkaBus {
  const t: KafkaTuning = { ...defaultKafkaTuning, ...config.tuning, ...tuning };
  const { log } = deps;
  const retry = retryOf(t);
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    // A copy: settings are frozen, and kafkajs writes its authentication provider into the object it is given.
    ...(config.sasl ? { sasl: { ...config.sasl } as SASLOptions } : {}),
    retry,
    logLevel: logLevel.WARN,
    // kafkajs logs handled protocol errors (a rebalance seen by a heartbeat) as errors; real failures reach us
    // as thrown errors, so its own lines are warnings at most.
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      log.warn({ kafkajs: entry.namespace, ...extra }, message);
      const reset = offsetResetFrom(entry);
      if (reset) {
        for (const sub of subscriptions) {
          if (sub.groupId !== reset.groupId) continue;
          sub
            .offsetReset(reset)
            .catch((err: unknown) => log.error({ err, ...reset }, 'could not measure skipped input'));
        }
      }
    },
  });

  let closed = false;
  let producer: Producer | null = null;
  let producerReady: Promise<Producer> | null = null;
  let admin: Promise<Admin> | null = null;
  const subscriptions = new Set<KafkaSubscription>();
  const transactional = new Set<TransactionalProducer>();

  const connected = <T extends { connect(): Promise<void> }>(client: T, reset: () => void): Promise<T> =>
    client.connect().then(
      () => client,
      (err: unknown) => {
        reset();
        throw toBusError('connect to Kafka', err);
      },
    );

  function ensureProducer(): Promise<Producer> {
    if (closed) return Promise.reject(new BusClosedError('produce'));
    if (!producerReady) {
      producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        retry,
      });
      producerReady = connected(producer, () => (producerReady = null));
    }
    return producerReady;
  }

  function ensureAdmin(): Promise<Admin> {
    if (closed) return Promise.reject(new BusClosedError('admin'));
    admin ??= connected(kafka.admin({ retry }), () => (admin = null));
    return admin;
  }

  const topicAdmin = kafkaTopicAdmin(ensureAdmin, log);

  return {
    kind: 'kafka',
    ensureTopics: topicAdmin.ensureTopics,
    describeTopics: topicAdmin.describeTopics,
    partitionCount: topicAdmin.partitionCount,

    async produce(topic: string, messages: readonly BusMessage[]): Promise<void> {
      if (closed) throw new BusClosedError('produce');
      if (messages.length === 0) return;
      const p = await ensureProducer();
      try {
        const now = Date.now();
        for (const send of sendsOf(messages)) await p.send({ topic, acks: -1, messages: toKafkaMessages(send, now) });
      } catch (err) {
        throw toAccessError(`produce to ${topic}`, err, { operation: 'Write', resource: `topic ${topic}` });
      }
    },

    async transactional(transactionalId: string): Promise<TransactionalProducer> {
      if (closed) throw new BusClosedError('transaction');
      const p = await kafkaTransactionalProducer(kafka, transactionalId, t, log);
      transactional.add(p);
      return p;
    },

    async subscribe(options: SubscribeOptions): Promise<Subscription> {
      if (closed) throw new BusClosedError('subscribe');
      const sub = new KafkaSubscription(kafka, options, t, deps, ensureAdmin, () => subscriptions.delete(sub));
      subscriptions.add(sub);
      try {
        await sub.start();
      } catch (err) {
        subscriptions.delete(sub);
        await sub.close().catch(() => undefined);
        throw toBusError(`subscribe ${options.groupId} to ${options.topics.join(',')}`, err);
      }
      return sub;
    },

    async readPartition(tp: TopicPartition, onRecord: (record: BusRecord) => void): Promise<void> {
      await readPartition(kafka, await ensureAdmin(), config.clientId, t, tp, onRecord);
    },

    lag(): PartitionLag[] {
      return [...subscriptions].flatMap((s) => s.lag());
    },

    async close(): Promise<void> {
      if (closed) return;
      await Promise.all([...subscriptions].map((s) => s.close()));
      closed = true;
      await Promise.all([...transactional].map((p) => p.close().catch(() => undefined)));
      const a = admin;
      admin = null;
      await Promise.all([
        producerReady
          ? producerReady.then(
              (p) => p.disconnect(),
              () => undefined,
            )
          : undefined,
        a
          ? a.then(
              (x) => x.disconnect(),
              () => undefined,
            )
          : undefined,
      ]);
      producer = null;
      producerReady = null;
    },
  };
}
