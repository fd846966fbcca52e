import { randomUUID } from 'node:crypto';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel,
  type LogEntry,
  Partitioners,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { BusClosedError, BusError, errorMessage } from '../../errors.ts';
import type {
  Bus,
  BusMessage,
  BusRecord,
  Headers,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TopicPartitionOffset,
  TopicSettings,
} from '../bus.ts';
import type { KafkaBusConfig } from './kafka-config.ts';
import { coPartitionedAssigner } from './co-partitioned-assignor.ts';

// The kafkajs adapter of the Bus: the only module that imports kafkajs. kafkajs has no revoke callback and
// resets every partition to its committed offset at each rebalance, so this module keeps its own view of the
// assignment: it is updated at every GROUP_JOIN, partitions missing from the new assignment are revoked,
// retained partitions continue from where this member had read (seek), and commits are refused for anything
// not owned. kafkajs drains the batches in flight before it rejoins (its fetchers await their workers), and a
// batch that has not started when a rebalance is seen is dropped (the heartbeat before it throws), so a new
// owner reads it again from the committed offset.

export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PartitionLag extends TopicPartition {
  groupId: string;
  /** Records in the partition after the last one this member delivered (high watermark - next offset). */
  lag: number;
}

export interface KafkaBusDeps {
  log: BusLogger;
  /** Called after every batch with the partition's consumer lag (wire a prom-client gauge here). */
  onLag?(lag: PartitionLag): void;
}

export interface KafkaTuning {
  /** How long a fetch waits for data. Short keeps latency low on brokers that do not wake fetches early. */
  fetchMaxWaitMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** Retries of retriable broker errors (exponential backoff with jitter, by kafkajs's retrier). */
  retries: number;
  initialRetryMs: number;
  maxRetryMs: number;
  /** Partitions whose batches are handled at the same time by one member. */
  partitionsConsumedConcurrently: number;
}

export const defaultKafkaTuning: KafkaTuning = {
  fetchMaxWaitMs: 250,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 60_000,
  retries: 8,
  initialRetryMs: 100,
  maxRetryMs: 10_000,
  partitionsConsumedConcurrently: 1,
};

export interface KafkaBus extends Bus {
  readonly kind: 'kafka';
  /** Current consumer lag of every partition owned by this process's subscriptions. */
  lag(): PartitionLag[];
}

const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/** Errors after which the broker no longer counts this member's commits: the partition may have moved. */
const generationErrors = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_INSTANCE_ID',
]);

/** kafkajs wraps protocol errors (retries exceeded, non-retriable): the protocol error type of the first that has one. */
function protocolErrorType(err: unknown): string | undefined {
  for (
    let e = err as { type?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.type === 'string') return e.type;
  }
  return undefined;
}

function toBusError(what: string, err: unknown): BusError {
  const e = err as { retriable?: boolean; name?: string };
  // KafkaJSNumberOfRetriesExceeded is marked non-retriable, but the runner may still try later.
  const retriable = e.retriable !== false || e.name === 'KafkaJSNumberOfRetriesExceeded';
  return new BusError(`${what}: ${errorMessage(err)}`, { retriable, cause: err });
}

function headersFrom(headers: IHeaders | undefined): Headers {
  const out: Headers = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return out;
}

function toBusRecord(topic: string, partition: number, m: KafkaMessage): BusRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value ?? Buffer.alloc(0),
    headers: headersFrom(m.headers),
    timestamp: Number(m.timestamp),
  };
}

function byTopic(tps: readonly TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const map = new Map<string, number[]>();
  for (const tp of tps) map.set(tp.topic, [...(map.get(tp.topic) ?? []), tp.partition]);
  return [...map].map(([topic, partitions]) => ({ topic, partitions }));
}

