// The Bus is the runtime's only view of a broker. Two adapters implement it: the embedded in-process bus
// (npm start, tests) and kafkajs (KAFKA_BROKERS). Offsets follow Kafka: a committed offset is the offset of the
// next record to read. Stages never see the Bus; the stage runner does.

export type Headers = Record<string, string>;

export interface BusMessage {
  key: string | null;
  value: Buffer;
  headers?: Headers;
  /** Explicit partition; when absent the adapter picks murmur2(key) like kafkajs's default partitioner. */
  partition?: number;
  /** Event time in epoch ms; defaults to now. */
  timestamp?: number;
}

export interface BusRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Headers;
  timestamp: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One string per topic-partition, for maps keyed by partition. */
export const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read. */
  offset: number;
}

export interface RecordBatch extends TopicPartition {
  records: BusRecord[];
  /** Offset the next produced record of this partition will get; lag = highWatermark - last offset - 1. */
  highWatermark: number;
}

export interface TopicSettings {
  name: string;
  partitions: number;
  replicas?: number;
  retentionMs?: number;
  cleanupPolicy?: 'delete' | 'compact' | 'compact,delete';
}

/** A topic as the broker has it. */
export interface TopicDescription {
  name: string;
  partitions: number;
  /** Undefined where the broker cannot say (an adapter without DescribeConfigs). */
  cleanupPolicy?: string;
}

export interface SubscribeOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group without a committed offset starts. Default: the beginning. */
  fromBeginning?: boolean;
  maxBatchSize?: number;
  /**
   * How long a partition's batch may wait, once its first record is there, to fill up to maxBatchSize
   * (batched inference trades a few ms of latency for fewer, larger calls). kafkajs: the consumer's
   * maxWaitTimeInMs with minBytes. Default 0: deliver what is there.
   */
  maxWaitMs?: number;
  /**
   * Called with records of one partition, in offset order; the next batch of that partition waits for it.
   * Resolving does not commit: call Subscription.commit once the batch's outputs are acknowledged.
   */
  onBatch(batch: RecordBatch): Promise<void>;
  /** Called after partitions are assigned and before their first batch. */
  onAssign?(partitions: TopicPartition[]): Promise<void> | void;
  /** Called when partitions are taken away, after their in-flight batches finished and before a new owner reads. */
  onRevoke?(partitions: TopicPartition[]): Promise<void> | void;
  /**
   * Called once when the subscription stops for good (the client crashed and will not restart): no batch
   * will come again, so the owner must stop rather than sit alive doing nothing.
   */
  onFailure?(err: Error): void;
  /**
   * Called when the broker no longer had records this group had not read yet (retention or deleteRecords ran
   * ahead of it) and the client skipped to the log start: `skipped` records were never delivered.
   */
  onInputLost?(lost: TopicPartition & { skipped: number; from: number; to: number }): void | Promise<void>;
  /** On lost input, keep the group's committed offset where it was (the owner stops; a restart stops again). */
  keepLostOffsets?: boolean;
}

export interface Subscription {
  readonly groupId: string;
  readonly memberId: string;
  /** Partitions this member owns now. */
  assignment(): TopicPartition[];
  /** Commits offsets; offsets of partitions this member no longer owns are refused and ignored. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** The group's committed offset of a partition, or null. */
  committed(tp: TopicPartition): Promise<number | null>;
  pause(partitions?: readonly TopicPartition[]): void;
  resume(partitions?: readonly TopicPartition[]): void;
  /** Stops fetching, waits for batches in flight, leaves the group (its partitions go to the other members). */
  close(): Promise<void>;
}

/** What one transaction carries (PROCESSING_GUARANTEE=exactly-once): outputs, changelog writes, input offsets. */
export interface BusTransaction {
  produce(topic: string, messages: readonly BusMessage[]): Promise<void>;
  /** Commits a group's input offsets with the transaction: visible only if it commits. */
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
}

export interface TransactionalProducer {
  /** Begins a transaction, runs `fn` in it and commits it; aborts it and rethrows when `fn` or the commit fails. */
  run(fn: (tx: BusTransaction) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export interface Bus {
  readonly kind: 'memory' | 'kafka';
  /**
   * A transactional producer (Kafka only). Opening it fences any earlier producer with the same id, aborting the
   * transaction a killed predecessor left open, so that readers and the restore behind it never wait for it.
   */
  transactional?(transactionalId: string): Promise<TransactionalProducer>;
  /** Creates missing topics; a broker without admin support is tolerated and logged once. */
  ensureTopics(topics: readonly TopicSettings[]): Promise<void>;
  /** Resolves once every message is acknowledged (appended); rejects on failure. May wait under backpressure. */
  produce(topic: string, messages: readonly BusMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Reads one partition from its start to its current end (state restore); no group, no commits. */
  readPartition(tp: TopicPartition, onRecord: (record: BusRecord) => void): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /** Records the bus holds in this process's memory (the embedded bus; Kafka's are on the brokers). */
  retainedRecords?(): number;
  /** The topics of `names` that exist, as the broker has them (missing ones are left out). */
  describeTopics(names: readonly string[]): Promise<TopicDescription[]>;
  close(): Promise<void>;
}
