import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { validateValues } from '../../schemas/validate.ts';
import {
  changelogOf,
  deadLetterTopic,
  joinFields,
  topicByName,
  type ChangelogSpec,
  type TopicSpec,
} from '../../schemas/topics.ts';
import type { Bus, BusMessage, BusRecord, Headers, RecordBatch, Subscription, TopicPartition } from '../bus/bus.ts';
import { partitionForKey } from '../bus/partitioner.ts';
import {
  CandleflowError,
  HandlerError,
  StageDefinitionError,
  ValidationError,
  errorMessage,
  isRecordError,
} from '../errors.ts';
import type { Logger } from '../log.ts';
import type { StageMetrics } from '../metrics/stage-metrics.ts';
import { backoffMs, defaultRetryPolicy, sleep, type RetryPolicy } from '../retry.ts';
import type { Codec } from '../serde/codec.ts';
import { KeyedStateStore, type StateEntry } from '../state/keyed-state-store.ts';
import {
  batchAttributes,
  extractTraceContext,
  injectTraceContext,
  recordAttributes,
  tracingActive,
} from '../telemetry/propagation.ts';
import { CandleflowAttributes } from '../telemetry/semconv.ts';
import type { AnyStage, BatchContext, InputRecord, Output, SourceDefinition, StageOutputs } from './define-stage.ts';
import { StageLock } from './stage-lock.ts';

// The stage runner: consume -> decode -> validate -> handle -> encode -> produce -> persist state -> commit.
// It owns every piece of I/O so that stages stay plain functions.

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
  | 'STOPPED';

export const DeadLetterHeaders = {
  CODE: 'cf.dlq.code',
  REASON: 'cf.dlq.reason',
  MESSAGE: 'cf.dlq.message',
  STAGE: 'cf.dlq.stage',
  TOPIC: 'cf.dlq.source.topic',
  PARTITION: 'cf.dlq.source.partition',
  OFFSET: 'cf.dlq.source.offset',
  TIME: 'cf.dlq.time',
} as const;

/** Short reason words for the DLQ header, by error code (what operators grep for). */
const reasonOf: Partial<Record<string, string>> = {
  CF_ERR_DECODE: 'decode',
  CF_ERR_VALIDATION: 'invalid',
  CF_ERR_LATE: 'late',
  CF_ERR_HANDLER: 'handler',
};

export interface StageRuntime {
  bus: Bus;
  codec: Codec;
  metrics: StageMetrics;
  log: Logger;
  now?: () => number;
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
}

interface BatchItem {
  record: BusRecord;
  input: InputRecord;
  /** Partition key (keyed stages) or message key. */
  key: string;
  /** The key's state entry, for keyed stages. */
  entry?: StateEntry<unknown>;
}

interface PendingOutput {
  topic: string;
  message: BusMessage;
}

/** Thrown inside a batch when shutdown interrupts retries: the batch is not committed and will be redelivered. */
class DrainInterrupt extends Error {}

export class StageRunner {
  state: StageState = 'INITIALIZED';
  private subscription: Subscription | undefined;
  private readonly store: KeyedStateStore<unknown> | undefined;
  private readonly lock = new StageLock();
  private readonly abort = new AbortController();
  private readonly lags = new Map<string, number>();
  private tickTimer: NodeJS.Timeout | undefined;
  private handlerReady = true;
  /** Partitions whose state is being restored: not ready to serve until it is back. */
  private restoring = 0;
  private readonly retry: RetryPolicy;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly tracer = trace.getTracer('candleflow');
  private readonly stageLabel: { stage: string };

