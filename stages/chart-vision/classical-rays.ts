import { indexToTime, pricePerPixel, priceToY } from './chart-mapping.ts';
import type { ChartWindow, FoundRay } from './mask-lines.ts';
import { pivots, type Pivot } from './pivots.ts';
import { touchingCandles } from './touches.ts';

// The classical baseline for trend lines: every pair of swing lows (swing highs) spans a candidate support
// (resistance) line. A candidate holds from its first pivot until the first close beyond it by more than the
// tolerance; it counts the pivots of its side within the tolerance while it holds. Lines with enough of them, long
// enough and sloped enough to be no level, are kept strongest first, skipping any within `minSeparation` pixels
// (mean vertical distance) of a stronger one.

export interface ClassicalRayOptions {
  span: number;
  tolerancePixels: number;
  /** Pivots on the line, the two that define it included. */
  minPivots: number;
  /** Candles from the first pivot to the line's end. */
  minLength: number;
  /** Smallest |slope| in rows per column; flatter lines are levels. */
  minSlope: number;
  minSeparation: number;
  maxRays: number;
  touchPixels: number;
}

export const defaultClassicalRayOptions: ClassicalRayOptions = {
  span: 2,
  tolerancePixels: 2,
  minPivots: 3,
  minLength: 12,
  minSlope: 0.05,
  minSeparation: 4,
  maxRays: 4,
  touchPixels: 2,
};

interface Candidate {
  from: number;
  to: number;
  priceAt: (i: number) => number;
  pivots: number;
  kind: 'support' | 'resistance';
}

function candidates(chart: ChartWindow, side: Pivot['side'], o: ClassicalRayOptions): Candidate[] {
  const m = chart.mapping;
  const tol = o.tolerancePixels * pricePerPixel(m);
  const ps = pivots(chart.slots, o.span).filter((p) => p.side === side);
  const sign = side === 'low' ? 1 : -1; // support: prices stay above the line
  const out: Candidate[] = [];
  for (let a = 0; a < ps.length; a++) {
    for (let b = a + 1; b < ps.length; b++) {
      const p = ps[a]!;
      const q = ps[b]!;
      const slope = (q.price - p.price) / (q.index - p.index);
      const priceAt = (i: number): number => p.price + slope * (i - p.index);
      const rowsPerColumn = Math.abs(priceToY(m, priceAt(1)) - priceToY(m, priceAt(0))) / m.slot;
      if (rowsPerColumn < o.minSlope) continue;
      let to = m.candles - 1;
      let broken = false;
      for (let i = p.index; i < m.candles; i++) {
        const c = chart.slots[i];
        if (c && sign * (c.close - priceAt(i)) < -tol) {
          to = i;
          broken = true;
          break;
        }
      }
      if (broken && to <= q.index) continue;
      const on = ps.filter(
        (r) => r.index >= p.index && r.index <= to && Math.abs(r.price - priceAt(r.index)) <= tol,
      ).length;
      if (on >= o.minPivots && to - p.index >= o.minLength)
        out.push({ from: p.index, to, priceAt, pivots: on, kind: side === 'low' ? 'support' : 'resistance' });
    }
  }
  return out;
}

export function classicalRays(chart: ChartWindow, o: ClassicalRayOptions = defaultClassicalRayOptions): FoundRay[] {
  const m = chart.mapping;
  const all = [...candidates(chart, 'low', o), ...candidates(chart, 'high', o)].sort(
    (x, y) => y.pivots - x.pivots || y.to - y.from - (x.to - x.from) || x.from - y.from,
  );
  const kept: Candidate[] = [];
  for (const c of all) {
    if (kept.length >= o.maxRays) break;
    const near = kept.some((k) => {
      const lo = Math.max(k.from, c.from);
      const hi = Math.min(k.to, c.to);
      if (hi < lo) return false;
      let d = 0;
      for (let i = lo; i <= hi; i++) d += Math.abs(priceToY(m, k.priceAt(i)) - priceToY(m, c.priceAt(i)));
      return d / (hi - lo + 1) < o.minSeparation;
    });
    if (!near) kept.push(c);
  }
  return kept.map((c) => {
    const from = { index: c.from, time: indexToTime(m, c.from), price: c.priceAt(c.from) };
    const to = { index: c.to, time: indexToTime(m, c.to), price: c.priceAt(c.to) };
    const touches = touchingCandles(chart.slots, c.priceAt, o.touchPixels * pricePerPixel(m), c.from, c.to).length;
    return {
      kind: c.kind,
      from,
      to,
      slopePerCandle: (to.price - from.price) / (c.to - c.from),
      touches,
      confidence: c.pivots / (c.pivots + 1),
    };
  });
}
