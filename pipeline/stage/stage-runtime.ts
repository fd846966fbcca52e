import type { Tracer } from '@opentelemetry/api';
import type { ChangelogSpec } from '../../schemas/topics.ts';
import type { Bus } from '../bus/bus.ts';
import type { Logger } from '../log.ts';
import type { StageMetrics } from '../metrics/stage-metrics.ts';
import type { RetryPolicy } from '../retry.ts';
import type { Codec } from '../serde/codec.ts';
import type { KeyedStateStore } from '../state/keyed-state-store.ts';
import type { AnyStage } from './define-stage.ts';

/** Documented lifecycle of a worker's stage. */
export type StageState =
  /** Created, not yet subscribed. */
  | 'INITIALIZED'
  /** Subscribed, restoring state of assigned partitions. */
  | 'STARTING'
  /** Processing records. */
  | 'RUNNING'
  /** Shutdown requested: finishing the batch in flight, committing, leaving the group. */
  | 'DRAINING'
  /** Left the group; nothing in flight. */
  | 'STOPPED'
  /** Stopped by a mistake retrying cannot fix (a stage emitting to a topic it did not declare): not ready, ever. */
  | 'FAILED';

/** The I/O a runner is given: the bus, the codec, metrics and logs. */
export interface StageRuntime {
  bus: Bus;
  codec: Codec;
  metrics: StageMetrics;
  log: Logger;
  now?: () => number;
  /** Told when a stage fails for good; the worker then stops and the process exits non-zero. */
  onFatal?: (err: Error, stage: string) => void;
}

export interface StageRunOptions {
  /** Consumer group. @defaultValue `candleflow.<stage>` */
  groupId?: string;
  /** @defaultValue 500 */
  maxBatchSize?: number;
  retry?: RetryPolicy;
  /** Run the stage's wall-clock tick (live mode). @defaultValue true */
  ticks?: boolean;
  /** Lag (records) under which a partition counts as caught up for readiness. @defaultValue 1000 */
  readyMaxLag?: number;
  /** Changelog of a stateful stage. @defaultValue the catalogue's changelog of the stage */
  changelog?: ChangelogSpec;
  /** Input deleted by the broker before it was read: stop for good, or count it and go on. @defaultValue 'stop' */
  onInputLost?: 'stop' | 'continue';
  /**
   * Exactly-once (PROCESSING_GUARANTEE=exactly-once, Kafka only): each stage's transactional id is
   * `<groupId>.<instanceId>`, stable across restarts of one replica and different between replicas. Unset:
   * at-least-once.
   */
  exactlyOnce?: { instanceId: string };
}

/**
 * What the record path, the batch path, the decode path and the failure policy share with the StageRunner that
 * owns them: one per runner, built at construction.
 */
export interface StageScope {
  readonly stage: AnyStage;
  readonly runtime: StageRuntime;
  readonly log: Logger;
  readonly now: () => number;
  readonly groupId: string;
  /** The keyed state of a stateful stage. */
  readonly store: KeyedStateStore<unknown> | undefined;
  readonly retry: RetryPolicy;
  /** Aborted when the runner stops: retries give up and the batch is left uncommitted. */
  readonly signal: AbortSignal;
  readonly tracer: Tracer;
  /** The stage's own readiness (a sink whose database is down). */
  setHandlerReady(ready: boolean): void;
}
