import { BusClosedError } from '../errors.ts';
import type {
  Bus,
  BusMessage,
  BusRecord,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TopicPartitionOffset,
  TopicDescription,
  TopicSettings,
} from './bus.ts';
import { Group, Member, type GroupHost } from './memory-consumer-group.ts';
import { Topic, tpKey, type Partition } from './memory-log.ts';
import { partitionForKey } from './partitioner.ts';

// The embedded, in-process Bus: what `npm start` and the tests run on. It behaves like Kafka where the pipeline
// depends on it: murmur2 partitioning, per-partition order, consumer groups with committed offsets, redelivery
// of uncommitted records to the next owner, compacted topics, and bounded memory with backpressure. The log
// (memory-log.ts), the groups (memory-consumer-group.ts) and the partition readers (memory-partition-reader.ts)
// sit beside it; this file produces, subscribes, and decides what memory may be freed.
//
// Memory bound: a partition keeps the records no active group has committed yet. When that backlog reaches
// `maxBacklog`, producers to the partition wait until a consumer commits. Records nobody is waiting for
// (topics without an active group, e.g. dead-letter topics) are kept up to `retainRecords` per partition, the
// oldest dropped first like Kafka's retention; changelogs (compacted, never deleted) keep the latest record of each
// key. `compact,delete` topics are trimmed below the slowest group's commit like plain ones (memory-log.ts).

export interface MemoryBusOptions {
  /** Uncommitted records per partition before producers wait. @defaultValue 10_000 */
  maxBacklog?: number;
  /** Records kept per partition for topics nobody consumes. @defaultValue 10_000 */
  retainRecords?: number;
  /** Partitions of a topic created on first use. @defaultValue 1 */
  defaultPartitions?: number;
}

export class MemoryBus implements Bus, GroupHost {
  readonly kind = 'memory' as const;
  private topics = new Map<string, Topic>();
  private groups = new Map<string, Group>();
  private closed = false;
  private roundRobin = 0;
  private readonly cleanupPolicies = new Map<string, string>();
  readonly maxBacklog: number;
  readonly retainRecords: number;
  readonly defaultPartitions: number;
  /** Errors thrown by onBatch handlers (the runner handles its own; this is a last resort for visibility). */
  onHandlerError: (err: unknown) => void = (err) => {
    process.emitWarning(`memory bus: batch handler failed, retrying: ${String(err)}`);
  };

  constructor(options: MemoryBusOptions = {}) {
    this.maxBacklog = options.maxBacklog ?? 10_000;
    this.retainRecords = options.retainRecords ?? 10_000;
    this.defaultPartitions = options.defaultPartitions ?? 1;
  }

  async ensureTopics(topics: readonly TopicSettings[]): Promise<void> {
    for (const t of topics) {
      if (!this.topics.has(t.name)) {
        const policy = t.cleanupPolicy ?? 'delete';
        this.topics.set(t.name, new Topic(t.name, t.partitions, policy.includes('compact'), policy.includes('delete')));
        this.cleanupPolicies.set(t.name, policy);
      }
    }
  }

  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    return names.flatMap((name) => {
      const t = this.topics.get(name);
      return t
        ? [{ name, partitions: t.partitions.length, cleanupPolicy: this.cleanupPolicies.get(name) ?? 'delete' }]
        : [];
    });
  }

  /** A topic's log, created with `defaultPartitions` on first use like a broker auto-creating it. */
  topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      t = new Topic(name, this.defaultPartitions, false);
      this.topics.set(name, t);
    }
    return t;
  }

  /** Records held in memory, over every partition of every topic (flat in a long run: the memory bench). */
  retainedRecords(): number {
    let n = 0;
    for (const t of this.topics.values()) for (const p of t.partitions) n += p.records.length;
    return n;
  }

  async partitionCount(topic: string): Promise<number> {
    return this.topic(topic).partitions.length;
  }

  async produce(topicName: string, messages: readonly BusMessage[]): Promise<void> {
    if (this.closed) throw new BusClosedError(`produce to ${topicName}`);
    const topic = this.topic(topicName);
    // Looked up once per call, and again only after waiting (membership can change while a producer waits).
    let groups = this.activeGroups(topicName);
    for (const message of messages) {
      const index =
        message.partition ??
        (message.key !== null
          ? partitionForKey(message.key, topic.partitions.length)
          : this.roundRobin++ % topic.partitions.length);
      const partition = topic.partitions[index];
      if (!partition) throw new RangeError(`${topicName} has no partition ${index}`);
      while (this.backlog(partition, groups) >= this.maxBacklog) {
        if (this.closed) throw new BusClosedError(`produce to ${topicName}`);
        await partition.freed.wait();
        groups = this.activeGroups(topicName);
      }
      partition.append(message, Date.now());
      if (groups.length === 0) partition.retainLast(this.retainRecords);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new BusClosedError(`subscribe ${options.groupId}`);
    for (const t of options.topics) this.topic(t);
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = new Group(options.groupId, this);
      this.groups.set(options.groupId, group);
    }
    const member = new Member(group, options);
    await group.join(member);
    // Records may have piled up while no group was active; a producer may now be waiting on them.
    for (const t of options.topics) for (const p of this.topic(t).partitions) p.freed.notify();
    return member;
  }

  async readPartition(tp: TopicPartition, onRecord: (record: BusRecord) => void): Promise<void> {
    const partition = this.topic(tp.topic).partitions[tp.partition];
    if (!partition) return;
    for (const record of [...partition.records]) onRecord(record);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const group of this.groups.values()) {
      for (const member of [...group.members]) await member.close();
    }
    for (const t of this.topics.values()) for (const p of t.partitions) p.freed.notify();
  }

  trim(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      const partition = this.topic(o.topic).partitions[o.partition];
      if (!partition) continue;
      const low = this.lowWatermark(partition);
      if (low !== null) partition.trimBelow(low);
    }
  }

  private activeGroups(topicName: string): Group[] {
    return [...this.groups.values()].filter((g) => g.consumes(topicName));
  }

  /** Smallest committed offset among the topic's active groups (null when none): below it, nobody needs the records. */
  private lowWatermark(
    partition: Partition,
    groups: readonly Group[] = this.activeGroups(partition.topic.name),
  ): number | null {
    if (groups.length === 0) return null;
    const k = tpKey({ topic: partition.topic.name, partition: partition.index });
    let low = Infinity;
    for (const g of groups) low = Math.min(low, g.committed.get(k) ?? partition.records[0]?.offset ?? 0);
    return low;
  }

  private backlog(partition: Partition, groups: readonly Group[]): number {
    const low = this.lowWatermark(partition, groups);
    return low === null ? 0 : partition.nextOffset - low;
  }
}
