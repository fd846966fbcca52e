import type { LogEntry } from 'kafkajs';

// What the kafkajs adapter (pipeline/bus/kafka-bus.ts) needs on top of kafkajs 2.2.4 against a real Kafka 4
// cluster, each proven by kafkajs-compat.test.ts or kafkajs-replicated.test.ts. Written to be moved into
// pipeline/bus/ as they are; README.md says where each one goes.

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
