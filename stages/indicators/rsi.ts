import { isZero } from './talib-math.ts';

// TA_RSI(close, 14): Wilder's smoothing of average gain and loss, seeded with their plain averages over the
// first 14 changes. Our own rather than `technicalindicators`, whose RSI is rounded to 2 decimals.

export const RSI_PERIOD = 14;

export interface RsiState {
  previousClose: number;
  averageGain: number;
  averageLoss: number;
}

export function rsiInitial(): RsiState {
  return { previousClose: 0, averageGain: 0, averageLoss: 0 };
}

/** Adds close number `i` (0-based); returns the RSI from the 15th close (index 14) on. */
export function rsiStep(s: RsiState, close: number, i: number): number | null {
  if (i === 0) {
    s.previousClose = close;
    return null;
  }
  const change = close - s.previousClose;
  s.previousClose = close;
  if (i <= RSI_PERIOD) {
    if (change < 0) s.averageLoss -= change;
    else s.averageGain += change;
    if (i < RSI_PERIOD) return null;
    s.averageLoss /= RSI_PERIOD;
    s.averageGain /= RSI_PERIOD;
  } else {
    s.averageLoss *= RSI_PERIOD - 1;
    s.averageGain *= RSI_PERIOD - 1;
    if (change < 0) s.averageLoss -= change;
    else s.averageGain += change;
    s.averageLoss /= RSI_PERIOD;
    s.averageGain /= RSI_PERIOD;
  }
  const total = s.averageGain + s.averageLoss;
  return isZero(total) ? 0.0 : 100.0 * (s.averageGain / total);
}

export function rsiCopy(dst: RsiState, src: RsiState): void {
  dst.previousClose = src.previousClose;
  dst.averageGain = src.averageGain;
  dst.averageLoss = src.averageLoss;
}
