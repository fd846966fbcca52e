import type { Candle } from '../../schemas/types.ts';

// A candle touches a line when its high or its low comes within `tolerance` of the line's price at that candle.
// One rule for the synthetic labels, the mask post-processing and the classical baselines, so "touches" means
// the same number everywhere.

/** Price of a line at a (fractional) candle index. */
export type PriceAt = (index: number) => number;

/** Indices (ascending) of the window's candles in [from, to] that touch the line. */
export function touchingCandles(
  slots: readonly (Candle | undefined)[],
  priceAt: PriceAt,
  tolerance: number,
  from = 0,
  to = slots.length - 1,
): number[] {
  const out: number[] = [];
  for (let i = Math.max(0, Math.ceil(from)); i <= Math.min(slots.length - 1, Math.floor(to)); i++) {
    const c = slots[i];
    if (!c) continue;
    const p = priceAt(i);
    if (Math.abs(c.high - p) <= tolerance || Math.abs(c.low - p) <= tolerance) out.push(i);
  }
  return out;
}

/** Separate visits among touching candles: touches closer than `minGap` candles belong to one bounce. */
export function bounces(touching: readonly number[], minGap = 3): number {
  let n = 0;
  let last = -Infinity;
  for (const i of touching) {
    if (i - last >= minGap) n++;
    last = i;
  }
  return n;
}

/** The window's high-low range (0 when no candle is present). */
export function windowRange(slots: readonly (Candle | undefined)[]): { low: number; high: number } {
  let low = Infinity;
  let high = -Infinity;
  for (const c of slots) {
    if (!c) continue;
    low = Math.min(low, c.low);
    high = Math.max(high, c.high);
  }
  return Number.isFinite(low) ? { low, high } : { low: 0, high: 0 };
}

/** Support when the line lies at or below the last close of the window, resistance above it. */
export function lineKind(slots: readonly (Candle | undefined)[], priceAtLast: number): 'support' | 'resistance' {
  for (let i = slots.length - 1; i >= 0; i--) {
    const c = slots[i];
    if (c) return priceAtLast <= c.close ? 'support' : 'resistance';
  }
  return 'support';
}

/** A sloped line's role while it held: support when most closes in [from, to] lie at or above it. */
export function rayKind(
  slots: readonly (Candle | undefined)[],
  priceAt: PriceAt,
  from: number,
  to: number,
): 'support' | 'resistance' {
  let above = 0;
  let below = 0;
  for (let i = Math.max(0, Math.ceil(from)); i <= Math.min(slots.length - 1, Math.floor(to)); i++) {
    const c = slots[i];
    if (!c) continue;
    if (c.close >= priceAt(i)) above++;
    else below++;
  }
  return above >= below ? 'support' : 'resistance';
}
