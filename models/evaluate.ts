import { normalisedRow, writeWindow } from '../pipeline/models/feature-input.ts';
import { forecastMetrics, type ForecastMetrics } from '../market/forecast-metrics.ts';
import { loadForecastModel } from '../pipeline/models/onnx-model.ts';
import { examples, featureVectors, loadCandles, type SpanName } from './dataset/dataset.ts';

// Recomputes a model's held-out numbers in Node, from the committed candles and model.onnx alone: features by
// the indicators stage's code, normalisation from the card, inference by onnxruntime-node, metrics by
// forecastMetrics, the error monitor's definition. The card test compares them with the numbers the Python training wrote.

export interface Evaluation {
  count: number;
  model: ForecastMetrics;
  baseline: ForecastMetrics;
}

export async function evaluateModel(dir: string, span: SpanName = 'test'): Promise<Evaluation> {
  const model = await loadForecastModel(dir);
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
    return {
      count: set.length,
      model: forecastMetrics(predicted, actual),
      baseline: forecastMetrics(new Float64Array(set.length), actual),
    };
  } finally {
    await model.release();
  }
}