export function createKafkaBus(
  config: KafkaBusConfig,
  deps: KafkaBusDeps,
  tuning: Partial<KafkaTuning> = {},
): KafkaBus {
  const t: KafkaTuning = { ...defaultKafkaTuning, ...tuning };
  const { log } = deps;
  const retry = { retries: t.retries, initialRetryTime: t.initialRetryMs, maxRetryTime: t.maxRetryMs };
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

  const bus: KafkaBus = {
    kind: 'kafka',

    async ensureTopics(topics: readonly TopicSettings[]): Promise<void> {
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
    },

    async produce(topic: string, messages: readonly BusMessage[]): Promise<void> {
      if (closed) throw new BusClosedError('produce');
      if (messages.length === 0) return;
      const p = await ensureProducer();
      const now = Date.now();
      try {
        await p.send({
          topic,
          acks: -1,
          messages: messages.map((m) => ({
            key: m.key,
            value: m.value,
            headers: m.headers,
            partition: m.partition,
            timestamp: String(m.timestamp ?? now),
          })),
        });
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
      const a = await ensureAdmin();
      let high: number;
      let low: number;
      try {
        const offsets = await a.fetchTopicOffsets(tp.topic);
        const p = offsets.find((o) => o.partition === tp.partition);
        if (!p) throw new BusError(`${tp.topic} has no partition ${tp.partition}`, { retriable: false });
        high = Number(p.high);
        low = Number(p.low);
      } catch (err) {
        throw err instanceof BusError ? err : toBusError(`offsets of ${tp.topic}`, err);
      }
      if (high <= low) return;
      await readToOffset(kafka, config.clientId, t, tp, high, onRecord);
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
  return bus;
}

class KafkaSubscription implements Subscription {
  readonly groupId: string;
  memberId = '';
  private readonly consumer: Consumer;
  private readonly owned = new Map<string, TopicPartition>();
  /** Next offset to read of each owned partition, as far as this member delivered and its handler finished. */
  private readonly positions = new Map<string, number>();
  private readonly lags = new Map<string, PartitionLag>();
  private rebalancing = false;
  /** onRevoke/onAssign of the latest assignment; batches wait for it. */
  private hooks: Promise<void> = Promise.resolve();
  private hookError: unknown = null;
  private hooksSettled = true;
  private closing: Promise<void> | null = null;
  /** Batches whose handler is running; close() waits for them before kafkajs stops (it drops commits after). */
  private inFlight = 0;
  private readonly onIdle: Array<() => void> = [];

  constructor(
    kafka: Kafka,
    private readonly options: SubscribeOptions,
    private readonly tuning: KafkaTuning,
    private readonly deps: KafkaBusDeps,
    private readonly admin: () => Promise<Admin>,
    private readonly onClosed: () => void,
  ) {
    this.groupId = options.groupId;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: tuning.sessionTimeoutMs,
      rebalanceTimeout: tuning.rebalanceTimeoutMs,
      heartbeatInterval: tuning.heartbeatIntervalMs,
      maxWaitTimeInMs: tuning.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
      partitionAssigners: [coPartitionedAssigner],
      retry: { retries: tuning.retries, initialRetryTime: tuning.initialRetryMs, maxRetryTime: tuning.maxRetryMs },
    });
    const { events } = this.consumer;
    this.consumer.on(events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberId, e.payload.memberAssignment));
    this.consumer.on(events.REBALANCING, () => {
      this.rebalancing = true;
    });
    this.consumer.on(events.CRASH, (e) =>
      deps.log.error(
        { groupId: this.groupId, err: errorMessage(e.payload.error), restart: e.payload.restart },
        'Kafka consumer crashed',
      ),
    );
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    // run() returns after the first join, so assignment() and memberId are known to the caller.
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.tuning.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private onJoin(memberId: string, memberAssignment: Record<string, number[]>): void {
    const next = new Map<string, TopicPartition>();
    for (const [topic, partitions] of Object.entries(memberAssignment)) {
      for (const partition of partitions) next.set(tpKey({ topic, partition }), { topic, partition });
    }
    // A new member id means this member was expelled: whatever it owned may have been read by others since.
    const continuous = memberId === this.memberId;
    const revoked = [...this.owned].filter(([k]) => !continuous || !next.has(k)).map(([, tp]) => tp);
    const assigned = [...next].filter(([k]) => !continuous || !this.owned.has(k)).map(([, tp]) => tp);
    for (const tp of revoked) {
      this.positions.delete(tpKey(tp));
      this.lags.delete(tpKey(tp));
    }
    this.owned.clear();
    for (const [k, tp] of next) this.owned.set(k, tp);
    this.memberId = memberId;
    this.rebalancing = false;
    // kafkajs restarts every partition at its committed offset after a join; a retained partition goes on
    // from where this member's handler got to, so nothing is handled twice by the same owner.
    for (const [k, tp] of next) {
      const position = this.positions.get(k);
      if (position !== undefined) this.consumer.seek({ ...tp, offset: String(position) });
    }
    const { onRevoke, onAssign } = this.options;
    this.hooksSettled = false;
    const hooks = this.hooks.then(async () => {
      try {
        if (revoked.length > 0 && onRevoke) await onRevoke(revoked);
        if (assigned.length > 0 && onAssign) await onAssign(assigned);
      } catch (err) {
        this.hookError = err;
        this.deps.log.error({ groupId: this.groupId, err: errorMessage(err) }, 'partition assignment callback failed');
      }
    });
    this.hooks = hooks;
    void hooks.then(() => {
      if (this.hooks === hooks) this.hooksSettled = true;
    });
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    // Throws when the group is rebalancing: this batch is dropped and fetched again by the partition's owner.
    await heartbeat();
    await this.waitForHooks(heartbeat);
    const tp = { topic: batch.topic, partition: batch.partition };
    const key = tpKey(tp);
    // Not resolved, so not lost: the partition's next reader gets this batch again.
    if (this.closing || !this.owned.has(key) || !isRunning() || isStale()) return;
    this.inFlight += 1;
    try {
      await this.deliver(payload, tp, key);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const resolve of this.onIdle.splice(0)) resolve();
    }
  }

  private async deliver({ batch, resolveOffset }: EachBatchPayload, tp: TopicPartition, key: string): Promise<void> {
    const records = batch.messages.map((m) => toBusRecord(batch.topic, batch.partition, m));
    const highWatermark = Number(batch.highWatermark);
    const size = Math.max(1, this.options.maxBatchSize ?? records.length);
    for (let i = 0; i < records.length; i += size) {
      if (i > 0 && this.closing) return;
      const chunk = records.slice(i, i + size);
      try {
        await this.options.onBatch({ ...tp, records: chunk, highWatermark });
      } catch (err) {
        // Retriable for kafkajs: the batch is fetched again after backoff instead of the consumer dying.
        this.deps.log.error(
          { groupId: this.groupId, ...tp, offset: chunk[0]!.offset, err: errorMessage(err) },
          'batch handler failed; retrying',
        );
        throw new BusError(`batch of ${tp.topic}/${tp.partition} failed: ${errorMessage(err)}`, {
          retriable: true,
          cause: err,
        });
      }
      const last = chunk[chunk.length - 1]!;
      resolveOffset(String(last.offset));
      this.positions.set(key, last.offset + 1);
    }
    // Also passes over control records at the end of a batch (transaction markers).
    resolveOffset(batch.lastOffset());
    const next = Number(batch.lastOffset()) + 1;
    this.positions.set(key, next);
    const lag: PartitionLag = { groupId: this.groupId, ...tp, lag: Math.max(0, highWatermark - next) };
    this.lags.set(key, lag);
    this.deps.onLag?.(lag);
  }

  private async waitForHooks(heartbeat: () => Promise<void>): Promise<void> {
    if (this.hooksSettled) {
      if (this.hookError) throw this.hookError;
      return;
    }
    // State restore in onAssign can take longer than a session: keep heartbeating while it runs.
    let done = false;
    const hooks = this.hooks.finally(() => (done = true));
    while (!done) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([hooks, new Promise((r) => (timer = setTimeout(r, this.tuning.heartbeatIntervalMs)))]);
      clearTimeout(timer);
      if (!done) await heartbeat();
    }
    if (this.hookError) throw this.hookError;
  }

  assignment(): TopicPartition[] {
    return [...this.owned.values()];
  }

  lag(): PartitionLag[] {
    return [...this.lags.values()];
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const accepted: TopicPartitionOffset[] = [];
    const refused: TopicPartitionOffset[] = [];
    for (const o of offsets) (!this.rebalancing && this.owned.has(tpKey(o)) ? accepted : refused).push(o);
    if (refused.length > 0) {
      this.deps.log.warn({ groupId: this.groupId, refused }, 'commit refused: partitions not owned by this member');
    }
    if (accepted.length === 0) return;
    try {
      await this.consumer.commitOffsets(
        accepted.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      );
    } catch (err) {
      if (generationErrors.has(protocolErrorType(err) ?? '')) {
        this.deps.log.warn(
          { groupId: this.groupId, refused: accepted, err: errorMessage(err) },
          'commit refused by the broker: the group is rebalancing',
        );
        return;
      }
      throw toBusError(`commit ${this.groupId}`, err);
    }
  }

  async committed(tp: TopicPartition): Promise<number | null> {
    try {
      const admin = await this.admin();
      const result = await admin.fetchOffsets({ groupId: this.groupId, topics: [tp.topic] });
      const offset = result[0]?.partitions.find((p) => p.partition === tp.partition)?.offset;
      return offset === undefined || Number(offset) < 0 ? null : Number(offset);
    } catch (err) {
      throw err instanceof BusError || err instanceof BusClosedError
        ? err
        : toBusError(`committed offset of ${this.groupId}`, err);
    }
  }

  pause(partitions?: readonly TopicPartition[]): void {
    this.consumer.pause(partitions ? byTopic(partitions) : this.options.topics.map((topic) => ({ topic })));
  }

  resume(partitions?: readonly TopicPartition[]): void {
    this.consumer.resume(partitions ? byTopic(partitions) : this.options.topics.map((topic) => ({ topic })));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // kafkajs ignores commits once it is stopping, so batches in flight finish (and commit) first; batches
      // fetched meanwhile are not handed out. disconnect() then stops fetching and leaves the group.
      if (this.inFlight > 0) await new Promise<void>((resolve) => this.onIdle.push(resolve));
      await this.consumer.disconnect();
      await this.hooks;
      const revoked = [...this.owned.values()];
      this.owned.clear();
      this.positions.clear();
      this.lags.clear();
      this.onClosed();
      if (revoked.length > 0 && this.options.onRevoke) await this.options.onRevoke(revoked);
    })();
    return this.closing;
  }
}

/** Reads one partition up to (not including) `end` with a throwaway group: kafkajs has no assign(). */
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
    retry: { retries: tuning.retries, initialRetryTime: tuning.initialRetryMs, maxRetryTime: tuning.maxRetryMs },
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
