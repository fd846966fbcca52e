import { trace } from '@opentelemetry/api';
import { changelogOf } from '../../schemas/topics.ts';
import type {
  RecordBatch,
  Subscription,
  TopicPartition,
  TopicPartitionOffset,
  TransactionalProducer,
} from '../bus/bus.ts';
import { ConfigError, InputLostError, isFatal, StageDefinitionError } from '../errors.ts';
import { defaultRetryPolicy } from '../retry.ts';
import { KeyedStateStore } from '../state/keyed-state-store.ts';
import { handleBatchAtOnce } from './batch-path.ts';
import type { AnyStage, StageOutputs, TickContext } from './define-stage.ts';
import { DrainInterrupt } from './failure-policy.ts';
import { encodeOutputs, type PendingOutput } from './produce-outputs.ts';
import { handleRecords } from './record-path.ts';
import { StageLock } from './stage-lock.ts';
import type { StageRunOptions, StageRuntime, StageScope, StageState } from './stage-runtime.ts';
import { tickContext } from './tick-context.ts';
import { writeBatch } from './write-batch.ts';

// The stage runner: consume -> decode -> validate -> handle -> encode -> produce -> persist state -> commit.
// It owns every piece of I/O so that stages stay plain functions. This file is its lifecycle (start, drain,
// readiness, partitions assigned and revoked, state restore) and the order of the steps of one batch; the steps
// are the record path, the batch path, the failure policy and the produce path beside it.

export class StageRunner {
  state: StageState = 'INITIALIZED';
  private subscription: Subscription | undefined;
  /** Exactly-once: every batch, tick and flush is one transaction of this producer. */
  private transactions: TransactionalProducer | undefined;
  private readonly store: KeyedStateStore<unknown> | undefined;
  private readonly lock = new StageLock();
  private readonly abort = new AbortController();
  private readonly lags = new Map<string, number>();
  private tickTimer: NodeJS.Timeout | undefined;
  private handlerReady = true;
  /** Partitions whose state is being restored: not ready to serve until it is back. */
  private restoring = 0;
  private readonly scope: StageScope;
  private readonly stageLabel: { stage: string };

  constructor(
    readonly stage: AnyStage,
    private readonly runtime: StageRuntime,
    private readonly options: StageRunOptions = {},
  ) {
    this.stageLabel = { stage: stage.name };
    if (stage.state) {
      const changelog = options.changelog ?? changelogOf(stage.name);
      if (!changelog)
        throw new StageDefinitionError(`stage ${stage.name} keeps state but the catalogue has no changelog for it`);
      this.store = new KeyedStateStore(runtime.bus, changelog, stage.state);
    }
    this.scope = {
      stage,
      runtime,
      log: runtime.log.child({ stage: stage.name }),
      now: runtime.now ?? Date.now,
      groupId: this.groupId,
      store: this.store,
      retry: options.retry ?? defaultRetryPolicy,
      signal: this.abort.signal,
      tracer: trace.getTracer('candleflow'),
      setHandlerReady: (ready) => {
        this.handlerReady = ready;
        this.updateReadyMetric();
      },
    };
  }

  get groupId(): string {
    return this.options.groupId ?? `candleflow.${this.stage.name}`;
  }

  /** Ready: subscribed, state restored, every owned partition caught up, and the stage's own check passing. */
  ready(): boolean {
    if (this.state !== 'RUNNING' || !this.handlerReady || this.restoring > 0) return false;
    const max = this.options.readyMaxLag ?? 1000;
    for (const lag of this.lags.values()) if (lag > max) return false;
    return true;
  }

  async start(): Promise<void> {
    this.state = 'STARTING';
    const { exactlyOnce } = this.options;
    if (exactlyOnce) {
      const { bus } = this.runtime;
      if (!bus.transactional) throw new ConfigError('PROCESSING_GUARANTEE', 'exactly-once needs Kafka (KAFKA_BROKERS)');
      // Before subscribing: fencing aborts what a killed predecessor left open, which the restore would wait for.
      this.transactions = await bus.transactional(`${this.groupId}.${exactlyOnce.instanceId}`);
    }
    this.subscription = await this.runtime.bus.subscribe({
      groupId: this.groupId,
      topics: this.stage.inputs.map((t) => t.name),
      maxBatchSize: this.stage.batch?.maxRecords ?? this.options.maxBatchSize ?? 500,
      maxWaitMs: this.stage.batch?.maxWaitMs ?? 0,
      onBatch: (batch) => this.onBatch(batch),
      onAssign: (tps) => this.onAssign(tps),
      onRevoke: (tps) => this.onRevoke(tps),
      onFailure: (err) => this.fail(err),
      onInputLost: (lost) => this.onInputLost(lost),
      keepLostOffsets: (this.options.onInputLost ?? 'stop') === 'stop',
    });
    this.state = 'RUNNING';
    this.updateReadyMetric();
    if (this.stage.tick && (this.options.ticks ?? true)) {
      const { intervalMs } = this.stage.tick;
      this.tickTimer = setInterval(() => {
        this.runTick().catch((err) => this.scope.log.error({ err }, 'tick failed'));
      }, intervalMs);
      this.tickTimer.unref();
    }
    this.scope.log.info({ groupId: this.groupId, inputs: this.stage.inputs.map((t) => t.name) }, 'stage started');
  }

  /** Finishes the batch in flight, commits it, and leaves the group. */
  async stop(): Promise<void> {
    if (this.state === 'STOPPED' || this.state === 'INITIALIZED') return;
    if (this.state !== 'FAILED') this.state = 'DRAINING';
    this.updateReadyMetric();
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.abort.abort();
    await this.subscription?.close();
    await this.transactions?.close();
    if (this.state !== 'FAILED') this.state = 'STOPPED';
    this.scope.log.info('stage stopped');
  }

