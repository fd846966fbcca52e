import { timeframeMs, type Timeframe } from '../../schemas/timeframes.ts';
import type { Candle } from '../../schemas/types.ts';
import { bounces, lineKind, rayKind, touchingCandles, windowRange } from '../../stages/chart-vision/touches.ts';
import { rng } from './prng.ts';
import { designScenario } from './synthetic-scenarios.ts';
import { at, walk, type LineState } from './synthetic-walk.ts';

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
const timeframesUsed: Timeframe[] = ['1m', '5m', '15m', '1h', '4h'];

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