  constructor(
    readonly stage: AnyStage,
    private readonly runtime: StageRuntime,
    private readonly options: StageRunOptions = {},
  ) {
    this.retry = options.retry ?? defaultRetryPolicy;
    this.stageLabel = { stage: stage.name };
    this.log = runtime.log.child({ stage: stage.name });
    this.now = runtime.now ?? Date.now;
    if (stage.state) {
      const changelog = options.changelog ?? changelogOf(stage.name);
      if (!changelog)
        throw new StageDefinitionError(`stage ${stage.name} keeps state but the catalogue has no changelog for it`);
      this.store = new KeyedStateStore(runtime.bus, changelog, stage.state);
    }
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
    this.subscription = await this.runtime.bus.subscribe({
      groupId: this.groupId,
      topics: this.stage.inputs.map((t) => t.name),
      maxBatchSize: this.stage.batch?.maxRecords ?? this.options.maxBatchSize ?? 500,
      maxWaitMs: this.stage.batch?.maxWaitMs ?? 0,
      onBatch: (batch) => this.onBatch(batch),
      onAssign: (tps) => this.onAssign(tps),
      onRevoke: (tps) => this.onRevoke(tps),
    });
    this.state = 'RUNNING';
    this.updateReadyMetric();
    if (this.stage.tick && (this.options.ticks ?? true)) {
      const { intervalMs } = this.stage.tick;
      this.tickTimer = setInterval(() => {
        this.runTick().catch((err) => this.log.error({ err }, 'tick failed'));
      }, intervalMs);
      this.tickTimer.unref();
    }
    this.log.info({ groupId: this.groupId, inputs: this.stage.inputs.map((t) => t.name) }, 'stage started');
  }

  /** Finishes the batch in flight, commits it, and leaves the group. */
  async stop(): Promise<void> {
    if (this.state === 'STOPPED' || this.state === 'INITIALIZED') return;
    this.state = 'DRAINING';
    this.updateReadyMetric();
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.abort.abort();
    await this.subscription?.close();
    this.state = 'STOPPED';
    this.log.info('stage stopped');
  }

