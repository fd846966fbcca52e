import { put } from './sliding-window.ts';

// TA_CCI(high, low, close, 20). TA-Lib recomputes the mean and the mean deviation over a 20-slot circular buffer
// each candle, summing in slot order (slot = candle index mod 20), not in time order: candles base..i first, then
// i-19..base-1, where base = i - i mod 20. We sum in that same order because |typical - mean| can be tiny and a
// different order would show beyond 1e-9. Fixed 20-value loops: constant work per candle.

export const CCI_PERIOD = 20;

/** Adds candle number `i` (0-based) to `typicalPrices` (a window of 20); returns the CCI from candle 19 on. */
export function cciStep(typicalPrices: number[], high: number, low: number, close: number, i: number): number | null {
  const typical = (high + low + close) / 3;
  put(typicalPrices, i, typical);
  if (i < CCI_PERIOD - 1) return null;
  // TA-Lib's order: candles base..i, then i-19..base-1, walking our window's slots with a wrap, not a modulo.
  const base = i - (i % CCI_PERIOD);
  const length = typicalPrices.length;
  const baseSlot = base % length;
  const firstSlot = (i - CCI_PERIOD + 1) % length;
  const fromBase = i - base + 1;
  let average = 0;
  for (let n = 0, slot = baseSlot; n < fromBase; n++, slot = slot + 1 === length ? 0 : slot + 1) {
    average += typicalPrices[slot] as number;
  }
  for (let n = fromBase, slot = firstSlot; n < CCI_PERIOD; n++, slot = slot + 1 === length ? 0 : slot + 1) {
    average += typicalPrices[slot] as number;
  }
  average /= CCI_PERIOD;
  let deviation = 0;
  for (let n = 0, slot = baseSlot; n < fromBase; n++, slot = slot + 1 === length ? 0 : slot + 1) {
    deviation += Math.abs((typicalPrices[slot] as number) - average);
  }
  for (let n = fromBase, slot = firstSlot; n < CCI_PERIOD; n++, slot = slot + 1 === length ? 0 : slot + 1) {
    deviation += Math.abs((typicalPrices[slot] as number) - average);
  }
  const distance = typical - average;
  return distance !== 0.0 && deviation !== 0.0 ? distance / (0.015 * (deviation / CCI_PERIOD)) : 0.0;
}
