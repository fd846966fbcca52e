import type { RetryPolicy } from '../retry.ts';
import { readDuration, readEnum, readInt, type Env } from './env.ts';

/** Settings every worker reads; stages and adapters read their own on top. Frozen once compiled. */
export interface RuntimeConfig {
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** HTTP port of `candleflow dev` (API, health, metrics). */
  port: number;
  /** Health and metrics port of `candleflow run <stage>`. */
  metricsPort: number;
  batchMaxRecords: number;
  shutdownGraceMs: number;
  readyMaxLag: number;
  busMaxBacklog: number;
  /** Replication factor of topics a worker creates; undefined: the catalogue's (3, as on Strimzi). */
  topicReplicas: number | undefined;
  retry: RetryPolicy;
}

export function parseRuntimeConfig(env: Env): RuntimeConfig {
  const retryInitialMs = readDuration(env, 'RETRY_INITIAL_MS', 300);
  return Object.freeze({
    logLevel: readEnum(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    port: readInt(env, 'PORT', 3000, { min: 0, max: 65535 }),
    metricsPort: readInt(env, 'METRICS_PORT', 9464, { min: 0, max: 65535 }),
    batchMaxRecords: readInt(env, 'BATCH_MAX_RECORDS', 500, { min: 1, max: 100_000 }),
    shutdownGraceMs: readDuration(env, 'SHUTDOWN_GRACE_MS', 10_000),
    readyMaxLag: readInt(env, 'READY_MAX_LAG', 1000, { min: 0 }),
    busMaxBacklog: readInt(env, 'BUS_MAX_BACKLOG', 10_000, { min: 1 }),
    topicReplicas: env.TOPIC_REPLICAS?.trim() ? readInt(env, 'TOPIC_REPLICAS', 3, { min: 1, max: 32 }) : undefined,
    retry: Object.freeze({
      initialMs: retryInitialMs,
      multiplier: 2,
      maxMs: readDuration(env, 'RETRY_MAX_MS', 30_000),
      jitter: 0.2,
      retries: readInt(env, 'RETRY_ATTEMPTS', 5, { min: 0, max: 100 }),
    }),
  });
}
