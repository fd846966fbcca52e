import type { Admin, ITopicConfig, LogEntry, Offsets, Transaction } from 'kafkajs';

// What the kafkajs adapter needs on top of kafkajs 2.2.4 against a real Kafka 4 cluster, each proven by
// test/kafka-broker/kafkajs-compat.test.ts or kafkajs-replicated.test.ts (test/kafka-broker/README.md has the
// findings table).

interface ErrorLike {
  name?: string;
  retriable?: boolean;
  cause?: unknown;
  type?: string;
  errors?: unknown[];
}

function causes(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (
    let e = err as ErrorLike | undefined;
    e && typeof e === 'object' && chain.length < 10;
    e = e.cause as ErrorLike | undefined
  )
    chain.push(e);
  return chain;
}

/**
 * Whether trying again later can help. Once its own retries are spent kafkajs wraps the last error in
 * KafkaJSNumberOfRetriesExceeded or KafkaJSNonRetriableError, both `retriable: false`, even when what failed
 * was a connection to a broker that is restarting; this is the rule kafkajs's own consumer uses to decide
 * whether to restart after a crash (consumer/index.js): retries exceeded, or an original cause that is retriable.
 */
export function retriableKafkaError(err: unknown): boolean {
  const chain = causes(err);
  if (chain.some((e) => e.name === 'KafkaJSNumberOfRetriesExceeded')) return true;
  return chain.at(-1)?.retriable === true;
}

/** Protocol error types (NOT_ENOUGH_REPLICAS...) anywhere in an error's cause chain, outermost first. */
export function protocolErrorTypes(err: unknown): string[] {
  return causes(err).flatMap((e) => (typeof e.type === 'string' ? [e.type] : []));
}

/** Protocol errors of a failed createTopics (kafkajs collects one per topic in a KafkaJSAggregateError). */
export function createTopicsErrorTypes(err: unknown): string[] {
  const errors = (err as ErrorLike).errors;
  if (Array.isArray(errors)) return errors.map((e) => (e as ErrorLike).type ?? (e as ErrorLike).name ?? 'UNKNOWN');
  const type = causes(err).find((e) => typeof e.type === 'string')?.type;
  return [type ?? (err as ErrorLike).name ?? 'UNKNOWN'];
}

// Requests this cluster will never accept as they are: wrong settings (TOPIC_REPLICAS=3 on one broker, a
// segment.bytes under Kafka 4's 1 MiB minimum). Everything else (ACLs, policies, a broker without CreateTopics)
// means "not ours to create": the topics come from strimzi/topics.yaml.
const invalidRequest = new Set([
  'INVALID_REPLICATION_FACTOR',
  'INVALID_CONFIG',
  'INVALID_PARTITIONS',
  'INVALID_REPLICA_ASSIGNMENT',
  'INVALID_TOPIC_EXCEPTION',
]);

/** 'invalid' when createTopics failed because of what was asked (stop the worker); 'refused' otherwise. */
export function createTopicsFailure(err: unknown): 'invalid' | 'refused' {
  return createTopicsErrorTypes(err).some((t) => invalidRequest.has(t)) ? 'invalid' : 'refused';
}

export interface OffsetReset {
  topic: string;
  partition: number;
  groupId: string;
}

/** The message kafkajs 2.2.4 logs (level ERROR, namespace ConsumerGroup) when it resets an out-of-range offset. */
export const offsetResetMessage = 'Offset out of range, resetting to default offset';

/**
 * Recognises, in kafkajs's log, that it reset a committed offset the broker could not serve (below the log
 * start after retention or deleteRecords; above the end after an unclean leader election). kafkajs then
 * commits -2 (fromBeginning) or -1 and reads on from the log start or end; it has no event for it, so this
 * log line is the only way to know that records were skipped.
 */
export function offsetResetFrom(entry: Pick<LogEntry, 'namespace' | 'log'>): OffsetReset | null {
  if (entry.namespace !== 'ConsumerGroup' || entry.log.message !== offsetResetMessage) return null;
  const { topic, partition, groupId } = entry.log as unknown as Partial<OffsetReset>;
  if (typeof topic !== 'string' || typeof partition !== 'number' || typeof groupId !== 'string') return null;
  return { topic, partition, groupId };
}

/**
 * Whether a kafkajs GROUP_JOIN came with an assignment made by the broker rather than by this member's
 * partitionAssigners. A group that a KIP-848 member (group.protocol=consumer) has joined is a consumer group:
 * its classic members (kafkajs) get a JoinGroup answer with no leader (`leaderId` '', and `isLeader` '' where
 * kafkajs's types promise a boolean) and the broker's assignor ('uniform') decides, so a custom assignor such
 * as the co-partitioned one is silently bypassed while kafkajs still reports it as the group protocol.
 */
export function assignedByBroker(join: { leaderId: string }): boolean {
  return join.leaderId === '';
}

/** Metadata answers for a topic the answering broker has not learnt of yet (KRaft propagates asynchronously). */
const notYetKnown = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/**
 * createTopics, then waits until every partition has a leader that serves it. kafkajs's own `waitForLeaders:
 * true` polls Metadata and tolerates only LEADER_NOT_AVAILABLE; a KRaft broker that has not applied the new
 * topic's metadata record yet answers UNKNOWN_TOPIC_OR_PARTITION instead, and kafkajs then throws from a
 * createTopics that did create the topics. And Kafka 4.4 names a leader in its metadata a moment before that
 * broker serves the partition: a Produce in between gets NOT_LEADER_OR_FOLLOWER for it, and kafkajs sends the
 * whole request again, writing the request's other partitions twice; a state restore's ListOffsets fails the
 * same way. So it also waits until ListOffsets answers for every topic. Resolves like createTopics: false when
 * every topic existed already.
 */
export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<boolean> {
  const created = await admin.createTopics({ topics, waitForLeaders: false });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      if (meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        for (const t of topics) await admin.fetchTopicOffsets(t.topic);
        return created;
      }
    } catch (err) {
      if (!causes(err).some((e) => notYetKnown.has(e.type ?? ''))) throw err;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.map((t) => t.topic).join(', ')} have no serving leaders after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The group coordinator errors that kafkajs's sendOffsets means to retry: its lists say COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE and NOT_COORDINATOR (the Java names), but its own error table calls codes 14, 15 and
 * 16 by these names, so none of them ever matches and TxnOffsetCommit fails at the first coordinator hiccup.
 */
export const groupCoordinatorErrors: ReadonlySet<string> = new Set([
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
]);

/**
 * transaction.sendOffsets, tried again while the group coordinator is loading, missing or moved (a fresh
 * cluster, a restarted or killed coordinator). The transaction stays open meanwhile; AddOffsetsToTxn is
 * idempotent and kafkajs looks the coordinator up afresh at each call.
 */
export async function sendOffsetsRetrying(
  transaction: Transaction,
  offsets: Offsets & { consumerGroupId: string },
  attempts = 20,
  backoffMs = 250,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await transaction.sendOffsets(offsets);
      return;
    } catch (err) {
      if (attempt >= attempts || !protocolErrorTypes(err).some((t) => groupCoordinatorErrors.has(t))) throw err;
      await new Promise((r) => setTimeout(r, backoffMs));
    }
  }
}
