// TA_ATR(high, low, close, 14): true range from the second candle on, its plain average over the first 14 true
// ranges, then Wilder's smoothing. Also the true range TA_TRANGE and TA_ADX share.

export const ATR_PERIOD = 14;

/** TA_TRANGE's greatest of high-low, |previous close - high|, |previous close - low|. */
export function trueRange(high: number, low: number, previousClose: number): number {
  let greatest = high - low;
  const toHigh = Math.abs(previousClose - high);
  if (toHigh > greatest) greatest = toHigh;
  const toLow = Math.abs(previousClose - low);
  if (toLow > greatest) greatest = toLow;
  return greatest;
}

export interface AtrState {
  previousClose: number;
  /** Sum of true ranges during warm-up, then the ATR. */
  value: number;
}

export function atrInitial(): AtrState {
  return { previousClose: 0, value: 0 };
}

/** Adds candle number `i` (0-based); returns the ATR from candle 14 on. */
export function atrStep(s: AtrState, high: number, low: number, close: number, i: number): number | null {
  if (i === 0) {
    s.previousClose = close;
    return null;
  }
  const range = trueRange(high, low, s.previousClose);
  s.previousClose = close;
  if (i < ATR_PERIOD) {
    s.value += range;
    return null;
  }
  if (i === ATR_PERIOD) {
    s.value = (s.value + range) / ATR_PERIOD;
    return s.value;
  }
  s.value *= ATR_PERIOD - 1;
  s.value += range;
  s.value /= ATR_PERIOD;
  return s.value;
}

export function atrCopy(dst: AtrState, src: AtrState): void {
  dst.previousClose = src.previousClose;
  dst.value = src.value;
}
