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
  // All slots but the one of candle i - 14 (the window is one longer than 14), in any order.
  const skip = (i + 1) % highs.length;
  let highest = -Infinity;
  let lowest = Infinity;
  for (let slot = 0; slot < highs.length; slot++) {
    if (slot === skip) continue;
    const h = highs[slot] as number;
    const l = lows[slot] as number;
    if (h > highest) highest = h;
    if (l < lowest) lowest = l;
  }
  out.highest = highest;
  out.lowest = lowest;
  return true;
}
