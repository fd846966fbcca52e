import { join } from 'node:path';
import { ValidationError } from '../../pipeline/errors.ts';
import type { Candle, FeatureVector } from '../../pipeline/index.ts';
import { normalisedRow, writeWindow } from '../../pipeline/models/feature-input.ts';
import type { ForecastCard } from '../../pipeline/models/card-types.ts';
import { rawSession, sha256Of } from '../../pipeline/models/onnx-model.ts';
import {
  CANDLES_FILE,
  examples,
  featureVectors,
  loadCandles,
  spans,
  type Example,
  type SpanName,
  type Spans,
} from '../dataset/dataset.ts';
import { KRAKEN_HOURLY_FILE, krakenHourlySpans, loadKrakenHourly } from '../dataset/kraken-hourly.ts';
import { dieboldMariano, type DieboldMarianoResult } from './diebold-mariano.ts';
import {
  ewmaForecast,
  ewmaVariances,
  logReturnsOf,
  lossSeries,
  meanLosses,
  persistenceForecast,
  realisedVolatilityAfter,
  type VolatilityLosses,
} from './realised-volatility.ts';
import { baselineNames, readVolatilityCard, type BaselineName, type VolatilityCard } from './volatility-card.ts';

// Recomputes a volatility model's held-out numbers in Node from the committed candles and model.onnx alone:
// FeatureVectors by the indicators stage's code, windows normalised and laid out by the predictor's own
// feature-input code, inference by onnxruntime-node, then targets, baselines, losses and Diebold-Mariano tests.

export interface VolatilityDataset {
  /** The time split, [from, to) by feature time in epoch ms. */
  spans: Spans;
  candles: Candle[];
  features: FeatureVector[];
  examples(fields: readonly string[], windowLength: number, horizon: number, span: SpanName): Example[];
}

function dataset(candles: Candle[], split: Spans): VolatilityDataset {
  const features = featureVectors(candles);
  return {
    spans: split,
    candles,
    features,
    examples: (fields, w, h, span) => examples(candles, features, fields, w, h, span, split),
  };
}

/** The datasets a card's `data.source` may name. */
const datasets: Record<string, () => VolatilityDataset> = {
  'models/dataset/binanceus_BTCUSDT_1m_20230301_20230321.csv.gz': () => dataset(loadCandles(CANDLES_FILE), spans),
  'models/dataset/kraken_XBTUSD_60m_20160101_20200930.csv.gz': () =>
    dataset(loadKrakenHourly(KRAKEN_HOURLY_FILE), krakenHourlySpans),
};

export function datasetOf(card: VolatilityCard): VolatilityDataset {
  const make = datasets[card.data.source];
  if (!make) throw new ValidationError(`volatility card ${card.name}: unknown data.source "${card.data.source}"`);
  return make();
}

export interface VolatilityEvaluation {
  card: VolatilityCard;
  spans: VolatilityDataset['spans'];
  /** Every FeatureVector of the dataset's series, in time order. */
  features: FeatureVector[];
  sha256: string;
  count: number;
  /** Examples of the span left out because their target RV is 0. */
  zeroTargetsLeftOut: number;
  firstFeatureTime: string;
  lastFeatureTime: string;
  /** Feature-row index of each example, its realised RV and the three forecasts. */
  index: number[];
  realised: Float64Array;
  forecasts: { model: Float64Array } & Record<BaselineName, Float64Array>;
  model: VolatilityLosses;
  baselines: Record<BaselineName, VolatilityLosses>;
  dieboldMariano: Record<BaselineName, { squaredError: DieboldMarianoResult; qlike: DieboldMarianoResult }>;
}

/** The model's RV forecasts for the windows ending at `index` (feature rows), exactly as the predictor feeds it. */
export async function forecastsOf(
  dir: string,
  card: VolatilityCard,
  features: readonly FeatureVector[],
  index: readonly number[],
): Promise<Float64Array> {
  const W = card.inputs.windowLength;
  const F = card.inputs.features.length;
  // normalisedRow reads only the card's inputs section, which volatility cards share with return cards.
  const asModelCard = card as unknown as ForecastCard;
  const input = new Float32Array(index.length * W * F);
  index.forEach((i, slot) => {
    const window = features.slice(i - W + 1, i + 1).map((f) => normalisedRow(f, asModelCard));
    if (window.length !== W || window.some((r) => r === null))
      throw new ValidationError(`${card.name}: incomplete window at row ${i}`);
    writeWindow(input, slot, window as number[][], F);
  });
  const session = await rawSession(join(dir, card.onnx.file));
  try {
    return Float64Array.from(await session.run(input, [index.length, W, F]));
  } finally {
    await session.release();
  }
}

export async function evaluateVolatilityModel(dir: string, span: SpanName = 'test'): Promise<VolatilityEvaluation> {
  const card = readVolatilityCard(dir);
  const data = datasetOf(card);
  const H = card.horizon;
  const returns = logReturnsOf(data.features);
  const all = data.examples(card.inputs.features, card.inputs.windowLength, H, span);
  // No trade in the next H candles (an exchange outage): ln RV^2 and QLIKE are undefined there.
  const set = all.filter((e) => realisedVolatilityAfter(returns, e.index, H) > 0);
  if (set.length === 0) throw new ValidationError(`${card.name}: no ${span} examples`);
  const index = set.map((e) => e.index);
  const ewma = ewmaVariances(returns);
  const realised = Float64Array.from(index, (i) => realisedVolatilityAfter(returns, i, H));
  const forecasts = {
    model: await forecastsOf(dir, card, data.features, index),
    persistence: Float64Array.from(index, (i) => persistenceForecast(returns, i, H)),
    ewma: Float64Array.from(index, (i) => ewmaForecast(ewma, i, H)),
  };
  const modelLosses = lossSeries(realised, forecasts.model);
  const baselines = {} as Record<BaselineName, VolatilityLosses>;
  const tests = {} as VolatilityEvaluation['dieboldMariano'];
  for (const name of baselineNames) {
    const losses = lossSeries(realised, forecasts[name]);
    baselines[name] = meanLosses(losses);
    tests[name] = {
      squaredError: dieboldMariano(modelLosses.squaredError, losses.squaredError, H),
      qlike: dieboldMariano(modelLosses.qlike, losses.qlike, H),
    };
  }
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return {
    card,
    spans: data.spans,
    features: data.features,
    sha256: sha256Of(join(dir, card.onnx.file)),
    count: set.length,
    zeroTargetsLeftOut: all.length - set.length,
    firstFeatureTime: iso(set[0]!.featureTime),
    lastFeatureTime: iso(set[set.length - 1]!.featureTime),
    index,
    realised,
    forecasts,
    model: meanLosses(modelLosses),
    baselines,
    dieboldMariano: tests,
  };
}
