import type { Candle } from '../../schemas/types.ts';

// Swing highs and lows ("fractals"): a candle whose high (low) is the highest (lowest) of the `span` present
// candles on each side. Ties go to the earlier candle, so a flat top is one pivot, not several.

export interface Pivot {
  index: number;
  price: number;
  side: 'high' | 'low';
}

export function pivots(slots: readonly (Candle | undefined)[], span: number): Pivot[] {
  const present = slots.flatMap((c, index) => (c ? [{ c, index }] : []));
  const out: Pivot[] = [];
  for (let k = span; k < present.length - span; k++) {
    const { c, index } = present[k]!;
    let isHigh = true;
    let isLow = true;
    for (let j = k - span; j <= k + span; j++) {
      if (j === k) continue;
      const o = present[j]!.c;
      if (j < k ? o.high >= c.high : o.high > c.high) isHigh = false;
      if (j < k ? o.low <= c.low : o.low < c.low) isLow = false;
    }
    if (isHigh) out.push({ index, price: c.high, side: 'high' });
    if (isLow) out.push({ index, price: c.low, side: 'low' });
  }
  return out;
}
