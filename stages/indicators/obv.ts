// TA_OBV(close, volume): starts at the first candle's volume (technicalindicators starts at 0, hence our own);
// an unchanged close (a flat gap candle) leaves it unchanged.

export interface ObvState {
  previousClose: number;
  value: number;
}

export function obvInitial(): ObvState {
  return { previousClose: 0, value: 0 };
}

/** Adds candle number `i` (0-based); defined from the first candle on. */
export function obvStep(s: ObvState, close: number, volume: number, i: number): number {
  if (i === 0) s.value = volume;
  else if (close > s.previousClose) s.value += volume;
  else if (close < s.previousClose) s.value -= volume;
  s.previousClose = close;
  return s.value;
}

export function obvCopy(dst: ObvState, src: ObvState): void {
  dst.previousClose = src.previousClose;
  dst.value = src.value;
}
