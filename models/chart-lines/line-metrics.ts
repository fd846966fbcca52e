// Line-level matching for the cards. A found level matches a labelled one when their rows differ by at most k
// pixels; a found ray matches a labelled one when, over the labelled segment's columns, the found line (extended
// as a straight line) lies on average within k pixels vertically and the found segment covers at least half of
// those columns. Matching is one-to-one, closest pairs first; precision, recall and F1 are pooled over all charts.

export const matchPixels = 3;
export const minRayOverlap = 0.5;

export interface PixelSegment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function greedy(distances: number[][], k: number): number {
  const pairs: [number, number, number][] = [];
  distances.forEach((row, i) =>
    row.forEach((d, j) => {
      if (d <= k) pairs.push([d, i, j]);
    }),
  );
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const usedT = new Set<number>();
  const usedP = new Set<number>();
  let tp = 0;
  for (const [, i, j] of pairs) {
    if (usedT.has(i) || usedP.has(j)) continue;
    usedT.add(i);
    usedP.add(j);
    tp++;
  }
  return tp;
}

/** True positives among found level rows against labelled level rows. */
export function matchLevels(truthRows: readonly number[], foundRows: readonly number[], k = matchPixels): number {
  return greedy(
    truthRows.map((t) => foundRows.map((f) => Math.abs(t - f))),
    k,
  );
}

/** Mean vertical distance of `found` (as a line) along `truth`'s columns; Infinity when it covers too little of them. */
export function rayDistance(truth: PixelSegment, found: PixelSegment): number {
  const [ta, tb] = [Math.min(truth.x0, truth.x1), Math.max(truth.x0, truth.x1)];
  const [fa, fb] = [Math.min(found.x0, found.x1), Math.max(found.x0, found.x1)];
  const overlap = Math.max(0, Math.min(tb, fb) - Math.max(ta, fa));
  if (tb === ta || overlap < minRayOverlap * (tb - ta)) return Infinity;
  const line = (s: PixelSegment, x: number): number =>
    s.x1 === s.x0 ? s.y0 : s.y0 + ((s.y1 - s.y0) * (x - s.x0)) / (s.x1 - s.x0);
  let d = 0;
  let n = 0;
  for (let x = Math.ceil(ta); x <= Math.floor(tb); x++) {
    d += Math.abs(line(truth, x) - line(found, x));
    n++;
  }
  return n ? d / n : Infinity;
}

export function matchRays(truth: readonly PixelSegment[], found: readonly PixelSegment[], k = matchPixels): number {
  return greedy(
    truth.map((t) => found.map((f) => rayDistance(t, f))),
    k,
  );
}

export class LineCounts {
  truePositives = 0;
  found = 0;
  labelled = 0;

  add(truePositives: number, found: number, labelled: number): void {
    this.truePositives += truePositives;
    this.found += found;
    this.labelled += labelled;
  }

  summary(): { precision: number; recall: number; f1: number; truePositives: number; found: number; labelled: number } {
    const precision = this.found ? this.truePositives / this.found : 0;
    const recall = this.labelled ? this.truePositives / this.labelled : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, truePositives: this.truePositives, found: this.found, labelled: this.labelled };
  }
}

/**
 * Paired bootstrap over charts of F1(model) - F1(baseline): resample the charts with replacement (seeded), pool
 * each side's counts, and report the difference's mean, 5th and 95th percentiles and the share of resamples in
 * which the model's F1 is higher.
 */
export function pairedF1Bootstrap(
  model: readonly (readonly [number, number, number])[],
  baseline: readonly (readonly [number, number, number])[],
  next: () => number,
  resamples = 2000,
): { resamples: number; meanDifference: number; p05: number; p95: number; shareModelBetter: number } {
  const f1 = (tp: number, found: number, labelled: number): number =>
    found + labelled ? (2 * tp) / (found + labelled) : 0;
  const diffs: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const m = [0, 0, 0];
    const c = [0, 0, 0];
    for (let i = 0; i < model.length; i++) {
      const k = Math.floor(next() * model.length);
      for (let j = 0; j < 3; j++) {
        m[j]! += model[k]![j]!;
        c[j]! += baseline[k]![j]!;
      }
    }
    diffs.push(f1(m[0]!, m[1]!, m[2]!) - f1(c[0]!, c[1]!, c[2]!));
  }
  diffs.sort((a, b) => a - b);
  return {
    resamples,
    meanDifference: diffs.reduce((s, d) => s + d, 0) / resamples,
    p05: diffs[Math.floor(0.05 * resamples)]!,
    p95: diffs[Math.floor(0.95 * resamples)]!,
    shareModelBetter: diffs.filter((d) => d > 0).length / resamples,
  };
}
