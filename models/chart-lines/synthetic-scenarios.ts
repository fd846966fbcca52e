import type { Rng } from './prng.ts';

// The line layouts a synthetic chart is built around, in chart units u (the window's price range is roughly
// [0, 1]) and candle indices t. The path generator then makes the price respect these lines (bounce) and
// sometimes break them; which lines end up as labels depends on the path actually touching them.

export interface DesignLine {
  kind: 'level' | 'ray';
  /** u at candle index 0. */
  a: number;
  /** Slope in u per candle (0 for a level). */
  b: number;
  /** A ray starts to act at the first candle >= tStart where the price lies on `side` of it; levels act from 0. */
  tStart: number;
  side: 'above' | 'below' | 'any';
  /** The price goes through the line once, at the first visit on or after this candle; Infinity: never. */
  breakAt: number;
}

export interface Design {
  scenario: string;
  /** Price (u) at the first candle. */
  start: number;
  lines: DesignLine[];
  /** A first leg towards `target` over `candles` candles, before the lines act (a trend running into a range). */
  lead?: { target: number; candles: number };
}

export const scenarios = [
  'range',
  'levels',
  'flip',
  'ascending',
  'descending',
  'channel',
  'trend',
  'triangle',
  'noise',
] as const;
const weights = [3, 2, 1.5, 1.5, 1.5, 2, 2.5, 1, 1];

const level = (a: number, breakAt = Infinity): DesignLine => ({
  kind: 'level',
  a,
  b: 0,
  tStart: 0,
  side: 'any',
  breakAt,
});
const ray = (a: number, b: number, tStart: number, side: 'above' | 'below', breakAt = Infinity): DesignLine => ({
  kind: 'ray',
  a,
  b,
  tStart,
  side,
  breakAt,
});

export function designScenario(r: Rng, n: number): Design {
  const scenario = r.pick(scenarios, weights);
  const late = (): number => r.uniform(0.55, 0.92) * n;
  const maybeBreak = (p: number): number => (r.chance(p) ? late() : Infinity);
  switch (scenario) {
    case 'range': {
      const s = r.uniform(0.1, 0.35);
      const t = s + r.uniform(0.3, 0.6);
      const breakWhich = r.int(0, 2); // 0: none, 1: support, 2: resistance
      const at = late();
      const lines = [level(s, breakWhich === 1 ? at : Infinity), level(t, breakWhich === 2 ? at : Infinity)];
      if (r.chance(0.6)) return { scenario, start: r.uniform(s + 0.1, t - 0.1), lines };
      const candles = r.uniform(0.15, 0.35) * n;
      for (const l of lines) l.tStart = candles;
      const start = r.chance(0.5) ? s - r.uniform(0.15, 0.35) : t + r.uniform(0.15, 0.35);
      return { scenario, start, lines, lead: { target: r.uniform(s + 0.1, t - 0.1), candles } };
    }
    case 'levels': {
      const count = r.int(2, 3);
      const lines: DesignLine[] = [];
      let u = r.uniform(0, 0.2);
      for (let i = 0; i < count; i++) {
        u += r.uniform(0.22, 0.4);
        lines.push(level(u, r.chance(0.5) ? r.uniform(0.25, 0.9) * n : Infinity));
      }
      const k = r.int(0, count - 2);
      return { scenario, start: r.uniform(lines[k]!.a + 0.05, lines[k + 1]!.a - 0.05), lines };
    }
    case 'flip': {
      const l = r.uniform(0.4, 0.6);
      const up = r.chance(0.5);
      return {
        scenario,
        start: up ? l - r.uniform(0.2, 0.4) : l + r.uniform(0.2, 0.4),
        lines: [level(l, r.uniform(0.25, 0.6) * n)],
      };
    }
    case 'ascending':
    case 'descending': {
      // A horizontal side and a sloped side converging towards the end of the window.
      const sign = scenario === 'ascending' ? 1 : -1;
      const flat = scenario === 'ascending' ? r.uniform(0.65, 0.85) : r.uniform(0.15, 0.35);
      const a = flat - sign * r.uniform(0.45, 0.65);
      const end = flat - sign * r.uniform(0.04, 0.12);
      const t0 = r.uniform(0, 0.15) * n;
      const b = (end - a) / n;
      const breakFlat = r.chance(0.4);
      return {
        scenario,
        start: a + b * t0 + sign * r.uniform(0.03, 0.1),
        lines: [
          level(flat, breakFlat ? r.uniform(0.75, 0.95) * n : Infinity),
          ray(
            a,
            b,
            t0,
            sign > 0 ? 'above' : 'below',
            !breakFlat && r.chance(0.3) ? r.uniform(0.7, 0.95) * n : Infinity,
          ),
        ],
      };
    }
    case 'channel': {
      const sign = r.chance(0.5) ? 1 : -1;
      const b = (sign * r.uniform(0.4, 0.9)) / n;
      const width = r.uniform(0.2, 0.35);
      const lowA = sign > 0 ? r.uniform(0, 0.1) : r.uniform(0, 0.1) - b * n;
      const breakWhich = r.chance(0.35) ? r.int(1, 2) : 0;
      const at = r.uniform(0.7, 0.95) * n;
      const t0 = r.uniform(0, 0.15) * n;
      return {
        scenario,
        start: lowA + b * t0 + width * r.uniform(0.2, 0.8),
        lines: [
          ray(lowA, b, t0, 'above', breakWhich === 1 ? at : Infinity),
          ray(lowA + width, b, r.uniform(0, 0.15) * n, 'below', breakWhich === 2 ? at : Infinity),
        ],
      };
    }
    case 'trend': {
      const sign = r.chance(0.5) ? 1 : -1;
      const b = (sign * r.uniform(0.5, 1.3)) / n;
      const a = sign > 0 ? r.uniform(0, 0.1) : r.uniform(0.9, 1);
      const t0 = r.uniform(0, 0.2) * n;
      const lines = [ray(a, b, t0, sign > 0 ? 'above' : 'below', maybeBreak(0.35))];
      // A level the trend runs through: it breaks a few candles before the trend line would reach it.
      if (r.chance(0.4)) {
        const share = r.uniform(0.3, 0.7);
        lines.push(level(a + b * n * share, Math.max(1, share * n - r.uniform(3, 10))));
      }
      return { scenario, start: a + b * t0 + sign * r.uniform(0.02, 0.08), lines };
    }
    case 'triangle': {
      const top = r.uniform(0.8, 1);
      const bottom = r.uniform(0, 0.2);
      const apex = r.uniform(1.1, 1.5) * n;
      const mid = (top + bottom) / 2 + r.uniform(-0.1, 0.1);
      const t0 = r.uniform(0, 0.1) * n;
      const at = maybeBreak(0.4);
      const upperBreaks = r.chance(0.5);
      return {
        scenario,
        start: r.uniform(bottom + 0.1, top - 0.1),
        lines: [
          ray(top, (mid - top) / apex, t0, 'below', upperBreaks ? at : Infinity),
          ray(bottom, (mid - bottom) / apex, t0, 'above', upperBreaks ? Infinity : at),
        ],
      };
    }
    default:
      return { scenario, start: 0.5, lines: [] };
  }
}
