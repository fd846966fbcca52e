import {
  defineStage, emit, modelInputFields, timeframeMs, topics, type FeatureVector, type ModelRegistry, type OnnxModel,
  type Output, type StageDefinition, type StageLogger, type Timeframe,
} from '../../pipeline/index.ts';
import { defaultPredictorConfig, type PredictorConfig } from './predictor-config.ts';
import { ServingModel } from './serving-model.ts';

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
  config?: Partial<PredictorConfig>;
  log: StageLogger;
  now?: () => number;
}

/** Positions of a model's features in a stored row, cached per loaded model. */
const featureIndexes = new WeakMap<OnnxModel, number[]>();
function indexesOf(model: OnnxModel): number[] {
  let idx = featureIndexes.get(model);
  if (!idx) featureIndexes.set(model, (idx = model.card.inputs.features.map((f) => modelInputFields.indexOf(f))));
  return idx;
}

/**
 * Writes the model's normalised window ending at the newest row into `input` at `slot`; false when the history
 * is shorter than the window or a value the model reads is null (warm-up): no prediction, no error.
 */
function writeExample(model: OnnxModel, rows: (number | null)[][], input: Float32Array, slot: number): boolean {
  const { windowLength, mean, std } = model.card.inputs;
  if (rows.length < windowLength) return false;
  const idx = indexesOf(model);
  let at = slot * model.exampleSize;
  for (let r = rows.length - windowLength; r < rows.length; r++) {
    const row = rows[r]!;
    for (let f = 0; f < idx.length; f++) {
      const v = row[idx[f]!];
      if (v === null || v === undefined) return false;
      input[at++] = (v - mean[f]!) / std[f]!;
    }
  }
  return true;
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
    provider: config.provider, reloadIntervalMs: config.reloadIntervalMs, log: options.log, now: options.now ?? Date.now,
  });

  const stage = defineStage<FeatureVector, PredictorState>({
    name: 'predictor',
    description: 'Batched ONNX inference of the active model over feature vectors, hot-reloaded from the model registry.',
    inputs: [topics.features],
    outputs: [topics.predictions],
    batch: { maxRecords: config.batchMax, maxWaitMs: config.batchWaitMs },
    state: { initial: () => ({ lastStart: null, rows: [] }) },
    async handleBatch(records, ctx) {
      const model = await serving.current();
      const keep = Math.max(config.historyLength, model?.card.inputs.windowLength ?? 0);
      const input = model ? new Float32Array(Math.min(records.length, config.batchMax) * model.exampleSize) : undefined;
      const outputs: Output[] = [];
      let slots: FeatureVector[] = [];
      const run = async () => {
        if (!model || slots.length === 0) return;
        const predicted = await model.runBatch(input!, slots.length);
        slots.forEach((fv, i) => outputs.push(emit(topics.predictions, predictionOf(model, fv, predicted[i]!))));
        slots = [];
      };
      for (const record of records) {
        const fv = record.value;
        const st = ctx.state(record);
        // A correction of the last candle replaces its row (and is predicted again, same key); an older one was
        // already predicted past.
        if (st.lastStart !== null && fv.start < st.lastStart) continue;
        const row = modelInputFields.map((f) => (fv as unknown as Record<string, number | null>)[f] ?? null);
        if (st.lastStart === fv.start && st.rows.length > 0) st.rows[st.rows.length - 1] = row;
        else st.rows.push(row);
        if (st.rows.length > keep) st.rows.splice(0, st.rows.length - keep);
        st.lastStart = fv.start;
        if (!model || fv.timeframe !== model.card.timeframe) continue;
        if (!writeExample(model, st.rows, input!, slots.length)) continue;
        slots.push(fv);
        if (slots.length === config.batchMax) await run();
      }
      await run();
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
