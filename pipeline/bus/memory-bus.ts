import { randomUUID } from 'node:crypto';
import { BusClosedError } from '../errors.ts';
import type {
  Bus,
  BusMessage,
  BusRecord,
  RecordBatch,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TopicPartitionOffset,
  TopicSettings,
} from './bus.ts';
import { coPartitionedAssignment } from './co-partitioned-assignment.ts';
import { partitionForKey } from './partitioner.ts';

// The embedded, in-process Bus: what `npm start` and the tests run on. It behaves like Kafka where the pipeline
// depends on it: murmur2 partitioning, per-partition order, consumer groups with committed offsets, redelivery
// of uncommitted records to the next owner, compacted topics, and bounded memory with backpressure.
//
// Memory bound: a partition keeps the records no active group has committed yet. When that backlog reaches
// `maxBacklog`, producers to the partition wait until a consumer commits. Records nobody is waiting for
// (topics without an active group, e.g. dead-letter topics) are kept up to `retainRecords` per partition, the
// oldest dropped first like Kafka's retention; compacted topics keep the latest record of each key.

export interface MemoryBusOptions {
  /** Uncommitted records per partition before producers wait. @defaultValue 10_000 */
  maxBacklog?: number;
  /** Records kept per partition for topics nobody consumes. @defaultValue 10_000 */
  retainRecords?: number;
  /** Partitions of a topic created on first use. @defaultValue 1 */
  defaultPartitions?: number;
}

type Waiter = () => void;

