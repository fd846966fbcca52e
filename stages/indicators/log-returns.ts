import { at, put } from './sliding-window.ts';
import { isZeroOrNeg } from './talib-math.ts';

// logReturn = ln(close / previous close), TA-Lib's LN(ROCR(close, 1)). volatility20 is the sample standard
// deviation of the last 20 log returns: TA-Lib's STDDEV(logReturn, 20, 1) (population, from running sums of x
// and x^2 as TA_INT_VAR keeps them, with its "zero or negative variance gives 0" guard) times sqrt(20 / 19).

export const VOLATILITY_PERIOD = 20;
const SAMPLE_CORRECTION = Math.sqrt(VOLATILITY_PERIOD / (VOLATILITY_PERIOD - 1));

export interface LogReturnState {
  previousClose: number;
  total: number;
  totalSquares: number;
}

export interface LogReturnValues {
  logReturn: number | null;
  volatility: number | null;
}

export function logReturnInitial(): LogReturnState {
  return { previousClose: 0, total: 0, totalSquares: 0 };
}

/**
 * Adds close number `i` (0-based), keeping log returns in `returns` (a window of 20): the log return from close 1
 * on, the volatility from close 20 on.
 */
export function logReturnStep(
  s: LogReturnState,
  returns: number[],
  close: number,
  i: number,
  out: LogReturnValues,
): void {
  if (i === 0) {
    s.previousClose = close;
    out.logReturn = null;
    out.volatility = null;
    return;
  }
  const ratio = s.previousClose !== 0.0 ? close / s.previousClose : 0.0;
  s.previousClose = close;
  const r = Math.log(ratio);
  out.logReturn = r;
  // TA_INT_VAR over the log-return series, whose element j is close j + 1.
  const j = i - 1;
  put(returns, j, r);
  if (j < VOLATILITY_PERIOD - 1) {
    s.total += r;
    s.totalSquares += r * r;
    out.volatility = null;
    return;
  }
  s.total += r;
  s.totalSquares += r * r;
  const mean = s.total / VOLATILITY_PERIOD;
  const meanSquare = s.totalSquares / VOLATILITY_PERIOD;
  const trailing = at(returns, j - VOLATILITY_PERIOD + 1);
  s.total -= trailing;
  s.totalSquares -= trailing * trailing;
  const variance = meanSquare - mean * mean;
  out.volatility = isZeroOrNeg(variance) ? 0.0 : Math.sqrt(variance) * SAMPLE_CORRECTION;
}

export function logReturnCopy(dst: LogReturnState, src: LogReturnState): void {
  dst.previousClose = src.previousClose;
  dst.total = src.total;
  dst.totalSquares = src.totalSquares;
}
