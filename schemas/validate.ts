import type { RecordName } from './records.ts';
import { isTimeframe, timeframeMs } from './timeframes.ts';

// Rules Avro cannot express. Avro checks shapes and types; these catch values no correct producer would send
// (NaN prices, unknown timeframes, a high below the low). One place, used by every decoder and sink.

export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,19}\/[A-Z0-9][A-Z0-9._-]{0,19}$/;

type Rule = (v: Record<string, unknown>) => string | null;

const finiteNumbers: Rule = (v) => {
  // A plain loop: this runs on every record in and out of every stage.
  for (const k in v) {
    const x = v[k];
    if (typeof x === 'number' && !Number.isFinite(x)) return `${k} must be a finite number (got ${x})`;
  }
  return null;
};
const symbol: Rule = (v) =>
  typeof v.symbol === 'string' && !SYMBOL_PATTERN.test(v.symbol) ? `symbol must look like BASE/QUOTE (got "${v.symbol}")` : null;
const timeframe: Rule = (v) =>
  typeof v.timeframe === 'string' && !isTimeframe(v.timeframe)
    ? `timeframe must be one of ${Object.keys(timeframeMs).join(', ')} (got "${v.timeframe}")`
    : null;
const positive = (...fields: string[]): Rule => (v) => {
  for (const f of fields) if (typeof v[f] === 'number' && !((v[f] as number) > 0)) return `${f} must be > 0 (got ${v[f]})`;
  return null;
};
const nonNegative = (...fields: string[]): Rule => (v) => {
  for (const f of fields) if (typeof v[f] === 'number' && (v[f] as number) < 0) return `${f} must be >= 0 (got ${v[f]})`;
  return null;
};

const candle: Rule = (v) => {
  const { open, high, low, close, start, end } = v as Record<string, number>;
  if (high! < low!) return `high ${high} is below low ${low}`;
  if (open! > high! || open! < low! || close! > high! || close! < low!) return 'open and close must lie within [low, high]';
  const length = timeframeMs[v.timeframe as keyof typeof timeframeMs];
  if (length && end! - start! !== length) return `end - start must be ${length} ms for ${v.timeframe}`;
  if (length && start! % length !== 0) return `start must be aligned to the ${v.timeframe} window`;
  return null;
};

const rules: Record<RecordName, Rule[]> = {
  Trade: [finiteNumbers, symbol, positive('price'), nonNegative('quantity')],
  Candle: [finiteNumbers, symbol, timeframe, positive('open', 'high', 'low', 'close'), nonNegative('volume'), candle],
  FeatureVector: [finiteNumbers, symbol, timeframe],
  NewsItem: [],
  Sentiment: [finiteNumbers],
  Prediction: [finiteNumbers, symbol, timeframe, positive('basePrice', 'predictedPrice', 'horizon')],
  PredictionError: [finiteNumbers, symbol, timeframe],
  Signal: [finiteNumbers, symbol, timeframe],
  ChartPattern: [finiteNumbers, symbol, timeframe],
};

/** The first rule a record breaks, as a sentence naming the field; null when it is valid. */
export function validateRecord(schema: RecordName, value: unknown): string | null {
  for (const rule of rules[schema]) {
    const problem = rule(value as Record<string, unknown>);
    if (problem) return problem;
  }
  return null;
}
