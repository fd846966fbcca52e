import { type Admin, Kafka, logLevel, type LogEntry, Partitioners, type Producer, type SASLOptions } from 'kafkajs';
import { BusClosedError, BusError, errorMessage } from '../../errors.ts';
import type {
  Bus,
  BusMessage,
  BusRecord,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TopicSettings,
} from '../bus.ts';
import type { KafkaBusConfig } from './kafka-config.ts';
import {
  defaultKafkaTuning,
  retryOf,
  type KafkaBusDeps,
  type KafkaTuning,
  type PartitionLag,
} from './kafka-bus-options.ts';
import { toBusError } from './kafka-errors.ts';
import { toKafkaMessages } from './kafka-records.ts';
import { readPartition } from './kafka-restore.ts';
import { KafkaSubscription } from './kafka-subscription.ts';

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
  const t: KafkaTuning = { ...defaultKafkaTuning, ...tuning };
  const { log } = deps;
  const retry = retryOf(t);
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    ...(config.sasl ? { sasl: config.sasl as SASLOptions } : {}),
    retry,
    logLevel: logLevel.WARN,
    // kafkajs logs handled protocol errors (a rebalance seen by a heartbeat) as errors; real failures reach us
    // as thrown errors, so its own lines are warnings at most.
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      log.warn({ kafkajs: entry.namespace, ...extra }, message);
    },
  });

  let closed = false;
  let producer: Producer | null = null;
  let producerReady: Promise<Producer> | null = null;
  let admin: Promise<Admin> | null = null;
  let adminUnsupportedLogged = false;
  const subscriptions = new Set<KafkaSubscription>();

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

  async function partitionCount(topic: string): Promise<number> {
    const a = await ensureAdmin();
    try {
      // Listing first: some brokers (librdkafka's mock) create a topic that metadata is asked for.
      if (!(await a.listTopics()).includes(topic)) {
        throw new BusError(`topic ${topic} does not exist`, { retriable: false });
      }
      const meta = await a.fetchTopicMetadata({ topics: [topic] });
      const count = meta.topics[0]?.partitions.length ?? 0;
      if (count === 0) throw new Error(`topic ${topic} does not exist`);
      return count;
    } catch (err) {
      throw err instanceof BusError ? err : toBusError(`partitions of ${topic}`, err);
    }
  }

  async function ensureTopics(topics: readonly TopicSettings[]): Promise<void> {
    const a = await ensureAdmin();
    let existing: Set<string>;
    try {
      existing = new Set(await a.listTopics());
    } catch (err) {
      throw toBusError('list topics', err);
    }
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length === 0) return;
    try {
      await a.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicas ?? -1,
          configEntries: [
            ...(topic.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(topic.retentionMs) }] : []),
            ...(topic.cleanupPolicy ? [{ name: 'cleanup.policy', value: topic.cleanupPolicy }] : []),
          ],
        })),
      });
      log.info({ topics: missing.map((topic) => topic.name) }, 'created topics');
    } catch (err) {
      // Managed clusters (Strimzi's topic operator, ACLs) and librdkafka's mock broker refuse CreateTopics;
      // the topics then come from strimzi/topics.yaml. A missing topic shows up at produce or subscribe.
      if (!adminUnsupportedLogged) {
        adminUnsupportedLogged = true;
        log.warn(
          { err: errorMessage(err), topics: missing.map((topic) => topic.name) },
          'broker did not create topics (CreateTopics unsupported or refused); create them with strimzi/topics.yaml',
        );
      }
    }
  }

  return {
    kind: 'kafka',
    ensureTopics,

    async produce(topic: string, messages: readonly BusMessage[]): Promise<void> {
      if (closed) throw new BusClosedError('produce');
      if (messages.length === 0) return;
      const p = await ensureProducer();
      try {
        await p.send({ topic, acks: -1, messages: toKafkaMessages(messages, Date.now()) });
      } catch (err) {
        throw toBusError(`produce to ${topic}`, err);
      }
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

    partitionCount,

    lag(): PartitionLag[] {
      return [...subscriptions].flatMap((s) => s.lag());
    },

    async close(): Promise<void> {
      if (closed) return;
      await Promise.all([...subscriptions].map((s) => s.close()));
      closed = true;
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
