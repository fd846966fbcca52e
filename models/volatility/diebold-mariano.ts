import { InputError } from '../../pipeline/errors.ts';
import { studentTTwoSided } from './student-t.ts';

// The Diebold-Mariano test of equal predictive accuracy for h-step forecasts, with the Harvey-Leybourne-Newbold
// small-sample correction; the same definition as models/volatility/volatility_training.py (the card's numbers).
// h-step forecasts made every step overlap, so the loss differentials are autocorrelated up to lag h - 1: their
// long-run variance is the Newey-West (Bartlett) estimate with h - 1 lags, which unlike DM's original truncated
// sum can never be negative. It equals R's forecast::dm.test(varestimator = "bartlett").

export interface DieboldMarianoResult {
  count: number;
  /** Forecast horizon h in steps; the variance uses lags 1..h-1. */
  horizon: number;
  /** mean(lossA - lossB): negative when A has the smaller losses. */
  meanDifferential: number;
  /** Newey-West long-run variance of the differential: gamma_0 + 2 sum_{k<h} (1 - k/h) gamma_k, gamma over n. */
  longRunVariance: number;
  /** mean / sqrt(longRunVariance / n). */
  statistic: number;
  /** statistic x sqrt((n + 1 - 2h + h(h - 1)/n) / n). */
  hlnStatistic: number;
  /** Two-sided, Student t with n - 1 degrees of freedom, of hlnStatistic. */
  pValue: number;
}

/** Autocovariance at lag k of x around `mean`, summed over the n - k pairs and divided by n. */
export function autocovariance(x: ArrayLike<number>, mean: number, k: number): number {
  let sum = 0;
  for (let t = k; t < x.length; t++) sum += (x[t]! - mean) * (x[t - k]! - mean);
  return sum / x.length;
}

/** Newey-West long-run variance of x with Bartlett weights 1 - k/(lags + 1), k = 1..lags. */
export function neweyWestVariance(x: ArrayLike<number>, lags: number): number {
  let mean = 0;
  for (let t = 0; t < x.length; t++) mean += x[t]!;
  mean /= x.length;
  let v = autocovariance(x, mean, 0);
  for (let k = 1; k <= lags; k++) v += 2 * (1 - k / (lags + 1)) * autocovariance(x, mean, k);
  return v;
}

/** Tests whether losses A and B (same forecasts' targets, in time order) have equal expectation. */
export function dieboldMariano(
  lossA: ArrayLike<number>,
  lossB: ArrayLike<number>,
  horizon: number,
): DieboldMarianoResult {
  const n = lossA.length;
  if (lossB.length !== n) throw new InputError(`Diebold-Mariano: ${n} losses against ${lossB.length}`);
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new InputError(`Diebold-Mariano: horizon must be a positive integer, got ${horizon}`);
  const hln = (n + 1 - 2 * horizon + (horizon * (horizon - 1)) / n) / n;
  if (n < 2 || !(hln > 0)) throw new InputError(`Diebold-Mariano: ${n} losses are too few for horizon ${horizon}`);
  const d = new Float64Array(n);
  let mean = 0;
  for (let t = 0; t < n; t++) {
    d[t] = lossA[t]! - lossB[t]!;
    if (!Number.isFinite(d[t]!)) throw new InputError(`Diebold-Mariano: loss differential ${t} is not finite`);
    mean += d[t]!;
  }
  mean /= n;
  const longRunVariance = neweyWestVariance(d, horizon - 1);
  if (!(longRunVariance > 0)) throw new InputError('Diebold-Mariano: the loss differentials have no variance');
  const statistic = mean / Math.sqrt(longRunVariance / n);
  const hlnStatistic = statistic * Math.sqrt(hln);
  return {
    count: n,
    horizon,
    meanDifferential: mean,
    longRunVariance,
    statistic,
    hlnStatistic,
    pValue: studentTTwoSided(hlnStatistic, n - 1),
  };
}
