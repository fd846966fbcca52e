import { at } from './sliding-window.ts';

// The highest high and lowest low of the last 14 candles, shared by the stochastic and Williams %R (both 14).
// TA-Lib tracks the extremes' indices to rescan less often; the extremes themselves are the same values, so a
// scan of the 14 values (constant work per candle) gives identical results.

export const HIGH_LOW_PERIOD = 14;

export interface HighLow {
  highest: number;
  lowest: number;
}

/**
 * The extremes of candles i-13..i from windows of highs and lows (which already hold candle i); false while
 * fewer than 14 candles were seen.
 */
export function highLowOf(highs: readonly number[], lows: readonly number[], i: number, out: HighLow): boolean {
  if (i < HIGH_LOW_PERIOD - 1) return false;
  let highest = at(highs, i);
  let lowest = at(lows, i);
  for (let k = i - HIGH_LOW_PERIOD + 1; k < i; k++) {
    const h = at(highs, k);
    const l = at(lows, k);
    if (h > highest) highest = h;
    if (l < lowest) lowest = l;
  }
  out.highest = highest;
  out.lowest = lowest;
  return true;
}
