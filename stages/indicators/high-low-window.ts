import { copyNumbers, zeros } from './moving-averages.ts';

// The highest high and lowest low of the last 14 candles, shared by the stochastic and Williams %R (both 14).
// TA-Lib tracks the extremes' indices to rescan less often; the extremes themselves are the same values, so a
// scan of 14 slots (constant per candle) gives identical results.

export const HIGH_LOW_PERIOD = 14;

export interface HighLowWindowState {
  highs: number[];
  lows: number[];
}

export interface HighLow {
  highest: number;
  lowest: number;
}

export function highLowInitial(): HighLowWindowState {
  return { highs: zeros(HIGH_LOW_PERIOD), lows: zeros(HIGH_LOW_PERIOD) };
}

/** Adds candle number `i` (0-based); fills `out` and returns true once 14 candles were seen. */
export function highLowStep(s: HighLowWindowState, high: number, low: number, i: number, out: HighLow): boolean {
  const slot = i % HIGH_LOW_PERIOD;
  s.highs[slot] = high;
  s.lows[slot] = low;
  if (i < HIGH_LOW_PERIOD - 1) return false;
  let highest = high;
  let lowest = low;
  for (let j = 0; j < HIGH_LOW_PERIOD; j++) {
    const h = s.highs[j] as number;
    const l = s.lows[j] as number;
    if (h > highest) highest = h;
    if (l < lowest) lowest = l;
  }
  out.highest = highest;
  out.lowest = lowest;
  return true;
}

export function highLowCopy(dst: HighLowWindowState, src: HighLowWindowState): void {
  copyNumbers(dst.highs, src.highs);
  copyNumbers(dst.lows, src.lows);
}
