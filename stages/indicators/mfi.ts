import { at, put, windowFor } from './sliding-window.ts';

// TA_MFI(high, low, close, volume, 14): running sums of positive and negative money flow over the last 14
// typical-price changes; an unchanged typical price (a flat gap candle) is neither positive nor negative, and a
// total flow below 1.0 gives 0 as in TA-Lib. `technicalindicators` rounds to 2 decimals and counts an unchanged
// typical price as negative flow, hence our own.

export const MFI_PERIOD = 14;

export interface MfiState {
  previousTypical: number;
  positiveSum: number;
  negativeSum: number;
}

/** Positive and negative money flow of the last 14 typical-price changes (change j is candle j + 1's). */
export interface MoneyFlowWindows {
  positive: number[];
  negative: number[];
}

export function mfiInitial(): MfiState {
  return { previousTypical: 0, positiveSum: 0, negativeSum: 0 };
}

export function moneyFlowWindows(): MoneyFlowWindows {
  return { positive: windowFor(MFI_PERIOD), negative: windowFor(MFI_PERIOD) };
}

/** Adds candle number `i` (0-based); returns the MFI from candle 14 on. */
export function mfiStep(
  s: MfiState,
  flows: MoneyFlowWindows,
  high: number,
  low: number,
  close: number,
  volume: number,
  i: number,
): number | null {
  const typical = (high + low + close) / 3.0;
  if (i === 0) {
    s.previousTypical = typical;
    return null;
  }
  const change = i - 1;
  if (i > MFI_PERIOD) {
    s.positiveSum -= at(flows.positive, change - MFI_PERIOD);
    s.negativeSum -= at(flows.negative, change - MFI_PERIOD);
  }
  const difference = typical - s.previousTypical;
  s.previousTypical = typical;
  const flow = typical * volume;
  if (difference < 0) {
    put(flows.negative, change, flow);
    s.negativeSum += flow;
    put(flows.positive, change, 0.0);
  } else if (difference > 0) {
    put(flows.positive, change, flow);
    s.positiveSum += flow;
    put(flows.negative, change, 0.0);
  } else {
    put(flows.positive, change, 0.0);
    put(flows.negative, change, 0.0);
  }
  if (i < MFI_PERIOD) return null;
  const total = s.positiveSum + s.negativeSum;
  return total < 1.0 ? 0.0 : 100.0 * (s.positiveSum / total);
}

export function mfiCopy(dst: MfiState, src: MfiState): void {
  dst.previousTypical = src.previousTypical;
  dst.positiveSum = src.positiveSum;
  dst.negativeSum = src.negativeSum;
}
