import type { RecordName } from '../../schemas/records.ts';
import type { StageName, TopicSpec } from '../../schemas/topics.ts';
import type { Records } from '../../schemas/types.ts';
import type { Headers } from '../bus/bus.ts';
import { StageDefinitionError, type CandleflowError } from '../errors.ts';

// A stage is a plain object: which topics it reads and writes, and pure functions from typed input records to
// typed output records. The runner (stage-runner.ts and its paths) owns everything else: decoding, validation, offsets,
// retries, keyed state, dead letters, metrics and tracing.

export type RecordOf<T extends TopicSpec> = T extends TopicSpec<infer R> ? Records[R] : never;

/** One decoded input record with where it came from. */
export interface InputRecord<T = unknown> {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  headers: Headers;
  value: T;
}

/** An output record: the runtime derives its key and partition from the topic catalogue. */
export interface Output<R extends RecordName = RecordName> {
  topic: TopicSpec<R>;
  value: Records[R];
  headers?: Headers;
}

/** Builds a typed output for a catalogue topic. */
export function emit<R extends RecordName>(topic: TopicSpec<R>, value: Records[R], headers?: Headers): Output<R> {
  return headers ? { topic, value, headers } : { topic, value };
}

export interface StageLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface HandleContext<S> {
  /**
   * State of this record's partition key (see KeyedState). Mutate it in place or replace it with setState;
   * the runner persists it with the batch. Validate a record before changing state: a record that throws
   * after a partial change leaves that change in place.
   */
  state: S;
  setState(next: S): void;
  /** The partition key of the record (the catalogue's partitionKey fields joined with '|'). */
  key: string;
  /** Wall-clock now in epoch ms (injectable in tests). */
  now(): number;
  log: StageLogger;
}

export interface BatchContext<S = undefined> {
  now(): number;
  log: StageLogger;
  /** Marks the stage ready or not ready (e.g. its database is down); /health/ready follows it. */
  setReady(ready: boolean): void;
  /**
   * Sends one record of the batch to its topic's dead-letter topic (original bytes, `error` in headers) and
   * counts it; the rest of the batch goes on. For records the stage refuses (schema violations), never for
   * outages: those throw a retriable error so the whole batch is retried.
   */
  deadLetter(record: InputRecord, error: CandleflowError): void;
  /**
   * Keyed stages: the state of a record's partition key (mutate in place or replace with setState). Records of
   * one key come in offset order within the batch. If the handler throws, every state it touched is rolled back
   * to its value before the call, so a retried batch starts from the same state.
   */
  state(record: InputRecord): S;
  setState(record: InputRecord, next: S): void;
  /** The partition key of a record (the catalogue's partitionKey fields joined with '|'). */
  keyOf(record: InputRecord): string;
}

/**
 * What a wall-clock tick or a flush sees: the state of every key held. Unlike a record's handler, a tick is not
 * tied to one key, so the runner cannot know which states it changed: **a tick reports each state it changes by
 * calling `setState(key, next)`**, with a new value or with the same object after changing it in place. Only
 * those keys are written to the changelog. A change made without `setState` stays in memory but is not
 * persisted, and a restarted worker would not see it; a key only read (nothing closed, nothing changed) must
 * not be reported, so an idle tick writes nothing.
 */
export interface TickContext<S> {
  /** Every key this worker holds state for, on the partitions it owns. */
  keys(): Iterable<string>;
  /** The state of a key; a change to it is persisted only once reported with setState. */
  state(key: string): S;
  /** Replaces a key's state, or reports an in-place change (pass the same object): the key is written. */
  setState(key: string, next: S): void;
  now(): number;
  log: StageLogger;
}

export interface KeyedState<S> {
  /** State of a key seen for the first time. */
  initial(key: string): S;
  /**
   * Records of this state's partition were deleted before they were read and the worker goes on
   * (ON_INPUT_LOST=continue): the state as it must be across that hole (a candle builder stops filling gaps).
   */
  inputLost?(state: S): S;
}

export type StageOutputs = readonly Output[] | Output[] | void;

