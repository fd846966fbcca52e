import { at, put } from './sliding-window.ts';
import { isZeroOrNeg } from './talib-math.ts';

// TA_BBANDS(close, 20, 2, 2, SMA): the middle band is TA_INT_SMA (also our sma20) and the deviation is
// TA_INT_stddev_using_precalc_ma, a population standard deviation from a running sum of squares minus the
// squared SMA. That formula loses digits on prices far from zero, so only the same operation order reproduces
// TA-Lib's numbers to 1e-9.

export const BB_PERIOD = 20;
const NB_DEV = 2;

export interface BollingerState {
  total: number;
  totalSquares: number;
}

export interface BollingerValues {
  middle: number;
  upper: number;
  lower: number;
}

export function bollingerInitial(): BollingerState {
  return { total: 0, totalSquares: 0 };
}

/** Adds close number `i` (0-based) to `closes` (a window of 20); fills `out` and returns true from the 20th on. */
export function bollingerStep(
  s: BollingerState,
  closes: number[],
  close: number,
  i: number,
  out: BollingerValues,
): boolean {
  put(closes, i, close);
  const square = close * close;
  if (i < BB_PERIOD - 1) {
    s.total += close;
    s.totalSquares += square;
    return false;
  }
  const trailing = at(closes, i - BB_PERIOD + 1);
  const withNewest = s.total + close;
  s.total = withNewest - trailing;
  const sma = withNewest / BB_PERIOD;

  s.totalSquares += square;
  let variance = s.totalSquares / BB_PERIOD;
  s.totalSquares -= trailing * trailing;
  variance -= sma * sma;
  const deviation = isZeroOrNeg(variance) ? 0.0 : Math.sqrt(variance);

  const width = deviation * NB_DEV;
  out.middle = sma;
  out.upper = sma + width;
  out.lower = sma - width;
  return true;
}

export function bollingerCopy(dst: BollingerState, src: BollingerState): void {
  dst.total = src.total;
  dst.totalSquares = src.totalSquares;
}
