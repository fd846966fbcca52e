import type { Rng } from './prng.ts';
import type { Design, DesignLine } from './synthetic-scenarios.ts';

// The price walk of a synthetic chart, in chart units: 6 sub-steps per candle, clustered volatility, swings
// between targets; an acting line reflects the walk unless its break is due (see synthetic-charts.ts).

const SUB = 6;

export interface LineState extends DesignLine {
  started: number | null;
  active: boolean;
  brokeAt: number | null;
}

export const at = (l: DesignLine, t: number): number => l.a + l.b * t;

/** The walk in chart units: open and close per candle plus the extremes, and the line states it ended with. */
export function walk(
  r: Rng,
  n: number,
  lines: LineState[],
  start: number,
  lead: Design['lead'],
): { o: number[]; h: number[]; l: number[]; c: number[]; move: number[]; breakCandle: boolean[] } {
  let u = start;
  let logVol = 0;
  const base = r.uniform(0.012, 0.03);
  let target = u;
  let speed = 0;
  let rising = true;
  let pending: LineState | null = null;
  const setTarget = (to: number, candles: number): void => {
    target = to;
    rising = to >= u;
    speed = Math.abs(to - u) / (candles * SUB);
  };
  const swing = (up: boolean, t: number): void => {
    const dir = up ? 1 : -1;
    let nearest: number | null = null;
    for (const l of lines) {
      if (l.started === null || !l.active) continue;
      const v = at(l, t);
      if ((v - u) * dir > 0 && (nearest === null || Math.abs(v - u) < Math.abs(nearest - u))) nearest = v;
    }
    if (nearest !== null && Math.abs(nearest - u) < 0.8) {
      // Most swings run into the next line (a touch), some turn before it.
      const to = r.chance(0.72) ? nearest + dir * 0.06 : u + (nearest - u) * r.uniform(0.35, 0.85);
      setTarget(to, r.uniform(3, 9));
    } else setTarget(u + dir * r.uniform(0.1, 0.35), r.uniform(3, 9));
  };
  if (lead) setTarget(lead.target, lead.candles);
  else swing(r.chance(0.5), 0);
  const o: number[] = [],
    h: number[] = [],
    lo: number[] = [],
    c: number[] = [],
    move: number[] = [],
    breakCandle: boolean[] = [];
  for (let t = 0; t < n; t++) {
    for (const l of lines) {
      if (l.started !== null || t < l.tStart) continue;
      const v = at(l, t);
      if (l.side === 'any' || (l.side === 'above' ? u >= v : u <= v)) {
        l.started = t;
        if (l.kind === 'ray') setTarget(v + (u >= v ? -0.05 : 0.05), r.uniform(2, 5));
      }
    }
    if (pending) {
      // A bounce elsewhere may have turned the walk: aim through the line again.
      const v = at(pending, t);
      if ((target - v) * Math.sign(v - u || 1) <= 0)
        setTarget(v + Math.sign(v - u || 1) * r.uniform(0.12, 0.3), r.uniform(2, 5));
    } else {
      const due = lines.find((l) => l.started !== null && l.active && l.brokeAt === null && l.breakAt <= t);
      if (due) {
        pending = due;
        const v = at(due, t);
        setTarget(v + Math.sign(v - u || 1) * r.uniform(0.12, 0.3), r.uniform(2, 5));
      }
    }
    logVol = Math.max(-1.5, Math.min(1.5, 0.92 * logVol + 0.28 * r.normal()));
    const sigma = (base * Math.exp(logVol)) / Math.sqrt(SUB);
    const open = u;
    let high = u;
    let low = u;
    let broke = false;
    for (let k = 1; k <= SUB; k++) {
      const tau = t + k / SUB;
      const drift = Math.max(-speed, Math.min(speed, target - u));
      let next = u + drift + sigma * r.normal();
      const acting = lines
        .filter((l) => l.started !== null && l.active)
        .sort((x, y) => Math.abs(at(x, tau) - u) - Math.abs(at(y, tau) - u));
      const crosses = (l: LineState, to: number): boolean => {
        const above = u >= at(l, tau - 1 / SUB);
        return above ? to < at(l, tau) : to > at(l, tau);
      };
      // The nearest line crossed reflects the walk (a bounce), unless its break is due.
      const wall = acting.find((l) => l !== pending && crosses(l, next));
      if (wall) {
        const v = at(wall, tau);
        const above = u >= at(wall, tau - 1 / SUB);
        next = v + (v - next) * 0.5;
        swing(above, tau);
      }
      // Any line still crossed is broken: the due one, or one the walk was squeezed through (a rising trend line
      // meeting a level). A label never hides a crossing.
      for (const l of acting) {
        if (l === wall || !crosses(l, next)) continue;
        l.brokeAt = t;
        broke = true;
        if (l === pending) pending = null;
        if (l.kind === 'ray') l.active = false;
      }
      u = next;
      // A swing that reached its target turns.
      if (rising ? u >= target - speed : u <= target + speed) swing(!rising, tau);
      if (u > 1.6 || u < -0.6) setTarget(0.5, r.uniform(4, 8));
      high = Math.max(high, u);
      low = Math.min(low, u);
    }
    // Wicks beyond the walk's extremes, held at the lines still acting (a few pierce them by a hair).
    let wickHigh = high + (r.chance(0.7) ? Math.abs(r.normal()) * sigma * 1.5 : 0);
    let wickLow = low - (r.chance(0.7) ? Math.abs(r.normal()) * sigma * 1.5 : 0);
    for (const l of lines) {
      if (l.started === null || !l.active || l.brokeAt === t) continue;
      const v0 = at(l, t);
      const v1 = at(l, t + 1);
      const pierce = r.chance(0.25) ? r.uniform(0, 0.008) : 0;
      if (low >= Math.min(v0, v1) - 1e-12) wickLow = Math.max(wickLow, Math.min(low, Math.max(v0, v1) - pierce));
      if (high <= Math.max(v0, v1) + 1e-12) wickHigh = Math.min(wickHigh, Math.max(high, Math.min(v0, v1) + pierce));
    }
    o.push(open);
    c.push(u);
    h.push(Math.max(wickHigh, open, u));
    lo.push(Math.min(wickLow, open, u));
    move.push(Math.abs(u - open) / (sigma * Math.sqrt(SUB)));
    breakCandle.push(broke);
  }
  return { o, h, l: lo, c, move, breakCandle };
}