export interface StageDefinition<In = any, S = undefined> {
  name: StageName;
  description: string;
  inputs: readonly TopicSpec[];
  outputs: readonly TopicSpec[];
  /**
   * Batch sizing of this stage, overriding the worker's default: at most `maxRecords` records per batch, and a
   * partition's batch may wait up to `maxWaitMs` to fill (batched inference). Default: the worker's
   * BATCH_MAX_RECORDS and no wait.
   */
  batch?: { maxRecords: number; maxWaitMs: number };
  /** Per-key state, restored after a restart from the stage's changelog topic. */
  state?: KeyedState<S>;
  /** Handles one record. Give either handle or handleBatch. */
  handle?(record: InputRecord<In>, ctx: HandleContext<S>): StageOutputs | Promise<StageOutputs>;
  /**
   * Rewrites a decoded record before it is validated and keyed (a symbol spelt the exchange's way becomes BASE/QUOTE),
   * so state, keys and outputs all see one spelling. Pure; it must not throw for a record validation would refuse.
   */
  prepare?(value: In): In;
  /**
   * Handles all records of one partition batch at once (sinks writing one transaction, model inference on a
   * whole batch). The batch's offsets are committed only after it resolves; throw a retriable error (e.g.
   * DatabaseError) to have it retried with backoff while consumption of that partition waits. A keyed stage
   * reads and writes per-key state through ctx.state / ctx.setState; records already covered by a restored
   * state are not passed again.
   */
  handleBatch?(records: readonly InputRecord<In>[], ctx: BatchContext<S>): Promise<StageOutputs>;
  /**
   * Called every `intervalMs` of wall-clock time (live mode): closes idle windows and the like. Its outputs
   * go out like the handler's; the states it changed must be reported with ctx.setState (see TickContext).
   */
  tick?: { intervalMs: number; run(ctx: TickContext<S>): StageOutputs | Promise<StageOutputs> };
  /**
   * Called when the stream is drained at the end of a bounded input (CLI replays, tests): flush open state.
   * Reports the states it changed with ctx.setState, like a tick.
   */
  flush?(ctx: TickContext<S>): StageOutputs;
}

export type AnyStage = StageDefinition<any, any>;

/** Checks a stage's wiring once, at definition, so a mistake fails at start with one clear line. */
export function defineStage<In, S = undefined>(stage: StageDefinition<In, S>): StageDefinition<In, S> {
  if (!/^[a-z][a-z0-9-]*$/.test(stage.name)) {
    throw new StageDefinitionError(`stage name "${stage.name}" must be kebab-case`);
  }
  if (stage.inputs.length === 0 && !stage.tick) {
    throw new StageDefinitionError(`stage ${stage.name} has no inputs and no tick: it would never run`);
  }
  if (!stage.handle === !stage.handleBatch) {
    throw new StageDefinitionError(`stage ${stage.name} must define exactly one of handle and handleBatch`);
  }
  const partitionKeys = new Set(stage.inputs.map((t) => t.partitionKey.join('|')));
  const partitionCounts = new Set(stage.inputs.map((t) => t.partitions));
  if (stage.state && (partitionKeys.size > 1 || partitionCounts.size > 1)) {
    throw new StageDefinitionError(
      `stage ${stage.name} keeps keyed state over inputs that are not co-partitioned (${stage.inputs.map((t) => t.name).join(', ')})`,
    );
  }
  return Object.freeze(stage);
}

export interface SourceContext {
  /** Sends records; resolves once the bus acknowledged them (so a slow pipeline slows the source). */
  emit(outputs: readonly Output[]): Promise<void>;
  /** Aborted on shutdown: stop reading and return. */
  signal: AbortSignal;
  now(): number;
  log: StageLogger;
  /** Marks the source ready (connected) or not; /health/ready follows it. */
  setReady(ready: boolean): void;
}

/** A stage that reads the outside world (exchanges, files, feeds) instead of a topic. */
export interface SourceDefinition {
  name: StageName;
  description: string;
  outputs: readonly TopicSpec[];
  /** Runs until the input ends or ctx.signal aborts. */
  run(ctx: SourceContext): Promise<void>;
}

export function defineSource(source: SourceDefinition): SourceDefinition {
  if (!/^[a-z][a-z0-9-]*$/.test(source.name)) {
    throw new StageDefinitionError(`source name "${source.name}" must be kebab-case`);
  }
  return Object.freeze(source);
}