  private async onAssign(tps: TopicPartition[]): Promise<void> {
    if (!this.store) return;
    const partitions = [...new Set(tps.map((tp) => tp.partition))];
    this.restoring += 1;
    this.updateReadyMetric();
    try {
      await this.lock.run(async () => {
        const restored = await this.store!.restore(partitions);
        this.log.info({ partitions, keys: restored }, 'state restored');
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
    await this.lock.run(async () => {
      const timer = this.runtime.metrics.batchSeconds.startTimer(this.stageLabel);
      this.runtime.metrics.recordsIn.inc({ stage: this.stage.name, topic: batch.topic }, batch.records.length);
      const outputs: PendingOutput[] = [];
      if (this.stage.handleBatch) await this.processBatchAtOnce(batch, outputs);
      else await this.processRecords(batch, outputs);
      await this.produceAll(outputs);
      await this.store?.flush();
      const last = batch.records[batch.records.length - 1]!;
      await this.subscription!.commit([{ topic: batch.topic, partition: batch.partition, offset: last.offset + 1 }]);
      const lag = Math.max(0, batch.highWatermark - last.offset - 1);
      this.lags.set(`${batch.topic}:${batch.partition}`, lag);
      this.runtime.metrics.lag.set(
        { stage: this.stage.name, topic: batch.topic, partition: String(batch.partition) },
        lag,
      );
      this.updateReadyMetric();
      timer();
    });
  }

  private async processRecords(batch: RecordBatch, outputs: PendingOutput[]): Promise<void> {
    const spec = this.inputSpec(batch.topic);
    // Without a tracing SDK, spans would be no-ops: skip building their attributes for every record.
    const traced = tracingActive();
    for (const record of batch.records) {
      const input = await this.decode(spec, record, outputs);
      if (!input) continue;
      let entry: StateEntry<unknown> | undefined;
      if (this.store) {
        const key = joinFields(input.value as Record<string, unknown>, spec.partitionKey);
        entry = this.store.entry(batch.partition, key);
        if ((entry.offsets[record.topic] ?? -1) > record.offset) continue; // already applied before a restart
      }
      if (!traced) {
        await this.handleOne(record, input, entry, spec, outputs);
        continue;
      }
      const attributes = { ...recordAttributes(record, this.groupId), [CandleflowAttributes.STAGE]: this.stage.name };
      await this.tracer.startActiveSpan(
        `${this.stage.name} process`,
        { kind: SpanKind.CONSUMER, attributes },
        extractTraceContext(record.headers),
        async (span) => {
          try {
            await this.handleOne(record, input, entry, spec, outputs, span);
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    }
  }

  private async handleOne(
    record: BusRecord,
    input: InputRecord,
    entry: StateEntry<unknown> | undefined,
    spec: TopicSpec,
    outputs: PendingOutput[],
    span?: Span,
  ): Promise<void> {
    const timer = this.runtime.metrics.handleSeconds.startTimer(this.stageLabel);
    try {
      const produced = await this.handleWithRetry(input, entry, spec);
      if (produced instanceof CandleflowError) {
        span?.setAttribute(CandleflowAttributes.DEAD_LETTER_CODE, produced.code);
        this.deadLetter(record, produced, outputs);
      } else {
        span?.setAttribute(CandleflowAttributes.OUTPUTS, produced.length);
        for (const o of produced) outputs.push(o);
      }
      if (entry) {
        entry.offsets[record.topic] = record.offset + 1;
        entry.dirty = true;
      }
    } finally {
      timer();
    }
  }

  /** Runs the handler; returns its encoded outputs, or the error that sends the record to the DLQ. */
  private async handleWithRetry(
    input: InputRecord,
    entry: StateEntry<unknown> | undefined,
    spec: TopicSpec,
  ): Promise<PendingOutput[] | CandleflowError> {
    const key = entry ? joinFields(input.value as Record<string, unknown>, spec.partitionKey) : (input.key ?? '');
    for (let attempt = 0; ; attempt++) {
      try {
        const returned = this.stage.handle!(input, {
          state: entry?.state,
          setState: (next: unknown) => {
            if (!entry) throw new StageDefinitionError(`stage ${this.stage.name} has no state to set`);
            entry.state = next;
          },
          key,
          now: this.now,
          log: this.log,
        });
        // Most handlers are synchronous: awaiting only promises saves a microtask per record.
        const result = returned instanceof Promise ? await returned : returned;
        if (entry) entry.dirty = true;
        return await this.encodeOutputs(result);
      } catch (err) {
        const verdict = await this.afterFailure(err, attempt);
        if (verdict) return verdict;
      }
    }
  }

  /**
   * Decides what a failure means: a record error goes to the DLQ at once; a retriable error (broker, database)
   * is retried with backoff for as long as it takes; an unknown error is retried `retry.retries` times, then
   * dead-lettered. Returns the error to dead-letter, or undefined to try again.
   */
  private async afterFailure(err: unknown, attempt: number): Promise<CandleflowError | undefined> {
    if (isRecordError(err)) return err;
    const retriable = err instanceof CandleflowError && err.retriable;
    if (!retriable && attempt >= this.retry.retries) {
      return new HandlerError(`${this.stage.name} failed ${attempt + 1} times: ${errorMessage(err)}`, err);
    }
    if (this.abort.signal.aborted) throw new DrainInterrupt('shutdown during retries');
    const code = err instanceof CandleflowError ? err.code : 'CF_ERR_HANDLER';
    this.runtime.metrics.retries.inc({ stage: this.stage.name, code });
    const delay = backoffMs(this.retry, Math.min(attempt, 20));
    this.log.warn({ err, attempt, delay }, 'handler failed, retrying');
    await sleep(delay, this.abort.signal);
    if (this.abort.signal.aborted) throw new DrainInterrupt('shutdown during retries');
    return undefined;
  }

  /**
   * handleBatch stages (sinks, batched inference): the whole batch at once; a non-retriable failure is narrowed
   * to its records. Keyed states touched by a failed attempt are rolled back before the next one.
   */
  private async processBatchAtOnce(batch: RecordBatch, outputs: PendingOutput[]): Promise<void> {
    const spec = this.inputSpec(batch.topic);
    const inputs: BatchItem[] = [];
    for (const record of batch.records) {
      const input = await this.decode(spec, record, outputs);
      if (!input) continue;
      if (this.store) {
        const key = joinFields(input.value as Record<string, unknown>, spec.partitionKey);
        const entry = this.store.entry(batch.partition, key);
        if ((entry.offsets[record.topic] ?? -1) > record.offset) continue; // already applied before a restart
        inputs.push({ record, input, key, entry });
      } else {
        inputs.push({ record, input, key: input.key ?? '' });
      }
    }
    // One span for the batch, linked to the trace of every record in it.
    const links = inputs.flatMap(({ record }) => {
      const linked = trace.getSpanContext(extractTraceContext(record.headers));
      return linked ? [{ context: linked }] : [];
    });
    const span = this.tracer.startSpan(`${this.stage.name} process`, {
      kind: SpanKind.CONSUMER,
      links,
      attributes: { ...batchAttributes(batch, this.groupId), [CandleflowAttributes.STAGE]: this.stage.name },
    });
    try {
      await context.with(trace.setSpan(context.active(), span), () => this.runBatchHandler(inputs, outputs));
    } finally {
      span.end();
    }
  }

  private async runBatchHandler(items: BatchItem[], outputs: PendingOutput[]): Promise<void> {
    if (items.length === 0) return;
    const deadLettered: { record: BusRecord; error: CandleflowError }[] = [];
    const byInput = new Map(items.map((i) => [i.input, i]));
    const itemOf = (input: InputRecord): BatchItem => {
      const item = byInput.get(input);
      if (!item)
        throw new StageDefinitionError(`stage ${this.stage.name} asked for the state of a record outside its batch`);
      return item;
    };
    const entryOf = (input: InputRecord): StateEntry<unknown> => {
      const { entry } = itemOf(input);
      if (!entry) throw new StageDefinitionError(`stage ${this.stage.name} has no keyed state`);
      return entry;
    };
    // States as they were before this attempt: a failed attempt must not leave half-applied state behind.
    const entries = [...new Set(items.flatMap((i) => (i.entry ? [i.entry] : [])))];
    const before = entries.map((e) => structuredClone(e.state));
    const ctx: BatchContext<unknown> = {
      now: this.now,
      log: this.log,
      setReady: (ready) => {
        this.handlerReady = ready;
        this.updateReadyMetric();
      },
      deadLetter: (input, error) => {
        const item = byInput.get(input);
        if (item) deadLettered.push({ record: item.record, error });
      },
      state: (input) => entryOf(input).state,
      setState: (input, next) => {
        entryOf(input).state = next;
      },
      keyOf: (input) => itemOf(input).key,
    };
    for (let attempt = 0; ; attempt++) {
      deadLettered.length = 0;
      try {
        const result = await this.stage.handleBatch!(
          items.map((i) => i.input),
          ctx,
        );
        for (const o of await this.encodeOutputs(result)) outputs.push(o);
        for (const d of deadLettered) this.deadLetter(d.record, d.error, outputs);
        for (const { record, entry } of items) {
          if (!entry) continue;
          entry.offsets[record.topic] = Math.max(entry.offsets[record.topic] ?? 0, record.offset + 1);
          entry.dirty = true;
        }
        return;
      } catch (err) {
        entries.forEach((e, i) => (e.state = structuredClone(before[i])));
        const verdict = await this.afterFailure(err, attempt);
        if (!verdict) continue;
        if (items.length === 1) {
          this.deadLetter(items[0]!.record, verdict, outputs);
          return;
        }
        // Find the records at fault: each one alone.
        for (const item of items) await this.runBatchHandler([item], outputs);
        return;
      }
    }
  }

  private async decode(spec: TopicSpec, record: BusRecord, outputs: PendingOutput[]): Promise<InputRecord | undefined> {
    try {
      const value = await this.runtime.codec.decode(record.topic, record.value);
      const problem = validateValues(spec.schema, value as Record<string, unknown>);
      if (problem) throw new ValidationError(`${spec.schema} on ${record.topic}: ${problem}`);
      return {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        key: record.key,
        headers: record.headers,
        value,
      };
    } catch (err) {
      if (!(err instanceof CandleflowError)) throw err;
      this.deadLetter(record, err, outputs);
      return undefined;
    }
  }

  private async encodeOutputs(result: StageOutputs): Promise<PendingOutput[]> {
    const pending: PendingOutput[] = [];
    for (const output of result ?? []) pending.push(await this.encodeOutput(output));
    return pending;
  }

  async encodeOutput(output: Output): Promise<PendingOutput> {
    return encodeOutput(this.runtime.codec, output, this.stage.name);
  }

  private deadLetter(record: BusRecord, error: CandleflowError, outputs: PendingOutput[]): void {
    const labels = { stage: this.stage.name, topic: record.topic, code: error.code };
    this.runtime.metrics.recordsFailed.inc(labels);
    this.runtime.metrics.deadLetters.inc(labels);
    this.log.warn(
      {
        code: error.code,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        reason: error.message,
      },
      'record dead-lettered',
    );
    outputs.push({
      topic: deadLetterTopic(record.topic),
      message: {
        key: record.key,
        value: record.value,
        headers: {
          ...record.headers,
          [DeadLetterHeaders.CODE]: error.code,
          [DeadLetterHeaders.REASON]: reasonOf[error.code] ?? error.code,
          [DeadLetterHeaders.MESSAGE]: error.message,
          [DeadLetterHeaders.STAGE]: this.stage.name,
          [DeadLetterHeaders.TOPIC]: record.topic,
          [DeadLetterHeaders.PARTITION]: String(record.partition),
          [DeadLetterHeaders.OFFSET]: String(record.offset),
          [DeadLetterHeaders.TIME]: new Date(this.now()).toISOString(),
        },
      },
    });
  }

  private async produceAll(outputs: PendingOutput[]): Promise<void> {
    if (outputs.length === 0) return;
    const byTopic = new Map<string, BusMessage[]>();
    for (const o of outputs) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push(o.message);
    }
    await Promise.all(
      [...byTopic].map(async ([topic, messages]) => {
        await this.runtime.bus.produce(topic, messages);
        if (!topic.endsWith('.dlq'))
          this.runtime.metrics.recordsOut.inc({ stage: this.stage.name, topic }, messages.length);
      }),
    );
  }

  /** Wall-clock tick: lets a stage close idle windows. Runs between batches, never during one. */
  async runTick(): Promise<void> {
    const tick = this.stage.tick;
    if (!tick || this.state !== 'RUNNING') return;
    await this.lock.run(async () => {
      const outputs = await this.withKeys((ctx) => tick.run(ctx));
      await this.produceAll(outputs);
      await this.store?.flush();
    });
  }

  /** End of a bounded input (replays, tests): the stage closes whatever it holds open. */
  async flush(): Promise<void> {
    const flush = this.stage.flush;
    if (!flush) return;
    await this.lock.run(async () => {
      const outputs = await this.withKeys((ctx) => flush(ctx));
      await this.produceAll(outputs);
      await this.store?.flush();
    });
  }

  private async withKeys(
    fn: (ctx: Parameters<NonNullable<AnyStage['flush']>>[0]) => StageOutputs | Promise<StageOutputs>,
  ): Promise<PendingOutput[]> {
    const where = new Map<string, number>();
    for (const [partition, key] of this.store?.keys() ?? []) where.set(key, partition);
    const entry = (key: string) => {
      const partition = where.get(key);
      if (partition === undefined) throw new StageDefinitionError(`no state for key ${key}`);
      return this.store!.entry(partition, key);
    };
    const result = await fn({
      keys: () => where.keys(),
      state: (key) => entry(key).state,
      setState: (key, next) => {
        const e = entry(key);
        e.state = next;
        e.dirty = true;
      },
      now: this.now,
      log: this.log,
    });
    // A tick may change state in place; persist every key it could have touched.
    for (const key of where.keys()) entry(key).dirty = true;
    return this.encodeOutputs(result);
  }

  private inputSpec(topic: string): TopicSpec {
    const spec = this.stage.inputs.find((t) => t.name === topic) ?? topicByName(topic);
    if (!spec) throw new StageDefinitionError(`stage ${this.stage.name} got a record of unknown topic ${topic}`);
    return spec;
  }

  private updateReadyMetric(): void {
    this.runtime.metrics.ready.set({ stage: this.stage.name }, this.ready() ? 1 : 0);
  }
}

// Series keys (symbol|timeframe) repeat on every record of a series: remember their partitions, within a bound.
const partitions = new Map<string, number>();
function partitionOf(key: string, count: number): number {
  const cacheKey = `${count}|${key}`;
  let partition = partitions.get(cacheKey);
  if (partition === undefined) {
    if (partitions.size >= 10_000) partitions.clear();
    partition = partitionForKey(key, count);
    partitions.set(cacheKey, partition);
  }
  return partition;
}

/** Encodes an output with its catalogue key and partition, carrying the active trace context in its headers. */
export async function encodeOutput(codec: Codec, output: Output, stageName: string): Promise<PendingOutput> {
  const { topic, value } = output;
  const record = value as unknown as Record<string, unknown>;
  const problem = validateValues(topic.schema, record);
  if (problem)
    throw new ValidationError(`${stageName} produced an invalid ${topic.schema} for ${topic.name}: ${problem}`);
  const headers: Headers = injectTraceContext({ ...output.headers });
  return {
    topic: topic.name,
    message: {
      key: joinFields(record, topic.key),
      partition: partitionOf(joinFields(record, topic.partitionKey), topic.partitions),
      value: await codec.encode(topic.name, topic.schema, value),
      headers,
    },
  };
}

/** Runs a source stage: its records go out through the same encoding, keys and partitions as a stage's. */
export class SourceRunner {
  state: StageState = 'INITIALIZED';
  private readonly abort = new AbortController();
  private running: Promise<void> = Promise.resolve();
  private sourceReady = false;
  private readonly log: Logger;

  constructor(
    readonly source: SourceDefinition,
    private readonly runtime: StageRuntime,
  ) {
    this.log = runtime.log.child({ stage: source.name });
  }

  ready(): boolean {
    return this.state === 'RUNNING' && this.sourceReady;
  }

  /** Resolves when the source has finished (bounded input) or was stopped. */
  get done(): Promise<void> {
    return this.running;
  }

  async start(): Promise<void> {
    this.state = 'RUNNING';
    const { bus, metrics } = this.runtime;
    this.running = this.source
      .run({
        signal: this.abort.signal,
        now: this.runtime.now ?? Date.now,
        log: this.log,
        setReady: (ready) => {
          this.sourceReady = ready;
          metrics.ready.set({ stage: this.source.name }, ready ? 1 : 0);
        },
        emit: async (outputs) => {
          const byTopic = new Map<string, BusMessage[]>();
          for (const output of outputs) {
            const pending = await encodeOutput(this.runtime.codec, output, this.source.name);
            let list = byTopic.get(pending.topic);
            if (!list) byTopic.set(pending.topic, (list = []));
            list.push(pending.message);
          }
          for (const [topic, messages] of byTopic) {
            await bus.produce(topic, messages);
            metrics.recordsOut.inc({ stage: this.source.name, topic }, messages.length);
          }
        },
      })
      .then(
        () => this.log.info('source finished'),
        (err: unknown) => {
          if (this.abort.signal.aborted) return;
          this.log.error({ err }, 'source failed');
          throw err;
        },
      );
    this.log.info({ outputs: this.source.outputs.map((t) => t.name) }, 'source started');
  }

  async stop(): Promise<void> {
    if (this.state !== 'RUNNING') return;
    this.state = 'DRAINING';
    this.abort.abort();
    await this.running.catch(() => undefined);
    this.state = 'STOPPED';
  }
}
