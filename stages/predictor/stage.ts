import {
  defineStage,
  emit,
  modelInputFields,
  timeframeMs,
  topics,
  type FeatureVector,
  type ForecastCard,
  type ModelRegistry,
  type ModelTask,
  type OnnxModel as AnyOnnxModel,
  type Output,
  type StageDefinition,
  type StageLogger,
  type Timeframe,
} from '../../pipeline/index.ts';
import { defaultPredictorConfig, type PredictorConfig } from './predictor-config.ts';
import { ServingModel } from './serving-model.ts';

type OnnxModel = AnyOnnxModel<ForecastCard>;

/** Per symbol|timeframe: the recent feature rows, raw, so that any model (any window, any features) can use them. */
export interface PredictorState {
  /** Start of the last feature vector applied; null before the first. */
  lastStart: number | null;
  /** Values of `modelInputFields` per feature vector, oldest first (null during warm-up). */
  rows: (number | null)[][];
}

export interface PredictorStage {
  stage: StageDefinition<FeatureVector, PredictorState>;
  serving: ServingModel;
  /** Releases the model session (call at shutdown). */
  close(): Promise<void>;
}

export interface PredictorOptions {
  registry: ModelRegistry;
  /** The task whose active models it serves. @defaultValue 'return-forecast' */
  task?: ModelTask;
  config?: Partial<PredictorConfig>;
  log: StageLogger;
  now?: () => number;
}

const TRIM_STEP = 16;

/** Positions of a model's features in a stored row, cached per loaded model. */
const featureIndexes = new WeakMap<OnnxModel, number[]>();
function indexesOf(model: OnnxModel): number[] {
  let idx = featureIndexes.get(model);
  if (!idx) featureIndexes.set(model, (idx = model.card.inputs.features.map((f) => modelInputFields.indexOf(f))));
  return idx;
}

/**
 * The normalised window of one series for one model, kept in memory beside the state (never persisted): each
 * row is normalised once and the window slides by one row per vector. It is only trusted while the row it ends
 * at is the very object the state's history holds before the new one; after a restore, a rolled-back attempt,
 * a correction or a model swap it is rebuilt from the state's raw rows.
 */
interface WindowCache {
  model: OnnxModel;
  newest: (number | null)[];
  window: Float32Array;
  /** Rows since the last one with a value the model reads null (warm-up); the window is complete when >= W. */
  sinceNull: number;
}

/** Normalises `row` into `into` at `at`; false when a value the model reads is null. */
function normaliseInto(model: OnnxModel, row: (number | null)[], into: Float32Array, at: number): boolean {
  const { mean, std } = model.card.inputs;
  const idx = indexesOf(model);
  for (let f = 0; f < idx.length; f++) {
    const v = row[idx[f]!];
    if (v === null || v === undefined) return false;
    into[at + f] = (v - mean[f]!) / std[f]!;
  }
  return true;
}

function rebuild(model: OnnxModel, rows: (number | null)[][]): WindowCache {
  const W = model.card.inputs.windowLength;
  const F = model.card.inputs.features.length;
  const window = new Float32Array(W * F);
  let sinceNull = 0;
  const from = Math.max(0, rows.length - W);
  // Rows missing before the start of the history count as null.
  for (let r = from; r < rows.length; r++) {
    const slot = W - (rows.length - r);
    sinceNull = normaliseInto(model, rows[r]!, window, slot * F) ? sinceNull + 1 : 0;
  }
  return { model, newest: rows[rows.length - 1]!, window, sinceNull };
}

/** Brings the series' window up to its newest row; the window is complete when the result is true. */
function advance(
  caches: Map<string, WindowCache>,
  key: string,
  model: OnnxModel,
  rows: (number | null)[][],
): WindowCache {
  const cache = caches.get(key);
  const newest = rows[rows.length - 1]!;
  if (cache && cache.model === model && rows.length >= 2 && cache.newest === rows[rows.length - 2]) {
    const F = model.card.inputs.features.length;
    cache.window.copyWithin(0, F);
    cache.sinceNull = normaliseInto(model, newest, cache.window, cache.window.length - F) ? cache.sinceNull + 1 : 0;
    cache.newest = newest;
    return cache;
  }
  if (cache && cache.model === model && cache.newest === newest) return cache;
  const fresh = rebuild(model, rows);
  caches.set(key, fresh);
  return fresh;
}

