import { copyNumbers, zeros } from './moving-averages.ts';

// TA_CCI(high, low, close, 20). TA-Lib recomputes the mean and the mean deviation over its 20-slot circular
// buffer each candle, summing in slot order (slot = candle index mod 20), not in time order; we keep the same
// slots and order because |typical - mean| can be tiny and a different summation order would show beyond 1e-9.
// The loops are over a fixed 20 slots: constant work per candle.

export const CCI_PERIOD = 20;

export interface CciState {
  typicalPrices: number[];
}

export function cciInitial(): CciState {
  return { typicalPrices: zeros(CCI_PERIOD) };
}

/** Adds candle number `i` (0-based); returns the CCI from candle 19 on. */
export function cciStep(s: CciState, high: number, low: number, close: number, i: number): number | null {
  const typical = (high + low + close) / 3;
  const slots = s.typicalPrices;
  slots[i % CCI_PERIOD] = typical;
  if (i < CCI_PERIOD - 1) return null;
  let average = 0;
  for (let j = 0; j < CCI_PERIOD; j++) average += slots[j] as number;
  average /= CCI_PERIOD;
  let deviation = 0;
  for (let j = 0; j < CCI_PERIOD; j++) deviation += Math.abs((slots[j] as number) - average);
  const distance = typical - average;
  return distance !== 0.0 && deviation !== 0.0 ? distance / (0.015 * (deviation / CCI_PERIOD)) : 0.0;
}

export function cciCopy(dst: CciState, src: CciState): void {
  copyNumbers(dst.typicalPrices, src.typicalPrices);
}
