import { describe, expect, it } from 'vitest';
import type { Candle } from '../../schemas/types.ts';
import { pricePerPixel } from './chart-mapping.ts';
import { renderChart } from './chart-renderer.ts';
import { classicalLevels, defaultClassicalLevelOptions } from './classical-levels.ts';
import { classicalRays, defaultClassicalRayOptions } from './classical-rays.ts';
import { pivots } from './pivots.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

function candle(i: number, low: number, high: number, up = true): Candle {
  const [open, close] = up
    ? [low + 0.1 * (high - low), high - 0.1 * (high - low)]
    : [high - 0.1 * (high - low), low + 0.1 * (high - low)];
  return {
    symbol: 'X/Y',
    timeframe: '1m',
    start: T0 + i * MIN,
    end: T0 + (i + 1) * MIN,
    open,
    high,
    low,
    close,
    volume: 1,
    quoteVolume: null,
    vwap: null,
    trades: null,
    buyVolume: null,
    final: true,
  };
}

/** A zigzag of period 10 between `low(i)` at the troughs and `high(i)` at the crests. */
function zigzag(low: (i: number) => number, high: (i: number) => number): Candle[] {
  return Array.from({ length: 64 }, (_, i) => {
    const phase = Math.abs((i % 10) - 5) / 5; // 1 at troughs (i % 10 == 0), 0 at crests
    const mid = high(i) - (high(i) - low(i)) * phase;
    return candle(i, Math.max(low(i), mid - 1), Math.min(high(i), mid + 1), i % 10 >= 5);
  });
}

describe('pivots', () => {
  it('finds swing highs and lows, one per flat top', () => {
    const c = [
      candle(0, 1, 2),
      candle(1, 2, 5),
      candle(2, 2, 5),
      candle(3, 1, 3),
      candle(4, 0, 2),
      candle(5, 1, 3),
      candle(6, 1, 4),
    ];
    const p = pivots(c, 1);
    expect(p.filter((x) => x.side === 'high').map((x) => x.index)).toEqual([1]);
    expect(p.filter((x) => x.side === 'low').map((x) => x.index)).toEqual([4]);
  });
});

describe('classicalLevels', () => {
  it('finds a support and a resistance the swings keep returning to', () => {
    const chart = renderChart(
      zigzag(
        () => 95,
        () => 105,
      ),
    );
    const levels = classicalLevels(chart);
    const prices = levels.map((l) => l.price).sort((a, b) => a - b);
    expect(prices).toHaveLength(2);
    expect(prices[0]).toBeCloseTo(95, 6);
    expect(prices[1]).toBeCloseTo(105, 6);
    const support = levels.find((l) => l.price < 100)!;
    expect(support.kind).toBe('support');
    expect(support.strength).toBeGreaterThanOrEqual(5);
  });

  it('finds nothing in a steady trend, whose swings never repeat a price', () => {
    const chart = renderChart(
      zigzag(
        (i) => 90 + i,
        (i) => 96 + i,
      ),
    );
    expect(classicalLevels(chart, { ...defaultClassicalLevelOptions, tolerancePixels: 1 })).toEqual([]);
  });
});

describe('classicalRays', () => {
  it('finds the rising support line through higher lows and its slope per candle', () => {
    const chart = renderChart(
      zigzag(
        (i) => 90 + 0.5 * i,
        (i) => 100 + 0.5 * i,
      ),
    );
    const rays = classicalRays(chart);
    const support = rays.find((r) => r.kind === 'support');
    expect(support).toBeDefined();
    expect(support!.slopePerCandle).toBeCloseTo(0.5, 6);
    expect(support!.from.price).toBeCloseTo(90 + 0.5 * support!.from.index, 6);
    expect(support!.to.index).toBe(63);
    expect(support!.touches).toBeGreaterThanOrEqual(5);
  });

  it('ends a line at the first close beyond it', () => {
    const candles = zigzag(
      (i) => 90 + 0.5 * i,
      (i) => 100 + 0.5 * i,
    );
    for (let i = 52; i < 64; i++) candles[i] = candle(i, 70, 72, false);
    const chart = renderChart(candles);
    const support = classicalRays(chart, { ...defaultClassicalRayOptions, maxRays: 8 }).find(
      (r) => r.kind === 'support' && Math.abs(r.slopePerCandle - 0.5) < 1e-9,
    );
    expect(support!.to.index).toBe(52);
  });

  it('leaves horizontal lines to the level baseline', () => {
    const chart = renderChart(
      zigzag(
        () => 95,
        () => 105,
      ),
    );
    for (const r of classicalRays(chart))
      expect(Math.abs(r.slopePerCandle) / pricePerPixel(chart.mapping) / chart.mapping.slot).toBeGreaterThanOrEqual(
        0.05,
      );
  });
});