/**
 * features -> predictions: the registry's active model over each feature vector of its timeframe (every symbol),
 * a partition batch per model call (in chunks of batchMax), with each symbol|timeframe's recent rows kept as
 * keyed state for sequence models. Activating another model takes effect at the next batch after at most
 * `reloadIntervalMs`; every feature vector gets exactly one prediction, from the old model or the new one.
 */
export function createPredictorStage(options: PredictorOptions): PredictorStage {
  const config: PredictorConfig = { ...defaultPredictorConfig, ...options.config };
  const serving = new ServingModel(options.registry, {
    task: options.task ?? 'return-forecast',
    provider: config.provider,
    reloadIntervalMs: config.reloadIntervalMs,
    log: options.log,
    now: options.now ?? Date.now,
  });

  const windows = new Map<string, WindowCache>();
  const stage = defineStage<FeatureVector, PredictorState>({
    name: 'predictor',
    description:
      'Batched ONNX inference of the active model over feature vectors, hot-reloaded from the model registry.',
    inputs: [topics.features],
    outputs: [topics.predictions],
    batch: { maxRecords: config.batchMax, maxWaitMs: config.batchWaitMs },
    state: { initial: () => ({ lastStart: null, rows: [] }) },
    async handleBatch(records, ctx) {
      await serving.refresh();
      const models = serving.models();
      const keep = Math.max(config.historyLength, ...models.map((m) => m.card.inputs.windowLength));
      const outputs: Output[] = [];
      // One input tensor per model in service: series of one batch may be served by different models.
      const pending = new Map<OnnxModel, { input: Float32Array; slots: FeatureVector[] }>();
      const run = async (model: OnnxModel) => {
        const p = pending.get(model);
        if (!p || p.slots.length === 0) return;
        const predicted = await model.runBatch(p.input, p.slots.length);
        p.slots.forEach((fv, i) => outputs.push(emit(topics.predictions, predictionOf(model, fv, predicted[i]!))));
        p.slots = [];
      };
      for (const record of records) {
        const fv = record.value;
        const st = ctx.state(record);
        // A correction of the last candle replaces its row (and is predicted again, same key); an older one was
        // already predicted past.
        if (st.lastStart !== null && fv.start < st.lastStart) continue;
        const values = fv as unknown as Record<string, number | null>;
        const row = new Array<number | null>(modelInputFields.length);
        for (let f = 0; f < modelInputFields.length; f++) row[f] = values[modelInputFields[f]!] ?? null;
        if (st.lastStart === fv.start && st.rows.length > 0) st.rows[st.rows.length - 1] = row;
        else st.rows.push(row);
        // Trimmed in steps rather than per record: shifting the history on every vector costs more than it saves.
        if (st.rows.length >= keep + TRIM_STEP) st.rows.splice(0, st.rows.length - keep);
        st.lastStart = fv.start;
        const model = serving.modelFor(fv.symbol, fv.timeframe);
        if (!model || fv.timeframe !== model.card.timeframe) continue;
        const cache = advance(windows, ctx.keyOf(record), model, st.rows);
        if (cache.sinceNull < model.card.inputs.windowLength) continue;
        let p = pending.get(model);
        if (!p) {
          p = { input: new Float32Array(Math.min(records.length, config.batchMax) * model.exampleSize), slots: [] };
          pending.set(model, p);
        }
        p.input.set(cache.window, p.slots.length * model.exampleSize);
        p.slots.push(fv);
        if (p.slots.length === config.batchMax) await run(model);
      }
      for (const model of pending.keys()) await run(model);
      return outputs;
    },
  });
  return { stage, serving, close: () => serving.close() };
}

function predictionOf(model: OnnxModel, fv: FeatureVector, predictedReturn: number) {
  const { card } = model;
  return {
    symbol: fv.symbol,
    timeframe: fv.timeframe,
    featureTime: fv.start,
    horizon: card.horizon,
    targetTime: fv.start + card.horizon * timeframeMs[fv.timeframe as Timeframe],
    basePrice: fv.close,
    predictedReturn,
    predictedPrice: fv.close * Math.exp(predictedReturn),
    modelName: card.name,
    modelVersion: card.version,
    modelSha256: model.sha256,
  };
}
