import { emaCopy, emaInitial, emaStep, type EmaState } from './moving-averages.ts';

// TA_MACD(close, 12, 26, 9). TA-Lib aligns both EMAs on the slow one: the fast EMA12 inside MACD is seeded with
// the SMA of closes 14..25, not of closes 0..11, so MACD is not ema12 - ema26 during its first few hundred
// candles. The signal is an EMA9 of the MACD line from close 25 on, and every output starts at close 33
// (TA-Lib's lookback), although the line itself is known from close 25. `technicalindicators` seeds
// differently, hence our own.

const FAST = 12;
const SLOW = 26;
const SIGNAL = 9;
/** First close index with both EMAs: where TA-Lib seeds the fast one. */
const LINE_START = SLOW - 1;
const FAST_SEED_START = LINE_START - (FAST - 1);
export const MACD_LOOKBACK = LINE_START + SIGNAL - 1;

export interface MacdState {
  fast: EmaState;
  slow: EmaState;
  signal: EmaState;
}

export interface MacdValues {
  macd: number;
  signal: number;
  histogram: number;
}

export function macdInitial(): MacdState {
  return { fast: emaInitial(FAST), slow: emaInitial(SLOW), signal: emaInitial(SIGNAL) };
}

/** Adds close number `i` (0-based); fills `out` and returns true from close 33 on. */
export function macdStep(s: MacdState, close: number, i: number, out: MacdValues): boolean {
  const slow = emaStep(s.slow, close, i);
  if (i < FAST_SEED_START) return false;
  const fast = emaStep(s.fast, close, i - FAST_SEED_START);
  if (fast === null || slow === null) return false;
  const line = fast - slow;
  const signal = emaStep(s.signal, line, i - LINE_START);
  if (signal === null) return false;
  out.macd = line;
  out.signal = signal;
  out.histogram = line - signal;
  return true;
}

export function macdCopy(dst: MacdState, src: MacdState): void {
  emaCopy(dst.fast, src.fast);
  emaCopy(dst.slow, src.slow);
  emaCopy(dst.signal, src.signal);
}
