import { randomUUID } from 'node:crypto';
import type { SubscribeOptions, Subscription, TopicPartition, TopicPartitionOffset } from './bus.ts';
import { coPartitionedAssignment } from './co-partitioned-assignment.ts';
import { tpKey, type Partition, type Topic } from './memory-log.ts';
import { PartitionReader, type ReaderOwner } from './memory-partition-reader.ts';

// Consumer groups of the embedded bus: membership, the co-partitioned assignment Kafka gets from our assignor
// (partition p of every topic to one member), committed offsets, and redelivery: a partition that changes
// hands is revoked only after its batch in flight finished, and its new owner starts at the committed offset,
// so whatever was not committed is read again.

/** What a group needs of the bus it lives on. */
export interface GroupHost {
  topic(name: string): Topic;
  /** Drops records every active group has committed past. */
  trim(offsets: readonly TopicPartitionOffset[]): void;
  onHandlerError(err: unknown): void;
}

export class Member implements Subscription, ReaderOwner {
  readonly memberId = randomUUID();
  readonly owned = new Map<string, PartitionReader>();
  private closed = false;
  private readonly paused = new Set<string>();

  constructor(
    readonly group: Group,
    readonly options: SubscribeOptions,
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
    this.group.host.trim(offsets);
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
  isPaused(key: string): boolean {
    return this.paused.has(key);
  }
  onHandlerError(err: unknown): void {
    this.group.host.onHandlerError(err);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.group.leave(this);
  }
}

export class Group {
  members: Member[] = [];
  readonly committed = new Map<string, number>();
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly host: GroupHost,
  ) {}

  commit(o: TopicPartitionOffset): void {
    const k = tpKey(o);
    if ((this.committed.get(k) ?? -1) < o.offset) this.committed.set(k, o.offset);
  }

  /** Whether a member of this group reads the topic (its records are then kept until committed). */
  consumes(topic: string): boolean {
    return this.members.some((m) => m.options.topics.includes(topic));
  }

  join(member: Member): Promise<void> {
    this.members.push(member);
    return this.rebalance();
  }

  async leave(member: Member): Promise<void> {
    this.members = this.members.filter((m) => m !== member);
    await this.rebalance(member);
    // Without members the group no longer holds producers back.
    for (const t of member.options.topics) for (const p of this.host.topic(t).partitions) p.freed.notify();
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
          added.push(this.partitionByKey(k));
        }
        if (added.length === 0) return;
        await member.options.onAssign?.(added.map((p) => ({ topic: p.topic.name, partition: p.index })));
        for (const p of added) {
          const k = tpKey({ topic: p.topic.name, partition: p.index });
          const committed = this.committed.get(k);
          const start =
            committed !== undefined
              ? Math.max(committed, p.earliest())
              : member.options.fromBeginning === false
                ? p.nextOffset
                : p.earliest();
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
    const counts = new Map([...topics].map((t) => [t, this.host.topic(t).partitions.length] as const));
    for (const [memberId, byTopic] of coPartitionedAssignment([...byId.keys()], counts)) {
      for (const [topic, partitions] of byTopic) {
        for (const partition of partitions) result.get(byId.get(memberId)!)!.add(tpKey({ topic, partition }));
      }
    }
    return result;
  }

  private partitionByKey(k: string): Partition {
    const [topic, partition] = k.split('\u0000') as [string, string];
    return this.host.topic(topic).partitions[Number(partition)]!;
  }
}
