import type { TopicPartition } from '../bus.ts';

// What a Kafka bus is built with besides its connection settings (kafka-config.ts): where it logs, where it
// reports lag, and the client tuning shared by its producer, consumers and restore readers.

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
  /** Exactly-once: the coordinator aborts a transaction left open longer (a producer killed mid-batch). */
  transactionTimeoutMs: number;
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
  transactionTimeoutMs: 60_000,
};

/** kafkajs's retry options from the tuning. */
export function retryOf(t: KafkaTuning): { retries: number; initialRetryTime: number; maxRetryTime: number } {
  return { retries: t.retries, initialRetryTime: t.initialRetryMs, maxRetryTime: t.maxRetryMs };
}
