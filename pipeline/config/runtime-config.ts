import { hostname } from 'node:os';
import { ConfigError } from '../errors.ts';
import type { RetryPolicy } from '../retry.ts';
import { defineConfig, settings } from './settings.ts';

/** Settings every worker reads; stages, adapters and the API declare their own beside them. */
export const runtimeConfig = defineConfig(
  {
    logLevel: settings.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      default: 'info',
      doc: 'logs are JSON lines (pino)',
    }),
    metricsPort: settings.int('METRICS_PORT', {
      default: 9464,
      min: 0,
      max: 65535,
      doc: '`/health/live`, `/health/ready` and `/metrics` of `candleflow run <stage>`',
    }),
    batchMaxRecords: settings.int('BATCH_MAX_RECORDS', {
      default: 500,
      min: 1,
      max: 100_000,
      doc: 'records per partition batch handed to a stage',
    }),
    shutdownGraceMs: settings.duration('SHUTDOWN_GRACE_MS', {
      default: 10_000,
      min: 1,
      doc: 'on SIGTERM/SIGINT, time to finish the batch in flight and commit before giving up (exit 1)',
    }),
    readyMaxLag: settings.int('READY_MAX_LAG', {
      default: 1000,
      min: 0,
      doc: 'a stage is ready only while every partition it owns is at most this many records behind',
    }),
    busMaxBacklog: settings.int('BUS_MAX_BACKLOG', {
      default: 10_000,
      min: 1,
      doc: 'embedded bus: uncommitted records per partition before producers wait',
    }),
    topicReplicas: settings.int('TOPIC_REPLICAS', {
      default: 0,
      defaultText: 'catalogue (`3`)',
      min: 0,
      max: 32,
      doc: 'replication factor of the topics a worker creates at start (`1` for a one-broker Kafka); 0: the catalogue\u2019s (`3`)',
    }),
    topicCheckIntervalMs: settings.duration('TOPIC_CHECK_INTERVAL', {
      default: 30_000,
      min: 0,
      doc: 'how often a Kafka worker checks again that its topics exist as the catalogue says (0: only at start); one deleted or changed under it stops it',
    }),
    onInputLost: settings.oneOf('ON_INPUT_LOST', ['stop', 'continue'], {
      default: 'stop',
      doc: 'when the broker deleted records before a stage read them (retention): `stop` (not ready, exit 1; to resume, set `continue` once, or reset the group’s offsets) or `continue` (counted and logged)',
    }),
    processingGuarantee: settings.oneOf('PROCESSING_GUARANTEE', ['at-least-once', 'exactly-once'], {
      default: 'at-least-once',
      doc: '`exactly-once` (Kafka only): a batch\u2019s outputs, state writes and input offsets go in one Kafka transaction, consumers read committed',
    }),
    instanceId: settings.optionalText('INSTANCE_ID', {
      doc: 'exactly-once: names this replica in its transactional ids `candleflow.<stage>.<INSTANCE_ID>`: stable across its restarts, different between replicas (a StatefulSet pod name); unset: the host name',
      pattern: /^[A-Za-z0-9._-]+$/,
      rule: "may hold only letters, digits, '.', '_' and '-'",
    }),
    retryInitialMs: settings.duration('RETRY_INITIAL_MS', {
      default: 300,
      min: 1,
      doc: 'first backoff between retries (doubling, 20% jitter)',
    }),
    retryMaxMs: settings.duration('RETRY_MAX_MS', { default: 30_000, min: 1, doc: 'longest backoff between retries' }),
    retryAttempts: settings.int('RETRY_ATTEMPTS', {
      default: 5,
      min: 0,
      max: 100,
      doc: 'retries of an unclassified handler error before the record is dead-lettered',
    }),
  },
  ({ retryInitialMs, retryMaxMs, retryAttempts, topicReplicas, processingGuarantee, instanceId, ...rest }) => {
    if (retryMaxMs < retryInitialMs) {
      throw new ConfigError(
        'RETRY_MAX_MS',
        `must be at least RETRY_INITIAL_MS (${retryInitialMs} ms), got ${retryMaxMs} ms`,
      );
    }
    const retry: RetryPolicy = {
      initialMs: retryInitialMs,
      multiplier: 2,
      maxMs: retryMaxMs,
      jitter: 0.2,
      retries: retryAttempts,
    };
    const exactlyOnce =
      processingGuarantee === 'exactly-once'
        ? { instanceId: instanceId ?? hostname().replace(/[^A-Za-z0-9._-]/g, '-') }
        : undefined;
    return { ...rest, topicReplicas: topicReplicas === 0 ? undefined : topicReplicas, retry, exactlyOnce };
  },
);

export type RuntimeConfig = ReturnType<typeof runtimeConfig.compile>;
