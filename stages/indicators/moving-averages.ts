import { at, put } from './sliding-window.ts';

// Simple and exponential moving averages with TA-Lib's exact floating-point operation order, so that streamed
// values equal TA-Lib's batch output bit for bit rather than merely approximately.
//
// Why not `technicalindicators`: its streaming objects keep their state inside generator closures, which cannot
// be serialised into the runtime's changelog and restored after a restart; and 1e-9 relative agreement with
// TA-Lib needs TA-Lib's running-sum order (INT_SMA adds the newest value before subtracting the trailing one),
// which we control only in our own code.

/** TA-Lib's PER_TO_K: the smoothing factor of an EMA over `period` values. */
export function emaK(period: number): number {
  return 2.0 / (period + 1);
}

/** TA_INT_SMA's running total; the values themselves are in a window (sliding-window.ts) of the caller. */
export interface SmaState {
  period: number;
  total: number;
}

export function smaInitial(period: number): SmaState {
  return { period, total: 0 };
}

/**
 * Adds value number `i` (0-based) of the input series; returns the SMA once `period` values were seen, else
 * null. Mirrors TA_INT_SMA: total += newest; out = total / period; total -= trailing.
 */
export function smaStep(s: SmaState, window: number[], x: number, i: number): number | null {
  put(window, i, x);
  if (i < s.period - 1) {
    s.total += x;
    return null;
  }
  const withNewest = s.total + x;
  s.total = withNewest - at(window, i - s.period + 1);
  return withNewest / s.period;
}

export function smaCopy(dst: SmaState, src: SmaState): void {
  dst.period = src.period;
  dst.total = src.total;
}

/** TA_INT_EMA in its default compatibility mode: seeded with the SMA of the first `period` values. */
export interface EmaState {
  period: number;
  k: number;
  /** Sum of the seed values while fewer than `period` were seen, then the EMA itself. */
  value: number;
}

export function emaInitial(period: number): EmaState {
  return { period, k: emaK(period), value: 0 };
}

/** Adds value number `i` (0-based) of the input series; returns the EMA from value `period - 1` on, else null. */
export function emaStep(s: EmaState, x: number, i: number): number | null {
  if (i < s.period) {
    s.value += x;
    if (i < s.period - 1) return null;
    s.value = s.value / s.period;
    return s.value;
  }
  s.value = (x - s.value) * s.k + s.value;
  return s.value;
}

export function emaCopy(dst: EmaState, src: EmaState): void {
  dst.period = src.period;
  dst.k = src.k;
  dst.value = src.value;
}
