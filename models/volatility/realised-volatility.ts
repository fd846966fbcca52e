import { InputError } from '../../pipeline/errors.ts';
import type { FeatureVector } from '../../pipeline/index.ts';

// Realised volatility targets, the naive baselines and the losses of volatility forecasts, from FeatureVector
// logReturn values (the indicators stage's ln(close / previous close)). Same definitions as
// volatility_training.py, which wrote the cards' numbers.

export const EWMA_LAMBDA = 0.94;

/** The logReturn of every feature vector, null where the indicator has none yet (the first candle). */
export function logReturnsOf(features: readonly FeatureVector[]): (number | null)[] {
  return features.map((f) => f.logReturn ?? null);
}

/** sum of r_j^2 for j = from .. to (inclusive); every r_j must exist. */
export function sumOfSquares(returns: readonly (number | null)[], from: number, to: number): number {
  if (from < 0 || to >= returns.length)
    throw new InputError(`realised variance: rows ${from}..${to} outside 0..${returns.length - 1}`);
  let sum = 0;
  for (let j = from; j <= to; j++) {
    const r = returns[j];
    if (r === null || r === undefined) throw new InputError(`realised variance: no logReturn at row ${j}`);
    sum += r * r;
  }
  return sum;
}

/** RV of the `horizon` candles after row t: sqrt(sum_{j=t+1}^{t+H} r_j^2), the target. */
export function realisedVolatilityAfter(returns: readonly (number | null)[], t: number, horizon: number): number {
  return Math.sqrt(sumOfSquares(returns, t + 1, t + horizon));
}

/** Persistence: RV of the last `horizon` candles up to row t, sqrt(sum_{j=t-H+1}^{t} r_j^2). */
export function persistenceForecast(returns: readonly (number | null)[], t: number, horizon: number): number {
  return Math.sqrt(sumOfSquares(returns, t - horizon + 1, t));
}

/**
 * RiskMetrics EWMA one-candle variance after each row: s = r^2 at the series' first return, then
 * s_j = lambda s_{j-1} + (1 - lambda) r_j^2; NaN before the first return. A null after it is an error.
 */
export function ewmaVariances(returns: readonly (number | null)[], lambda: number = EWMA_LAMBDA): Float64Array {
  const out = new Float64Array(returns.length).fill(Number.NaN);
  let s: number | null = null;
  for (let j = 0; j < returns.length; j++) {
    const r = returns[j];
    if (r === null || r === undefined) {
      if (s !== null) throw new InputError(`EWMA: no logReturn at row ${j} inside the series`);
      continue;
    }
    s = s === null ? r * r : lambda * s + (1 - lambda) * r * r;
    out[j] = s;
  }
  return out;
}

/** EWMA forecast of the RV of the next `horizon` candles: sqrt(H s_t). */
export function ewmaForecast(variances: Float64Array, t: number, horizon: number): number {
  const s = variances[t]!;
  if (Number.isNaN(s)) throw new InputError(`EWMA: no variance at row ${t}`);
  return Math.sqrt(horizon * s);
}

/** (forecast - realised)^2, on RV. */
export function squaredError(realised: number, forecast: number): number {
  return (forecast - realised) ** 2;
}

/** QLIKE on variances: q - ln q - 1, q = realised^2 / forecast^2 (RVs in, variances compared); 0 when exact. */
export function qlike(realised: number, forecast: number): number {
  const q = (realised * realised) / (forecast * forecast);
  return q - Math.log(q) - 1;
}

export interface VolatilityLosses {
  mse: number;
  qlike: number;
}

export interface LossSeries {
  squaredError: Float64Array;
  qlike: Float64Array;
}

/** Per-example losses of `forecast` against `realised` (RVs, same length). */
export function lossSeries(realised: ArrayLike<number>, forecast: ArrayLike<number>): LossSeries {
  if (realised.length !== forecast.length)
    throw new InputError(`losses: ${realised.length} realised against ${forecast.length} forecasts`);
  const se = new Float64Array(realised.length);
  const ql = new Float64Array(realised.length);
  for (let i = 0; i < realised.length; i++) {
    se[i] = squaredError(realised[i]!, forecast[i]!);
    ql[i] = qlike(realised[i]!, forecast[i]!);
  }
  return { squaredError: se, qlike: ql };
}

function mean(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

export function meanLosses(series: LossSeries): VolatilityLosses {
  return { mse: mean(series.squaredError), qlike: mean(series.qlike) };
}
