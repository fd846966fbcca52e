// Straight segments in a probability mask: a weighted Hough transform finds the strongest line, a weighted least
// squares fit on the pixels near it refines it, its longest run of columns (gaps up to `maxGap`) is the segment,
// and those pixels are removed before the next search. Deterministic (no random sampling, unlike RANSAC), so the
// card test reproduces every segment.

export interface MaskPoint {
  x: number;
  y: number;
  w: number;
}

export interface Segment {
  /** Row at column x: y = intercept + slope * x. */
  slope: number;
  intercept: number;
  x0: number;
  x1: number;
  /** Sum of the probabilities of the pixels that support it. */
  votes: number;
  /** Pixels that support it. */
  pixels: number;
}

export interface HoughOptions {
  /** Pixels below this probability are ignored. */
  pixelThreshold: number;
  /** A segment needs at least this much probability mass (sum over its pixels). */
  minVotes: number;
  /** And at least this many columns from end to end. */
  minLength: number;
  /** Largest run of columns without a supporting pixel inside one segment. */
  maxGap: number;
  /** Pixels within this distance (px, perpendicular) support a line. */
  inlierDistance: number;
  maxSegments: number;
}

const THETAS = 360;
const cos = Array.from({ length: THETAS }, (_, i) => Math.cos((i * Math.PI) / THETAS));
const sin = Array.from({ length: THETAS }, (_, i) => Math.sin((i * Math.PI) / THETAS));

/** Pixels of a (height x width) probability mask at or above the threshold, rows limited to `rows`. */
export function maskPoints(mask: Float32Array, width: number, rows: number, threshold: number): MaskPoint[] {
  const out: MaskPoint[] = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < width; x++) {
      const w = mask[y * width + x]!;
      if (w >= threshold) out.push({ x, y, w });
    }
  }
  return out;
}

function strongestLine(points: readonly MaskPoint[], diag: number): { theta: number; rho: number; votes: number } {
  const bins = 2 * diag + 1;
  const acc = new Float64Array(THETAS * bins);
  for (const p of points) {
    for (let t = 0; t < THETAS; t++) acc[t * bins + Math.round(p.x * cos[t]! + p.y * sin[t]!) + diag]! += p.w;
  }
  let best = 0;
  for (let i = 1; i < acc.length; i++) if (acc[i]! > acc[best]!) best = i;
  return { theta: Math.floor(best / bins), rho: (best % bins) - diag, votes: acc[best]! };
}

function fit(points: readonly MaskPoint[]): { slope: number; intercept: number } | null {
  let sw = 0,
    sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  for (const p of points) {
    sw += p.w;
    sx += p.w * p.x;
    sy += p.w * p.y;
    sxx += p.w * p.x * p.x;
    sxy += p.w * p.x * p.y;
  }
  const d = sw * sxx - sx * sx;
  if (sw === 0 || Math.abs(d) < 1e-9) return null;
  const slope = (sw * sxy - sx * sy) / d;
  return { slope, intercept: (sy - slope * sx) / sw };
}

const distance = (p: MaskPoint, slope: number, intercept: number): number =>
  Math.abs(p.y - (intercept + slope * p.x)) / Math.sqrt(1 + slope * slope);

/** The longest run of columns among `points` with no gap wider than maxGap. */
function longestRun(points: readonly MaskPoint[], maxGap: number): [number, number] {
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  let best: [number, number] = [xs[0]!, xs[0]!];
  let start = xs[0]!;
  for (let i = 1; i <= xs.length; i++) {
    if (i === xs.length || xs[i]! - xs[i - 1]! > maxGap + 1) {
      if (xs[i - 1]! - start > best[1] - best[0]) best = [start, xs[i - 1]!];
      if (i < xs.length) start = xs[i]!;
    }
  }
  return best;
}

/** Segments in decreasing order of support. Lines steeper than 45 degrees from vertical are not chart lines and are skipped. */
export function houghSegments(points: readonly MaskPoint[], width: number, height: number, o: HoughOptions): Segment[] {
  const diag = Math.ceil(Math.hypot(width, height));
  let left = [...points];
  const out: Segment[] = [];
  for (let attempt = 0; out.length < o.maxSegments && attempt < 3 * o.maxSegments && left.length > 0; attempt++) {
    const peak = strongestLine(left, diag);
    if (peak.votes < o.minVotes) break;
    const t = peak.theta;
    // x cos + y sin = rho -> y = rho / sin - x cos / sin; near-vertical lines (sin ~ 0) cannot be a price line.
    if (Math.abs(sin[t]!) < 0.3) {
      left = left.filter((p) => Math.abs(p.x * cos[t]! + p.y * sin[t]! - peak.rho) > o.inlierDistance);
      continue;
    }
    let slope = -cos[t]! / sin[t]!;
    let intercept = peak.rho / sin[t]!;
    let inliers = left.filter((p) => distance(p, slope, intercept) <= o.inlierDistance);
    const refined = fit(inliers);
    if (refined) {
      ({ slope, intercept } = refined);
      inliers = left.filter((p) => distance(p, slope, intercept) <= o.inlierDistance);
    }
    if (inliers.length === 0) break;
    const [x0, x1] = longestRun(inliers, o.maxGap);
    const support = inliers.filter((p) => p.x >= x0 && p.x <= x1);
    const final = fit(support) ?? { slope, intercept };
    const votes = support.reduce((s, p) => s + p.w, 0);
    // Remove the pixels of this line (all its inliers, also beyond the run) before the next search.
    left = left.filter((p) => distance(p, final.slope, final.intercept) > o.inlierDistance + 1);
    if (votes >= o.minVotes && x1 - x0 + 1 >= o.minLength)
      out.push({ ...final, x0, x1, votes, pixels: support.length });
  }
  return out;
}