  /** Wall-clock tick: lets a stage close idle windows. Runs between batches, never during one. */
  async runTick(): Promise<void> {
    const tick = this.stage.tick;
    if (!tick || this.state !== 'RUNNING') return;
    await this.lock
      .run(() => this.runOnState((ctx) => tick.run(ctx)))
      .catch((err: unknown) => {
        if (isFatal(err)) this.fail(err);
        throw err;
      });
  }

  /** End of a bounded input (replays, tests): the stage closes whatever it holds open. */
  async flush(): Promise<void> {
    const flush = this.stage.flush;
    if (!flush) return;
    await this.lock.run(() => this.runOnState((ctx) => flush(ctx)));
  }

  private async onAssign(tps: TopicPartition[]): Promise<void> {
    if (!this.store) return;
    const partitions = [...new Set(tps.map((tp) => tp.partition))];
    this.restoring += 1;
    this.updateReadyMetric();
    try {
      await this.lock.run(async () => {
        const restored = await this.store!.restore(partitions);
        this.scope.log.info({ partitions, keys: restored }, 'state restored');
      });
    } finally {
      this.restoring -= 1;
      this.updateReadyMetric();
    }
  }

  private async onRevoke(tps: TopicPartition[]): Promise<void> {
    for (const tp of tps) this.lags.delete(`${tp.topic}:${tp.partition}`);
    if (!this.store) return;
    // Co-partitioned inputs share state per partition: drop it only once no input of that partition is owned.
    const owned = new Set(this.subscription?.assignment().map((tp) => tp.partition) ?? []);
    const gone = [...new Set(tps.map((tp) => tp.partition))].filter((p) => !owned.has(p));
    await this.lock.run(async () => this.store!.drop(gone));
  }

  private async onBatch(batch: RecordBatch): Promise<void> {
    if (this.state === 'FAILED') throw new StageDefinitionError(`stage ${this.stage.name} has failed`);
    try {
      await this.processBatch(batch);
    } catch (err) {
      if (isFatal(err)) this.fail(err);
      throw err;
    }
  }

  private async onInputLost(lost: TopicPartition & { skipped: number; from: number; to: number }): Promise<void> {
    const { topic, partition, skipped } = lost;
    this.runtime.metrics.inputLost.inc({ stage: this.stage.name, topic, partition: String(partition) }, skipped);
    const message = `${skipped} records of ${topic}[${partition}] (offsets ${lost.from} to ${lost.to - 1}) were deleted before ${this.groupId} read them`;
    this.scope.log.error({ ...lost, groupId: this.groupId }, message);
    // Candles and state built across the hole would look like quiet trading; by default the worker stops.
    if ((this.options.onInputLost ?? 'stop') === 'stop') {
      this.fail(new InputLostError(`${message}; set ON_INPUT_LOST=continue to go on from the log start`));
      return;
    }
    // Before the partition's next batch (the subscription holds it until this resolves).
    const across = this.stage.state?.inputLost;
    if (across && this.store) await this.lock.run(async () => this.store!.updatePartition(partition, across));
  }

  /** Stops taking records for good: the batch stays uncommitted, readiness goes to 0, the worker is told. */
  private fail(err: Error): void {
    if (this.state === 'FAILED') return;
    this.state = 'FAILED';
    this.subscription?.pause();
    this.updateReadyMetric();
    this.scope.log.error({ err: err.message }, 'stage failed');
    this.runtime.onFatal?.(err, this.stage.name);
  }

  private async processBatch(batch: RecordBatch): Promise<void> {
    await this.lock.run(async () => {
      const { metrics } = this.runtime;
      const timer = metrics.batchSeconds.startTimer(this.stageLabel);
      metrics.recordsIn.inc({ stage: this.stage.name, topic: batch.topic }, batch.records.length);
      const outputs: PendingOutput[] = [];
      if (this.stage.handleBatch) await handleBatchAtOnce(this.scope, batch, outputs);
      else await handleRecords(this.scope, batch, outputs);
      const last = batch.records[batch.records.length - 1]!;
      const offsets = [{ topic: batch.topic, partition: batch.partition, offset: last.offset + 1 }];
      await this.write(outputs, offsets);
      if (!this.transactions) await this.subscription!.commit(offsets);
      const lag = Math.max(0, batch.highWatermark - last.offset - 1);
      this.lags.set(`${batch.topic}:${batch.partition}`, lag);
      metrics.lag.set({ stage: this.stage.name, topic: batch.topic, partition: String(batch.partition) }, lag);
      this.updateReadyMetric();
      timer();
    });
  }

  /** A tick or flush: its outputs go out like a batch's, then the states it reported changed. */
  private async runOnState(fn: (ctx: TickContext<unknown>) => StageOutputs | Promise<StageOutputs>): Promise<void> {
    const result = await fn(tickContext(this.scope));
    await this.write(await encodeOutputs(this.runtime.codec, result, this.stage), []);
  }

  /** Outputs and changed states (and offsets, exactly-once); a write retrying cannot fix stops the stage. */
  private async write(outputs: readonly PendingOutput[], offsets: TopicPartitionOffset[]): Promise<void> {
    try {
      await writeBatch(this.scope, this.transactions, outputs, offsets);
    } catch (err) {
      if (!(err instanceof DrainInterrupt)) this.fail(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  private updateReadyMetric(): void {
    this.runtime.metrics.ready.set(this.stageLabel, this.ready() ? 1 : 0);
  }
}
