import { smaCopy, smaInitial, smaStep, type SmaState } from './moving-averages.ts';
import { HIGH_LOW_PERIOD, type HighLow } from './high-low-window.ts';
import { windowFor } from './sliding-window.ts';

// TA_STOCH(high, low, close, 14, 3, SMA, 3, SMA), the slow stochastic: slow %K is the 3-SMA of fast %K, slow %D
// the 3-SMA of slow %K, both TA_INT_SMA running sums. `technicalindicators`' Stochastic `k` is the fast %K,
// hence our own. Fast %K divides by (highest - lowest) / 100 as TA-Lib does, not multiplies by 100 afterwards:
// the two differ in the last bits.

const SLOW_K = 3;
const SLOW_D = 3;
export const STOCH_LOOKBACK = HIGH_LOW_PERIOD - 1 + (SLOW_K - 1) + (SLOW_D - 1);

export interface StochasticState {
  slowK: SmaState;
  slowD: SmaState;
}

export interface StochasticValues {
  k: number;
  d: number;
}

export function stochasticInitial(): StochasticState {
  return { slowK: smaInitial(SLOW_K), slowD: smaInitial(SLOW_D) };
}

/** The last fast %K values (for slow %K) and slow %K values (for slow %D). */
export interface StochasticWindows {
  fastK: number[];
  slowK: number[];
}

export function stochasticWindows(): StochasticWindows {
  return { fastK: windowFor(SLOW_K), slowK: windowFor(SLOW_D) };
}

/** TA-Lib's fast %K of a close within its window's extremes. */
export function fastK(close: number, extremes: HighLow): number {
  const diff = (extremes.highest - extremes.lowest) / 100.0;
  return diff !== 0.0 ? (close - extremes.lowest) / diff : 0.0;
}

/**
 * Adds candle number `i` (0-based) with its 14-candle extremes (known from candle 13 on); fills `out` and
 * returns true from candle 17 on.
 */
export function stochasticStep(
  s: StochasticState,
  windows: StochasticWindows,
  close: number,
  extremes: HighLow,
  i: number,
  out: StochasticValues,
): boolean {
  const fastIndex = i - (HIGH_LOW_PERIOD - 1);
  if (fastIndex < 0) return false;
  const k = smaStep(s.slowK, windows.fastK, fastK(close, extremes), fastIndex);
  if (k === null) return false;
  const d = smaStep(s.slowD, windows.slowK, k, fastIndex - (SLOW_K - 1));
  if (d === null) return false;
  out.k = k;
  out.d = d;
  return true;
}

export function stochasticCopy(dst: StochasticState, src: StochasticState): void {
  smaCopy(dst.slowK, src.slowK);
  smaCopy(dst.slowD, src.slowD);
}

/** TA_WILLR(high, low, close, 14) from the same extremes; defined from candle 13 on. */
export function williamsR(close: number, extremes: HighLow): number {
  const diff = (extremes.highest - extremes.lowest) / -100.0;
  return diff !== 0.0 ? (extremes.highest - close) / diff : 0.0;
}
