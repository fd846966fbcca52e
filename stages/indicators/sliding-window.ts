// The last values of a series in a plain array used as a ring, value number i in slot i mod length.
//
// A window holds one value more than its indicator's period: re-applying a corrected candle reads only the
// `period` values before it, and the slot the corrected candle's first version wrote held a value older than
// those. So a correction needs no copy of any window, only of the indicators' few scalars (indicator-set.ts),
// which keeps the per-candle snapshot cheap.

/** A window for an indicator over `period` values: period + 1 zeros, packed so V8 keeps it an array of doubles. */
export function windowFor(period: number): number[] {
  return Array.from({ length: period + 1 }, () => 0);
}

export function put(window: number[], i: number, value: number): void {
  window[i % window.length] = value;
}

/** Value number `i` of the series; only the last `window.length` values are there. */
export function at(window: readonly number[], i: number): number {
  return window[i % window.length] as number;
}
