import { timeframeMs, type Timeframe } from '../../schemas/timeframes.ts';
import type { Candle } from '../../schemas/types.ts';
import { bounces, lineKind, rayKind, touchingCandles, windowRange } from '../../stages/chart-vision/touches.ts';
import { rng, type Rng } from './prng.ts';
import { designScenario, type Design, type DesignLine } from './synthetic-scenarios.ts';

// Synthetic candles around known lines. The price is a random walk at 6 sub-steps per candle with clustered
// volatility (an AR(1) log-volatility) that swings between targets; an active line reflects the walk (a bounce)
// unless its scheduled break is due, when the walk goes through it (a broken level then acts from the other side,
// a broken trend line stops acting). Labels are decided afterwards from the candles themselves: a level is a label
// when at least 2 separate bounces touch it, a ray when at least 3 do, so a designed line the walk never visited
// is not asked of the model.

export interface SyntheticLevel {
  kind: 'support' | 'resistance';
  price: number;
  touches: number;
  bounces: number;
  broken: boolean;
}

export interface RayAnchor {
  index: number;
  price: number;
}

export interface SyntheticRay {
  kind: 'support' | 'resistance';
  /** First touching candle, and the last candle the line holds for (the break, or the window's last candle). */
  from: RayAnchor;
  to: RayAnchor;
  touches: number;
  bounces: number;
  broken: boolean;
}

export interface SyntheticChart {
  seed: number;
  scenario: string;
  candles: Candle[];
  /** The window's slots (undefined: a gap), as the renderer will place them. */
  slots: (Candle | undefined)[];
  timeframeMs: number;
  lastStart: number;
  levels: SyntheticLevel[];
  rays: SyntheticRay[];
}

export interface GeneratorOptions {
  candles?: number;
}

/** Touch tolerance of the labels: this share of the window's high-low range (about 1.7 px at 128 px). */
export const labelTouchShare = 0.015;
const SUB = 6;
const timeframesUsed: Timeframe[] = ['1m', '5m', '15m', '1h', '4h'];

interface LineState extends DesignLine {
  started: number | null;
  active: boolean;
  brokeAt: number | null;
}

const at = (l: DesignLine, t: number): number => l.a + l.b * t;

/** The walk in chart units: open and close per candle plus the extremes, and the line states it ended with. */
function walk(
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

export function generateChart(seed: number, options: GeneratorOptions = {}): SyntheticChart {
  const n = options.candles ?? 64;
  const r = rng(seed);
  const design = designScenario(r, n);
  const lines: LineState[] = design.lines.map((l) => ({ ...l, started: null, active: true, brokeAt: null }));
  const path = walk(r, n, lines, design.start, design.lead);

  const tfName = r.pick(timeframesUsed);
  const tf = timeframeMs[tfName];
  const firstStart = Math.floor(r.uniform(1.58e12, 1.75e12) / tf) * tf;
  const p0 = Math.exp(r.uniform(Math.log(0.05), Math.log(60_000)));
  const span = p0 * r.uniform(0.02, 0.25);
  const tick = 10 ** (Math.floor(Math.log10(p0)) - 4);
  const price = (u: number): number => p0 + span * (u - 0.5);
  const round = (p: number): number => Math.round(p / tick) * tick;
  const v0 = r.uniform(1, 1000);

  const all: (Candle | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    const close = round(price(path.c[i]!));
    const volume = v0 * Math.exp(0.4 * r.normal()) * (1 + 0.6 * path.move[i]!) * (path.breakCandle[i] ? 2.5 : 1);
    all.push({
      symbol: 'SYN/USD',
      timeframe: tfName,
      start: firstStart + i * tf,
      end: firstStart + (i + 1) * tf,
      open: round(price(path.o[i]!)),
      high: round(price(path.h[i]!)),
      low: round(price(path.l[i]!)),
      close,
      volume,
      quoteVolume: volume * close,
      vwap: close,
      trades: Math.max(1, Math.round(volume * 3)),
      buyVolume: null,
      final: true,
    });
  }
  // Missing candles (an exchange outage) and flat fill candles (Binance's empty minutes); never the last one,
  // which fixes the window.
  if (r.chance(0.2)) {
    const k = r.int(1, 4);
    for (let j = 0; j < k; j++) all[r.int(1, n - 2)] = undefined;
  }
  if (r.chance(0.1)) {
    const s = r.int(1, n - 4);
    for (let j = s; j < s + r.int(1, 3); j++) {
      const prev = all[j - 1];
      const cur = all[j];
      if (!prev || !cur) continue;
      all[j] = {
        ...cur,
        open: prev.close,
        high: prev.close,
        low: prev.close,
        close: prev.close,
        volume: 0,
        quoteVolume: 0,
        vwap: null,
        trades: 0,
      };
    }
  }
  const slots = all;
  const candles = slots.filter((c): c is Candle => c !== undefined);

  const { low, high } = windowRange(slots);
  const tol = labelTouchShare * (high - low);
  const levels: SyntheticLevel[] = [];
  const rays: SyntheticRay[] = [];
  for (const l of lines) {
    if (l.started === null) continue;
    const priceAt = (i: number): number => price(at(l, i));
    if (l.kind === 'level') {
      const touching = touchingCandles(slots, priceAt, tol);
      const b = bounces(touching);
      if (b >= 2)
        levels.push({
          kind: lineKind(slots, priceAt(n - 1)),
          price: priceAt(0),
          touches: touching.length,
          bounces: b,
          broken: l.brokeAt !== null,
        });
      continue;
    }
    let end = l.brokeAt ?? n - 1;
    const first = touchingCandles(slots, priceAt, tol, l.started, end)[0];
    if (first === undefined) continue;
    // A line that leaves the chart's price range ends there: its pixels beyond it are off the image.
    for (let i = first; i <= end; i++) {
      if (priceAt(i) < low - tol || priceAt(i) > high + tol) {
        end = i - 1;
        break;
      }
    }
    const touching = touchingCandles(slots, priceAt, tol, first, end);
    const b = bounces(touching);
    const from = first;
    if (b < 3 || end - from < 12) continue;
    rays.push({
      kind: rayKind(slots, priceAt, from, end),
      from: { index: from, price: priceAt(from) },
      to: { index: end, price: priceAt(end) },
      touches: touching.length,
      bounces: b,
      broken: l.brokeAt !== null,
    });
  }
  return {
    seed,
    scenario: design.scenario,
    candles,
    slots,
    timeframeMs: tf,
    lastStart: firstStart + (n - 1) * tf,
    levels,
    rays,
  };
}
