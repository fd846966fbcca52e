import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { timeframeMs, type Candle, type FeatureVector, type Timeframe } from '../../pipeline/index.ts';
import { applyCandle, initialIndicatorState } from '../../stages/indicators/indicator-set.ts';

// The training and evaluation data of every bundled model: real Binance.US BTC/USDT 1m candles (see README.md),
// turned into FeatureVectors by the indicators stage's own code, so that training and serving agree bit for bit.

export const CANDLES_FILE = fileURLToPath(new URL('./binanceus_BTCUSDT_1m_20230301_20230321.csv.gz', import.meta.url));
export const SYMBOL = 'BTC/USDT';
export const TIMEFRAME = '1m';
const MINUTE = 60_000;

/** Strict time split by feature time, [from, to) in epoch ms. An example belongs to a span only if its target does too. */
export const spans = {
  train: { from: Date.UTC(2023, 2, 1), to: Date.UTC(2023, 2, 15) },
  validation: { from: Date.UTC(2023, 2, 15), to: Date.UTC(2023, 2, 18) },
  test: { from: Date.UTC(2023, 2, 18), to: Date.UTC(2023, 2, 22) },
} as const;
export type SpanName = keyof typeof spans;
/** A time split: [from, to) by feature time, epoch ms, per span. */
export type Spans = Record<SpanName, { from: number; to: number }>;

/** Parses the committed candle file (`open_time,open,high,low,close,volume`, flat-filled gaps) into Candles. */
export function loadCandles(file: string = CANDLES_FILE): Candle[] {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  const candles: Candle[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [openTime, open, high, low, close, volume] = line.split(',');
    const start = Date.parse(openTime!.replace(' ', 'T'));
    candles.push({
      symbol: SYMBOL,
      timeframe: TIMEFRAME,
      start,
      end: start + MINUTE,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
      quoteVolume: null,
      vwap: null,
      trades: null,
      buyVolume: null,
      final: true,
    });
  }
  return candles;
}

/** One FeatureVector per candle, computed exactly as the indicators stage computes them. */
export function featureVectors(candles: readonly Candle[]): FeatureVector[] {
  const state = initialIndicatorState();
  return candles.map((c) => ({ ...applyCandle(state, c) }));
}

export interface Example {
  /** Index of the feature candle in the series. */
  index: number;
  featureTime: number;
  targetTime: number;
  basePrice: number;
  actualPrice: number;
  /** ln(close at targetTime / close at featureTime). */
  target: number;
}

/** The span of an example, or null when its feature time and target time fall in different spans. */
export function spanOf(featureTime: number, targetTime: number, split: Spans = spans): SpanName | null {
  for (const name of Object.keys(split) as SpanName[]) {
    const s = split[name];
    if (featureTime >= s.from && featureTime < s.to && targetTime >= s.from && targetTime < s.to) return name;
  }
  return null;
}

/**
 * Examples of one span: every candle whose window of `windowLength` feature rows (ending at it) has no null in
 * `fields`, and whose target candle `horizon` steps later exists, with both times inside the span (of `split`,
 * by default this dataset's).
 */
export function examples(
  candles: readonly Candle[],
  features: readonly FeatureVector[],
  fields: readonly string[],
  windowLength: number,
  horizon: number,
  span: SpanName,
  split: Spans = spans,
): Example[] {
  const out: Example[] = [];
  for (let i = windowLength - 1; i + horizon < candles.length; i++) {
    const base = candles[i]!;
    const target = candles[i + horizon]!;
    const step = timeframeMs[base.timeframe as Timeframe];
    if (target.start !== base.start + horizon * step) throw new Error(`gap in the candle series at ${base.start}`);
    if (spanOf(base.start, target.start, split) !== span) continue;
    let complete = true;
    for (let j = i - windowLength + 1; j <= i && complete; j++) {
      const row = features[j] as unknown as Record<string, number | null>;
      for (const f of fields) if (row[f] === null || row[f] === undefined) complete = false;
    }
    if (!complete) continue;
    out.push({
      index: i,
      featureTime: base.start,
      targetTime: target.start,
      basePrice: base.close,
      actualPrice: target.close,
      target: Math.log(target.close / base.close),
    });
  }
  return out;
}
