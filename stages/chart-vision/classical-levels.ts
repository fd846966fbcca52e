import { pricePerPixel, priceToY } from './chart-mapping.ts';
import type { ChartWindow, FoundLevel } from './mask-lines.ts';
import { pivots } from './pivots.ts';
import { bounces, lineKind, touchingCandles } from './touches.ts';

// The classical baseline for levels: swing highs and lows clustered by price. A cluster of at least `minPivots`
// pivots no wider than twice the tolerance, from at least two separate visits, is a level at their mean price.
// No image involved: the candles and the renderer's mapping (for the pixel tolerance) are all it reads.

export interface ClassicalLevelOptions {
  /** Candles each side a swing high/low must dominate. */
  span: number;
  /** Cluster half-width in pixels. */
  tolerancePixels: number;
  minPivots: number;
  /** Two levels at least this many rows apart. */
  minSeparation: number;
  touchPixels: number;
}

export const defaultClassicalLevelOptions: ClassicalLevelOptions = {
  span: 3,
  tolerancePixels: 2,
  minPivots: 2,
  minSeparation: 4,
  touchPixels: 2,
};

export function classicalLevels(
  chart: ChartWindow,
  o: ClassicalLevelOptions = defaultClassicalLevelOptions,
): FoundLevel[] {
  const m = chart.mapping;
  const tol = o.tolerancePixels * pricePerPixel(m);
  const ps = pivots(chart.slots, o.span).sort((a, b) => a.price - b.price || a.index - b.index);
  const clusters: (typeof ps)[] = [];
  for (const p of ps) {
    const last = clusters[clusters.length - 1];
    if (last && p.price - last[0]!.price <= 2 * tol) last.push(p);
    else clusters.push([p]);
  }
  const candidates = clusters
    .filter((c) => c.length >= o.minPivots && bounces(c.map((p) => p.index).sort((a, b) => a - b)) >= 2)
    .map((c) => ({ price: c.reduce((s, p) => s + p.price, 0) / c.length, count: c.length }))
    .sort((a, b) => b.count - a.count || a.price - b.price);
  const out: FoundLevel[] = [];
  for (const { price, count } of candidates) {
    const row = priceToY(m, price);
    if (out.some((l) => Math.abs(l.row - row) < o.minSeparation)) continue;
    const touching = touchingCandles(chart.slots, () => price, o.touchPixels * pricePerPixel(m));
    out.push({
      kind: lineKind(chart.slots, price),
      price,
      row,
      strength: bounces(touching),
      touches: touching.length,
      confidence: count / (count + 1),
    });
  }
  return out;
}
