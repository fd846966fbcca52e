import type { Candle } from '../../schemas/types.ts';
import { indexToTime, indexToX, pricePerPixel, xToIndex, yToPrice, type ChartMapping } from './chart-mapping.ts';
import { houghSegments, maskPoints, type HoughOptions } from './hough-lines.ts';
import { bounces, lineKind, rayKind, touchingCandles } from './touches.ts';

// Probability masks -> lines in prices. A level is a peak of the row profile (mean probability along each price
// row); a ray is a Hough segment of the ray mask. Both are mapped back to prices with the renderer's mapping and
// described by the candles that touch them. Thresholds come from the model card (chosen on validation charts).

/** The part of a rendered chart the post-processing needs. */
export interface ChartWindow {
  mapping: ChartMapping;
  slots: readonly (Candle | undefined)[];
}

export interface LevelOptions {
  /** A row whose mean probability reaches this is a level. */
  threshold: number;
  /** Two levels are at least this many rows apart (the weaker one is dropped). */
  minSeparation: number;
  /** A candle touches a line within this many pixels. */
  touchPixels: number;
}

export interface FoundLevel {
  kind: 'support' | 'resistance';
  price: number;
  /** Fractional row of the level in the image. */
  row: number;
  /** Separate visits of the price to the level (touching candles more than 2 candles apart). */
  strength: number;
  touches: number;
  /** Mean probability along the level's row, in [0, 1]. */
  confidence: number;
}

export interface RayAnchorPoint {
  index: number;
  time: number;
  price: number;
}

export interface FoundRay {
  kind: 'support' | 'resistance';
  from: RayAnchorPoint;
  to: RayAnchorPoint;
  slopePerCandle: number;
  touches: number;
  /** Mean probability along the fitted segment, in [0, 1]. */
  confidence: number;
}

export interface RayOptions extends HoughOptions {
  touchPixels: number;
}

export const defaultLevelOptions: LevelOptions = { threshold: 0.5, minSeparation: 4, touchPixels: 2 };
export const defaultRayOptions: RayOptions = {
  pixelThreshold: 0.5,
  minVotes: 20,
  minLength: 16,
  maxGap: 8,
  inlierDistance: 1.5,
  maxSegments: 4,
  touchPixels: 2,
};

/** Mean probability per price row over the columns of the window's candle slots. */
export function rowProfile(mask: Float32Array, m: ChartMapping): Float64Array {
  const profile = new Float64Array(m.priceRows);
  const from = Math.max(0, m.x0);
  for (let y = 0; y < m.priceRows; y++) {
    let s = 0;
    for (let x = from; x < m.width; x++) s += mask[y * m.width + x]!;
    profile[y] = s / (m.width - from);
  }
  return profile;
}

/** Levels in a horizontal-model mask (height x width probabilities), strongest first. */
export function levelsFromMask(
  mask: Float32Array,
  chart: ChartWindow,
  o: LevelOptions = defaultLevelOptions,
): FoundLevel[] {
  const m = chart.mapping;
  const p = rowProfile(mask, m);
  const peaks: number[] = [];
  for (let y = 0; y < p.length; y++) {
    if (p[y]! < o.threshold) continue;
    if ((y > 0 && p[y - 1]! > p[y]!) || (y + 1 < p.length && p[y + 1]! >= p[y]!)) continue;
    peaks.push(y);
  }
  peaks.sort((a, b) => p[b]! - p[a]! || a - b);
  const kept: FoundLevel[] = [];
  for (const y of peaks) {
    // The level's row: centroid of the band around the peak above half its height.
    let lo = y;
    let hi = y;
    while (lo > 0 && p[lo - 1]! >= p[y]! / 2 && p[lo - 1]! <= p[lo]!) lo--;
    while (hi + 1 < p.length && p[hi + 1]! >= p[y]! / 2 && p[hi + 1]! <= p[hi]!) hi++;
    let sw = 0;
    let sy = 0;
    for (let r = lo; r <= hi; r++) {
      sw += p[r]!;
      sy += p[r]! * r;
    }
    const row = sy / sw;
    if (kept.some((k) => Math.abs(k.row - row) < o.minSeparation)) continue;
    const price = yToPrice(m, row);
    const touching = touchingCandles(chart.slots, () => price, o.touchPixels * pricePerPixel(m));
    kept.push({
      kind: lineKind(chart.slots, price),
      price,
      row,
      strength: bounces(touching),
      touches: touching.length,
      confidence: p[y]!,
    });
  }
  return kept;
}

/** Rays in a ray-model mask (height x width probabilities), strongest first. */
export function raysFromMask(mask: Float32Array, chart: ChartWindow, o: RayOptions = defaultRayOptions): FoundRay[] {
  const m = chart.mapping;
  const points = maskPoints(mask, m.width, m.priceRows, o.pixelThreshold);
  const segments = houghSegments(points, m.width, m.priceRows, o);
  const out: FoundRay[] = [];
  for (const s of segments) {
    const i0 = Math.max(0, xToIndex(m, s.x0));
    const i1 = Math.min(m.candles - 1, xToIndex(m, s.x1));
    if (!(i1 > i0)) continue;
    const priceAt = (i: number): number => yToPrice(m, s.intercept + s.slope * indexToX(m, i));
    let sum = 0;
    let n = 0;
    for (let x = s.x0; x <= s.x1; x++) {
      const y = Math.round(s.intercept + s.slope * x);
      if (y < 0 || y >= m.priceRows) continue;
      sum += mask[y * m.width + x]!;
      n++;
    }
    const touching = touchingCandles(chart.slots, priceAt, o.touchPixels * pricePerPixel(m), i0, i1);
    const from = { index: i0, time: indexToTime(m, i0), price: priceAt(i0) };
    const to = { index: i1, time: indexToTime(m, i1), price: priceAt(i1) };
    out.push({
      kind: rayKind(chart.slots, priceAt, i0, i1),
      from,
      to,
      slopePerCandle: (to.price - from.price) / (i1 - i0),
      touches: touching.length,
      confidence: n ? sum / n : 0,
    });
  }
  return out;
}

/** Price of a ray at a (fractional) candle index, extrapolated beyond its anchors (e.g. to windowStart / windowEnd). */
export function rayPriceAt(ray: Pick<FoundRay, 'from' | 'slopePerCandle'>, index: number): number {
  return ray.from.price + ray.slopePerCandle * (index - ray.from.index);
}
