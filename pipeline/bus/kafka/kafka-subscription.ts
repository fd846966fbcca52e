import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { BusError, errorMessage } from '../../errors.ts';
import {
  tpKey,
  type SubscribeOptions,
  type Subscription,
  type TopicPartition,
  type TopicPartitionOffset,
} from '../bus.ts';
import { coPartitionedAssigner } from './co-partitioned-assignor.ts';
import { retryOf, type KafkaBusDeps, type KafkaTuning, type PartitionLag } from './kafka-bus-options.ts';
import { commitOwned, fetchCommitted, fetchGroupOffsets } from './kafka-commits.ts';
import { runAssignmentHooks } from './kafka-assignment-hooks.ts';
import { LostInput } from './kafka-lost-input.ts';
import { watchForGoodFailures } from './kafka-consumer-failures.ts';
import { toBusRecord } from './kafka-records.ts';

// One Subscription on kafkajs: a consumer in the group, and this member's own view of its assignment. kafkajs
// has no revoke callback and resets every partition to its committed offset at each rebalance, so the view is
// updated at every GROUP_JOIN: partitions missing from the new assignment are revoked, retained partitions
// continue from where this member had read (seek), and commits are refused for anything not owned. kafkajs
// drains the batches in flight before it rejoins (its fetchers await their workers), and a batch that has not
// started when a rebalance is seen is dropped (the heartbeat before it throws), so a new owner reads it again
// from the committed offset.

function byTopic(tps: readonly TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const map = new Map<string, number[]>();
  for (const tp of tps) map.set(tp.topic, [...(map.get(tp.topic) ?? []), tp.partition]);
  return [...map].map(([topic, partitions]) => ({ topic, partitions }));
}

export class KafkaSubscription implements Subscription {
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
  private failed = false;
  private readonly lostInput: LostInput;
  /** The group's committed offsets as last read, never the -2/-1 a reset commits: where a reset took reading from. */
  private readonly committedBefore = new Map<string, number>();
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
      retry: retryOf(tuning),
    });
    this.lostInput = new LostInput(this.consumer, admin, this.groupId, options, async (tp) => {
      return this.positions.get(tpKey(tp)) ?? this.committedBefore.get(tpKey(tp));
    });
    const { events } = this.consumer;
    this.consumer.on(events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberId, e.payload.memberAssignment));
    watchForGoodFailures(this.consumer, this.groupId, options.topics, deps.log, (message) => this.fail(message));
    this.consumer.on(events.REBALANCING, () => {
      this.rebalancing = true;
    });
  }

  /** Stops this subscription's owner for good, once (the consumer reads nothing more). */
  fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.options.onFailure?.(new BusError(message, { retriable: false }));
  }

  /** kafkajs reset an offset of this group (kafka-bus.ts forwards its log line). */
  offsetReset(tp: TopicPartition): Promise<void> {
    return this.lostInput.seen(tp);
  }

  /** Refreshes committedBefore; kafkajs's own reset commits are negative and never replace a real offset. */
  private async readCommitted(): Promise<void> {
    try {
      for (const tpo of await fetchGroupOffsets(this.admin, this.groupId, this.options.topics)) {
        this.committedBefore.set(tpKey(tpo), tpo.offset);
      }
    } catch (err) {
      this.deps.log.warn({ groupId: this.groupId, err: errorMessage(err) }, 'could not read committed offsets');
    }
  }

  async start(): Promise<void> {
    // Before the first fetch, so an offset reset at that fetch can say where reading would have gone on.
    await this.readCommitted();
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
    // Partitions new to this member were committed by others: read where they stand.
    void this.readCommitted();
    // kafkajs restarts every partition at its committed offset after a join; a retained partition goes on
    // from where this member's handler got to, so nothing is handled twice by the same owner.
    for (const [k, tp] of next) {
      const position = this.positions.get(k);
      if (position !== undefined) this.consumer.seek({ ...tp, offset: String(position) });
    }
    this.hooksSettled = false;
    const run = { groupId: this.groupId, revoked, assigned, stopped: () => this.closing !== null || this.failed };
    const hooks = this.hooks.then(async () => {
      const err = await runAssignmentHooks(this.options, run, this.tuning, this.deps.log);
      if (err === undefined) return;
      this.hookError = err;
      this.deps.log.error({ groupId: this.groupId, err: errorMessage(err) }, 'partition assignment callback failed');
      // Every batch would throw it again: the owner must stop instead of idling as a member that does nothing.
      if (this.closing === null)
        this.fail(`partition assignment callback of ${this.groupId} failed: ${errorMessage(err)}`);
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
      await this.lostInput.settled(tp);
      // Not resolved: a batch handed on now would be refused by a failed owner, and kafkajs would restart,
      // fetch the lost offset again and reset it over the one put back.
      if (this.failed || this.lostInput.stopped) return;
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

  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const owns = (tp: TopicPartition) => !this.rebalancing && this.owned.has(tpKey(tp));
    return commitOwned(this.consumer, this.deps.log, this.groupId, offsets, owns);
  }

  committed(tp: TopicPartition): Promise<number | null> {
    return fetchCommitted(this.admin, this.groupId, tp);
  }

  pause(partitions?: readonly TopicPartition[]): void {
    // A consumer that crashed for good has nothing to pause, and kafkajs throws if asked.
    if (this.failed) return;
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
