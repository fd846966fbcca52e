import type { ModelMetrics } from '../pipeline/models/model-card.ts';
import { normalisedRow, writeWindow } from '../pipeline/models/feature-input.ts';
import { loadOnnxModel } from '../pipeline/models/onnx-model.ts';
import { examples, featureVectors, loadCandles, type SpanName } from './dataset/dataset.ts';

// Recomputes a model's held-out numbers in Node, from the committed candles and model.onnx alone: features by
// the indicators stage's code, normalisation from the card, inference by onnxruntime-node, metrics with the
// error monitor's definitions. The card test compares them with the numbers the Python training wrote.

export interface Evaluation {
  count: number;
  model: ModelMetrics;
  baseline: ModelMetrics;
}

/** Metrics of predictions against actual log returns; direction by sign equality, a zero being its own sign. */
export function metricsOf(predicted: ArrayLike<number>, actual: ArrayLike<number>): ModelMetrics {
  let abs = 0;
  let sq = 0;
  let right = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = predicted[i]! - actual[i]!;
    abs += Math.abs(e);
    sq += e * e;
    if (Math.sign(predicted[i]!) === Math.sign(actual[i]!)) right++;
  }
  const n = actual.length;
  return { mae: abs / n, rmse: Math.sqrt(sq / n), directionalAccuracy: right / n };
}

export async function evaluateModel(dir: string, span: SpanName = 'test'): Promise<Evaluation> {
  const model = await loadOnnxModel(dir);
  try {
    const { card } = model;
    const candles = loadCandles();
    const features = featureVectors(candles);
    const W = card.inputs.windowLength;
    const F = card.inputs.features.length;
    const set = examples(candles, features, card.inputs.features, W, card.horizon, span);
    const rows = features.map((f) => normalisedRow(f, card));
    const input = new Float32Array(set.length * W * F);
    set.forEach((ex, slot) => writeWindow(input, slot, rows.slice(ex.index - W + 1, ex.index + 1) as number[][], F));
    const predicted = await model.runBatch(input, set.length);
    const actual = set.map((e) => e.target);
    return { count: set.length, model: metricsOf(predicted, actual), baseline: metricsOf(new Float64Array(set.length), actual) };
  } finally {
    await model.release();
  }
}
