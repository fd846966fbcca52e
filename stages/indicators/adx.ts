import { isZero } from './talib-math.ts';
import { trueRange } from './atr.ts';

// TA_ADX(high, low, close, 14). TA-Lib sums +DM, -DM and TR over candles 1..13 without smoothing, Wilder-smooths
// them from candle 14 on, averages the 14 DX values of candles 14..27 into the first ADX (candle 27), then
// Wilder-smooths ADX; a DX that is undefined (no range, or no directional movement) leaves ADX unchanged.
// `technicalindicators` seeds differently (equal only after a few hundred candles), hence our own.

export const ADX_PERIOD = 14;
export const ADX_LOOKBACK = 2 * ADX_PERIOD - 1;

export interface AdxState {
  previousHigh: number;
  previousLow: number;
  previousClose: number;
  plusDM: number;
  minusDM: number;
  trueRange: number;
  /** Sum of DX over the first 14 smoothed candles, then the ADX. */
  adx: number;
}

export function adxInitial(): AdxState {
  return { previousHigh: 0, previousLow: 0, previousClose: 0, plusDM: 0, minusDM: 0, trueRange: 0, adx: 0 };
}

/** Adds candle number `i` (0-based); returns the ADX from candle 27 on. */
export function adxStep(s: AdxState, high: number, low: number, close: number, i: number): number | null {
  if (i === 0) {
    s.previousHigh = high;
    s.previousLow = low;
    s.previousClose = close;
    return null;
  }
  const diffP = high - s.previousHigh;
  const diffM = s.previousLow - low;
  s.previousHigh = high;
  s.previousLow = low;
  const smoothing = i >= ADX_PERIOD;
  if (smoothing) {
    s.minusDM -= s.minusDM / ADX_PERIOD;
    s.plusDM -= s.plusDM / ADX_PERIOD;
  }
  if (diffM > 0 && diffP < diffM) s.minusDM += diffM;
  else if (diffP > 0 && diffP > diffM) s.plusDM += diffP;
  const range = trueRange(high, low, s.previousClose);
  s.previousClose = close;
  if (!smoothing) {
    s.trueRange += range;
    return null;
  }
  s.trueRange = s.trueRange - s.trueRange / ADX_PERIOD + range;

  let dx: number | null = null;
  if (!isZero(s.trueRange)) {
    const minusDI = 100.0 * (s.minusDM / s.trueRange);
    const plusDI = 100.0 * (s.plusDM / s.trueRange);
    const sum = minusDI + plusDI;
    if (!isZero(sum)) dx = 100.0 * (Math.abs(minusDI - plusDI) / sum);
  }
  if (i < ADX_LOOKBACK) {
    if (dx !== null) s.adx += dx;
    return null;
  }
  if (i === ADX_LOOKBACK) {
    if (dx !== null) s.adx += dx;
    s.adx = s.adx / ADX_PERIOD;
    return s.adx;
  }
  if (dx !== null) s.adx = (s.adx * (ADX_PERIOD - 1) + dx) / ADX_PERIOD;
  return s.adx;
}

export function adxCopy(dst: AdxState, src: AdxState): void {
  dst.previousHigh = src.previousHigh;
  dst.previousLow = src.previousLow;
  dst.previousClose = src.previousClose;
  dst.plusDM = src.plusDM;
  dst.minusDM = src.minusDM;
  dst.trueRange = src.trueRange;
  dst.adx = src.adx;
}
