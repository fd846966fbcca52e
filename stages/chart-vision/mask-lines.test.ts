import { describe, expect, it } from 'vitest';
import type { Candle } from '../../schemas/types.ts';
import { indexToX, pricePerPixel, priceToY, yToPrice } from './chart-mapping.ts';
import { renderChart } from './chart-renderer.ts';
import {
  defaultLevelOptions,
  defaultRayOptions,
  levelsFromMask,
  raysFromMask,
  rayPriceAt,
  rowProfile,
} from './mask-lines.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

function candle(i: number, low: number, high: number): Candle {
  const open = low + (high - low) / 3;
  const close = low + ((high - low) * 2) / 3;
  return {
    symbol: 'BTC/USD',
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

/** Candles between 90 and 110; the lows of candles 5, 6, 20 and 40 sit on 95 (support), the highs of 30 and 50 on 108. */
function chart() {
  const candles = Array.from({ length: 64 }, (_, i) => candle(i, 98 + (i % 4), 103 + (i % 3)));
  for (const i of [5, 6, 20, 40]) candles[i] = candle(i, 95, 100);
  for (const i of [30, 50]) candles[i] = candle(i, 101, 108);
  candles[0] = candle(0, 90, 110);
  return renderChart(candles);
}

const W = 128;
const H = 128;

function band(mask: Float32Array, row: number, p: number, half = 1): void {
  for (let y = row - half; y <= row + half; y++) for (let x = 0; x < W; x++) mask[y * W + x] = p;
}

function segment(mask: Float32Array, x0: number, y0: number, x1: number, y1: number, p: number): void {
  for (let x = x0; x <= x1; x++) {
    const y = Math.round(y0 + ((y1 - y0) * (x - x0)) / (x1 - x0));
    for (let r = y - 1; r <= y + 1; r++) mask[r * W + x] = Math.max(mask[r * W + x]!, p);
  }
}

describe('levelsFromMask', () => {
  it('turns a band of rows into one level at its price, with the candles touching it', () => {
    const c = chart();
    const m = c.mapping;
    const mask = new Float32Array(W * H).fill(0.05);
    const row = Math.round(priceToY(m, 95));
    band(mask, row, 0.9);
    const levels = levelsFromMask(mask, c);
    expect(levels).toHaveLength(1);
    const [l] = levels;
    expect(l!.row).toBeCloseTo(row, 6);
    expect(l!.price).toBeCloseTo(yToPrice(m, row), 9);
    expect(Math.abs(l!.price - 95)).toBeLessThanOrEqual(pricePerPixel(m) / 2);
    expect(l!.kind).toBe('support');
    // Candles 5, 6, 20, 40 and candle 0 (low 90 is far, high 110 is far: not a touch) -> four touches, three visits.
    expect(l!.touches).toBe(4);
    expect(l!.strength).toBe(3);
    expect(l!.confidence).toBeCloseTo(0.9, 6);
  });

  it('finds the centre of an asymmetric band between rows', () => {
    const c = chart();
    const mask = new Float32Array(W * H);
    band(mask, 60, 0.8, 0);
    band(mask, 61, 0.8, 0);
    const [l] = levelsFromMask(mask, c);
    expect(l!.row).toBeCloseTo(60.5, 6);
  });

  it('keeps the stronger of two levels closer than minSeparation, both when far apart, none below the threshold', () => {
    const c = chart();
    const mask = new Float32Array(W * H);
    band(mask, 40, 0.7);
    band(mask, 43, 0.9, 0);
    band(mask, 90, 0.6);
    const levels = levelsFromMask(mask, c, { ...defaultLevelOptions, minSeparation: 4 });
    expect(levels.map((l) => Math.round(l.row))).toEqual([43, 90]);
    expect(levels[1]!.kind).toBe(priceToY(c.mapping, c.slots[63]!.close) < 90 ? 'support' : 'resistance');
    expect(levelsFromMask(mask, c, { ...defaultLevelOptions, threshold: 0.95 })).toEqual([]);
    expect(levelsFromMask(new Float32Array(W * H), c)).toEqual([]);
  });

  it('averages the row profile over the candle columns only', () => {
    const c = chart();
    const mask = new Float32Array(W * H);
    for (let x = 0; x < 64; x++) mask[10 * W + x] = 1;
    expect(rowProfile(mask, c.mapping)[10]).toBeCloseTo(0.5, 9);
  });
});

describe('raysFromMask', () => {
  it('fits a sloped segment and maps its ends to candles and prices', () => {
    const c = chart();
    const m = c.mapping;
    const mask = new Float32Array(W * H).fill(0.02);
    segment(mask, 20, 100, 120, 30, 0.85);
    const rays = raysFromMask(mask, c);
    expect(rays).toHaveLength(1);
    const [r] = rays;
    expect(Math.abs(indexToX(m, r!.from.index) - 20)).toBeLessThanOrEqual(1);
    expect(Math.abs(indexToX(m, r!.to.index) - 120)).toBeLessThanOrEqual(1);
    expect(Math.abs(priceToY(m, r!.from.price) - 100)).toBeLessThanOrEqual(1);
    expect(Math.abs(priceToY(m, r!.to.price) - 30)).toBeLessThanOrEqual(1);
    const pixelSlope = -70 / 100; // rows per column, upwards
    expect(r!.slopePerCandle).toBeCloseTo(-pixelSlope * m.slot * pricePerPixel(m), 1);
    expect(r!.from.time).toBe(T0 + r!.from.index * MIN);
    expect(r!.confidence).toBeGreaterThan(0.8);
    expect(rayPriceAt(r!, r!.to.index)).toBeCloseTo(r!.to.price, 9);
  });

  it('separates two crossing rays, strongest first', () => {
    const c = chart();
    const mask = new Float32Array(W * H);
    segment(mask, 10, 110, 126, 20, 0.9);
    segment(mask, 10, 30, 100, 100, 0.7);
    const rays = raysFromMask(mask, c);
    expect(rays).toHaveLength(2);
    expect(rays[0]!.slopePerCandle).toBeGreaterThan(0);
    expect(rays[1]!.slopePerCandle).toBeLessThan(0);
  });

  it('ignores segments shorter than minLength and masks below the pixel threshold', () => {
    const c = chart();
    const mask = new Float32Array(W * H);
    segment(mask, 50, 60, 60, 50, 0.9);
    expect(raysFromMask(mask, c)).toEqual([]);
    const faint = new Float32Array(W * H);
    segment(faint, 10, 110, 126, 20, 0.3);
    expect(raysFromMask(faint, c)).toEqual([]);
    expect(raysFromMask(faint, c, { ...defaultRayOptions, pixelThreshold: 0.25 })).toHaveLength(1);
  });

  it('splits a line with a long hole into its longer run', () => {
    const c = chart();
    const mask = new Float32Array(W * H);
    segment(mask, 10, 100, 126, 40, 0.9);
    for (let x = 40; x < 60; x++) for (let y = 0; y < H; y++) mask[y * W + x] = 0;
    const [r] = raysFromMask(mask, c);
    expect(Math.abs(indexToX(c.mapping, r!.from.index) - 60)).toBeLessThanOrEqual(1);
  });
});
