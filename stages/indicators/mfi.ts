import { copyNumbers, zeros } from './moving-averages.ts';

// TA_MFI(high, low, close, volume, 14): running sums of positive and negative money flow over the last 14
// typical-price changes; an unchanged typical price (a flat gap candle) is neither positive nor negative, and a
// total flow below 1.0 gives 0 as in TA-Lib. `technicalindicators` rounds to 2 decimals and counts an unchanged
// typical price as negative flow, hence our own.

export const MFI_PERIOD = 14;

export interface MfiState {
  previousTypical: number;
  positiveSum: number;
  negativeSum: number;
  /** Flows of the last 14 changes by slot (change number mod 14). */
  positive: number[];
  negative: number[];
}

export function mfiInitial(): MfiState {
  return {
    previousTypical: 0,
    positiveSum: 0,
    negativeSum: 0,
    positive: zeros(MFI_PERIOD),
    negative: zeros(MFI_PERIOD),
  };
}

/** Adds candle number `i` (0-based); returns the MFI from candle 14 on. */
export function mfiStep(s: MfiState, high: number, low: number, close: number, volume: number, i: number): number | null {
  const typical = (high + low + close) / 3.0;
  if (i === 0) {
    s.previousTypical = typical;
    return null;
  }
  const slot = (i - 1) % MFI_PERIOD;
  if (i > MFI_PERIOD) {
    s.positiveSum -= s.positive[slot] as number;
    s.negativeSum -= s.negative[slot] as number;
  }
  const change = typical - s.previousTypical;
  s.previousTypical = typical;
  const flow = typical * volume;
  if (change < 0) {
    s.negative[slot] = flow;
    s.negativeSum += flow;
    s.positive[slot] = 0.0;
  } else if (change > 0) {
    s.positive[slot] = flow;
    s.positiveSum += flow;
    s.negative[slot] = 0.0;
  } else {
    s.positive[slot] = 0.0;
    s.negative[slot] = 0.0;
  }
  if (i < MFI_PERIOD) return null;
  const total = s.positiveSum + s.negativeSum;
  return total < 1.0 ? 0.0 : 100.0 * (s.positiveSum / total);
}

export function mfiCopy(dst: MfiState, src: MfiState): void {
  dst.previousTypical = src.previousTypical;
  dst.positiveSum = src.positiveSum;
  dst.negativeSum = src.negativeSum;
  copyNumbers(dst.positive, src.positive);
  copyNumbers(dst.negative, src.negative);
}
