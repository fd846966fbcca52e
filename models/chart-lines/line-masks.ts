import { indexToX, priceToY, type ChartMapping } from '../../stages/chart-vision/chart-mapping.ts';

// Lines -> binary masks through the renderer's own mapping: the training targets, and the masks of the classical
// baselines' lines for their pixel IoU. A level is a band of rows across the whole width; a ray a band around its
// segment, filled between neighbouring columns so a steep ray has no holes.

/** Rows either side of a line's centre row (thickness 2 * halfWidth + 1 = 3 px). */
export const maskHalfWidth = 1;

export interface PricePoint {
  index: number;
  price: number;
}

/** Sets the band of rows around `price` across the chart (mask: height x width, 1 = line). */
export function drawLevel(mask: Uint8Array, m: ChartMapping, price: number, half = maskHalfWidth): void {
  const y = Math.round(priceToY(m, price));
  for (let r = y - half; r <= y + half; r++) {
    if (r < 0 || r >= m.priceRows) continue;
    mask.fill(1, r * m.width, (r + 1) * m.width);
  }
}

/** Sets the band around the segment from -> to (candle index, price), from the first anchor's column to the last's. */
export function drawRay(
  mask: Uint8Array,
  m: ChartMapping,
  from: PricePoint,
  to: PricePoint,
  half = maskHalfWidth,
): void {
  const xa = indexToX(m, from.index);
  const xb = indexToX(m, to.index);
  const ya = priceToY(m, from.price);
  const yb = priceToY(m, to.price);
  const slope = xb === xa ? 0 : (yb - ya) / (xb - xa);
  const yAt = (x: number): number => ya + slope * (x - xa);
  for (let x = Math.round(Math.min(xa, xb)); x <= Math.round(Math.max(xa, xb)); x++) {
    if (x < 0 || x >= m.width) continue;
    const lo = Math.round(Math.min(yAt(x - 0.5), yAt(x + 0.5)));
    const hi = Math.round(Math.max(yAt(x - 0.5), yAt(x + 0.5)));
    for (let r = lo - half; r <= hi + half; r++) if (r >= 0 && r < m.priceRows) mask[r * m.width + x] = 1;
  }
}

/** Intersection over union of two binary masks (1 when both are empty). */
export function iouCounts(a: Uint8Array, b: Uint8Array): { intersection: number; union: number } {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! > 0;
    const y = b[i]! > 0;
    if (x && y) intersection++;
    if (x || y) union++;
  }
  return { intersection, union };
}