class Signal {
  private waiters: Waiter[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

class Partition {
  /** Records in offset order; offsets may have holes after compaction or retention. */
  records: BusRecord[] = [];
  nextOffset = 0;
  readonly appended = new Signal();
  readonly freed = new Signal();
  private latestByKey = new Map<string, number>();

  constructor(
    readonly topic: Topic,
    readonly index: number,
  ) {}

  append(message: BusMessage, now: number): void {
    const record: BusRecord = {
      topic: this.topic.name,
      partition: this.index,
      offset: this.nextOffset++,
      key: message.key,
      value: message.value,
      headers: { ...message.headers },
      timestamp: message.timestamp ?? now,
    };
    this.records.push(record);
    if (this.topic.compacted && record.key !== null) {
      this.latestByKey.set(record.key, record.offset);
      if (this.records.length > 2 * this.latestByKey.size + 1000) this.compact();
    }
    this.appended.notify();
  }

  /** Index of the first record with offset >= `offset`. */
  indexOf(offset: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops records below `offset` (all groups are past them, or retention). */
  trimBelow(offset: number): void {
    const drop = this.indexOf(offset);
    if (drop === 0) return;
    if (this.topic.compacted) {
      // A compacted topic keeps the latest value of every key however old it is.
      this.records = this.records.filter(
        (r, i) => i >= drop || (r.key !== null && this.latestByKey.get(r.key) === r.offset),
      );
    } else {
      this.records.splice(0, drop);
    }
    this.freed.notify();
  }

  private compact(): void {
    this.records = this.records.filter((r) => r.key === null || this.latestByKey.get(r.key) === r.offset);
  }
}

class Topic {
  readonly partitions: Partition[];
  constructor(
    readonly name: string,
    count: number,
    readonly compacted: boolean,
  ) {
    this.partitions = Array.from({ length: count }, (_, i) => new Partition(this, i));
  }
}

const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

class Member implements Subscription {
  readonly memberId = randomUUID();
  owned = new Map<string, PartitionReader>();
  closed = false;
  paused = new Set<string>();
  constructor(
    readonly group: Group,
    readonly options: SubscribeOptions,
    readonly bus: MemoryBus,
  ) {}

  get groupId(): string {
    return this.group.id;
  }
  assignment(): TopicPartition[] {
    return [...this.owned.values()].map((r) => ({ topic: r.partition.topic.name, partition: r.partition.index }));
  }
  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    for (const o of offsets) {
      if (!this.owned.has(tpKey(o))) continue; // a partition given to another member: its commit is refused
      this.group.commit(o);
    }
    this.bus.trim(offsets);
  }
  async committed(tp: TopicPartition): Promise<number | null> {
    return this.group.committed.get(tpKey(tp)) ?? null;
  }
  pause(partitions?: readonly TopicPartition[]): void {
    for (const tp of partitions ?? this.assignment()) this.paused.add(tpKey(tp));
  }
  resume(partitions?: readonly TopicPartition[]): void {
    for (const tp of partitions ?? this.assignment()) this.paused.delete(tpKey(tp));
    for (const reader of this.owned.values()) reader.wake();
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.group.leave(this);
  }
}

/** Delivers one partition to its owning member, one batch at a time. */
class PartitionReader {
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  private readonly wakeSignal = new Signal();
  position: number;

  constructor(
    readonly member: Member,
    readonly partition: Partition,
    start: number,
  ) {
    this.position = start;
  }

  start(): void {
    // Deliver from the next macrotask, so subscribe() has returned its Subscription before the first batch.
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.loop());
  }

  wake(): void {
    this.wakeSignal.notify();
  }

  /** Stops after the batch in flight; resolves when it has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.partition.appended.notify();
    await this.running;
  }

  /** Waits up to `waitMs` for the partition to hold `max` records from `from`, then takes what is there. */
  private async fill(from: number, max: number, waitMs: number): Promise<BusRecord[]> {
    const deadline = Date.now() + waitMs;
    let records = this.partition.records.slice(from, from + max);
    while (records.length < max && !this.stopped) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.partition.appended.wait(),
        this.wakeSignal.wait(),
        new Promise((r) => (timer = setTimeout(r, left))),
      ]);
      clearTimeout(timer);
      records = this.partition.records.slice(from, from + max);
    }
    return records;
  }

  private async loop(): Promise<void> {
    const { options } = this.member;
    const max = options.maxBatchSize ?? 500;
    const key = tpKey({ topic: this.partition.topic.name, partition: this.partition.index });
    while (!this.stopped) {
      if (this.member.paused.has(key)) {
        await this.wakeSignal.wait();
        continue;
      }
      const from = this.partition.indexOf(this.position);
      if (from >= this.partition.records.length) {
        await Promise.race([this.partition.appended.wait(), this.wakeSignal.wait()]);
        continue;
      }
      let records = this.partition.records.slice(from, from + max);
      if (records.length < max && options.maxWaitMs) records = await this.fill(from, max, options.maxWaitMs);
      const batch: RecordBatch = {
        topic: this.partition.topic.name,
        partition: this.partition.index,
        records,
        highWatermark: this.partition.nextOffset,
      };
      try {
        await options.onBatch(batch);
        this.position = records[records.length - 1]!.offset + 1;
      } catch (err) {
        // Like kafkajs: a failing batch handler is retried from the same position after a pause.
        this.member.bus.onHandlerError(err);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

class Group {
  members: Member[] = [];
  committed = new Map<string, number>();
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly bus: MemoryBus,
  ) {}

  commit(o: TopicPartitionOffset): void {
    const k = tpKey(o);
    if ((this.committed.get(k) ?? -1) < o.offset) this.committed.set(k, o.offset);
  }

  join(member: Member): Promise<void> {
    this.members.push(member);
    return this.rebalance();
  }

  async leave(member: Member): Promise<void> {
    this.members = this.members.filter((m) => m !== member);
    await this.rebalance(member);
    // Without members the group no longer holds producers back.
    for (const t of member.options.topics) for (const p of this.bus.topic(t).partitions) p.freed.notify();
  }

  /** Rebalances one at a time: revoke (after in-flight batches) before anyone else reads the partition. */
  private rebalance(leaving?: Member): Promise<void> {
    this.rebalancing = this.rebalancing.then(() => this.doRebalance(leaving));
    return this.rebalancing;
  }

  private async doRebalance(leaving?: Member): Promise<void> {
    const target = this.assign();
    const everyone = leaving ? [...this.members, leaving] : this.members;
    // 1. revoke what moves, letting in-flight batches finish
    await Promise.all(
      everyone.map(async (member) => {
        const keep = target.get(member) ?? new Set<string>();
        const revoked = [...member.owned.entries()].filter(([k]) => !keep.has(k));
        if (revoked.length === 0) return;
        await Promise.all(revoked.map(([, reader]) => reader.stop()));
        for (const [k] of revoked) member.owned.delete(k);
        await member.options.onRevoke?.(
          revoked.map(([, r]) => ({ topic: r.partition.topic.name, partition: r.partition.index })),
        );
      }),
    );
    // 2. assign the rest, starting at the committed offset
    await Promise.all(
      this.members.map(async (member) => {
        const added: Partition[] = [];
        for (const k of target.get(member) ?? []) {
          if (member.owned.has(k)) continue;
          added.push(this.bus.partitionByKey(k));
        }
        if (added.length === 0) return;
        await member.options.onAssign?.(added.map((p) => ({ topic: p.topic.name, partition: p.index })));
        for (const p of added) {
          const k = tpKey({ topic: p.topic.name, partition: p.index });
          const committed = this.committed.get(k);
          const earliest = p.records[0]?.offset ?? p.nextOffset;
          const start =
            committed !== undefined
              ? Math.max(committed, earliest)
              : member.options.fromBeginning === false
                ? p.nextOffset
                : earliest;
          const reader = new PartitionReader(member, p, start);
          member.owned.set(k, reader);
          reader.start();
        }
      }),
    );
  }

  /** The co-partitioned assignment the Kafka adapter uses too: partition p of every topic to one member. */
  private assign(): Map<Member, Set<string>> {
    const result = new Map<Member, Set<string>>(this.members.map((m) => [m, new Set()]));
    const byId = new Map<string, Member>(this.members.map((m) => [m.memberId, m]));
    const topics = new Set(this.members.flatMap((m) => m.options.topics));
    const counts = new Map([...topics].map((t) => [t, this.bus.topic(t).partitions.length] as const));
    for (const [memberId, byTopic] of coPartitionedAssignment([...byId.keys()], counts)) {
      for (const [topic, partitions] of byTopic) {
        for (const partition of partitions) result.get(byId.get(memberId)!)!.add(tpKey({ topic, partition }));
      }
    }
    return result;
  }
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private topics = new Map<string, Topic>();
  private groups = new Map<string, Group>();
  private closed = false;
  private roundRobin = 0;
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
        this.topics.set(t.name, new Topic(t.name, t.partitions, (t.cleanupPolicy ?? 'delete').includes('compact')));
      }
    }
  }

  topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      t = new Topic(name, this.defaultPartitions, false);
      this.topics.set(name, t);
    }
    return t;
  }

  partitionByKey(k: string): Partition {
    const [topic, partition] = k.split('\u0000') as [string, string];
    return this.topic(topic).partitions[Number(partition)]!;
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
      if (groups.length === 0) partition.trimBelow(partition.nextOffset - this.retainRecords);
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
    const member = new Member(group, options, this);
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

  /** Drops records every active group has committed past. */
  trim(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      const partition = this.topic(o.topic).partitions[o.partition];
      if (!partition) continue;
      const low = this.lowWatermark(partition);
      if (low !== null) partition.trimBelow(low);
    }
  }

  private activeGroups(topicName: string): Group[] {
    return [...this.groups.values()].filter((g) => g.members.some((m) => m.options.topics.includes(topicName)));
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
