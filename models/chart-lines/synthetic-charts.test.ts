import { describe, expect, it } from 'vitest';
import { indexToX, priceToY } from '../../stages/chart-vision/chart-mapping.ts';
import { bounces, touchingCandles, windowRange } from '../../stages/chart-vision/touches.ts';
import { rng } from './prng.ts';
import { generateChart, labelTouchShare } from './synthetic-charts.ts';
import { scenarios } from './synthetic-scenarios.ts';
import { splitSeeds, syntheticSample } from './synthetic-sample.ts';

const seeds = Array.from({ length: 150 }, (_, i) => splitSeeds.train(i));

describe('rng', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = rng(42);
    const b = rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(rng(43).next()).not.toBe(xs[0]);
    const n = rng(1);
    const normals = Array.from({ length: 4000 }, () => n.normal());
    const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.06);
  });
});

describe('generateChart', () => {
  it('is a pure function of its seed', () => {
    expect(generateChart(7)).toEqual(generateChart(7));
    expect(generateChart(7).candles).not.toEqual(generateChart(8).candles);
  });

  it('makes valid candles on the timeframe grid, with gaps in some charts', () => {
    let gaps = 0;
    for (const seed of seeds) {
      const c = generateChart(seed);
      expect(c.slots).toHaveLength(64);
      expect(c.slots[63]).toBeDefined();
      gaps += c.slots.filter((s) => s === undefined).length > 0 ? 1 : 0;
      c.slots.forEach((k, i) => {
        if (!k) return;
        expect(k.start).toBe(c.lastStart - (63 - i) * c.timeframeMs);
        expect(k.end - k.start).toBe(c.timeframeMs);
        expect(k.high).toBeGreaterThanOrEqual(Math.max(k.open, k.close));
        expect(k.low).toBeLessThanOrEqual(Math.min(k.open, k.close));
        expect(k.low).toBeGreaterThan(0);
        expect(k.volume).toBeGreaterThanOrEqual(0);
      });
    }
    expect(gaps).toBeGreaterThan(10);
  });

  it('labels only lines the candles visit: levels in 2 separate visits, rays in 3', () => {
    for (const seed of seeds) {
      const c = generateChart(seed);
      const { low, high } = windowRange(c.slots);
      const tol = labelTouchShare * (high - low);
      for (const l of c.levels) {
        const touching = touchingCandles(c.slots, () => l.price, tol);
        expect(touching.length).toBe(l.touches);
        expect(bounces(touching)).toBeGreaterThanOrEqual(2);
      }
      for (const r of c.rays) {
        const slope = (r.to.price - r.from.price) / (r.to.index - r.from.index);
        const priceAt = (i: number): number => r.from.price + slope * (i - r.from.index);
        const touching = touchingCandles(c.slots, priceAt, tol, r.from.index, r.to.index);
        expect(touching[0]).toBe(r.from.index);
        expect(bounces(touching)).toBeGreaterThanOrEqual(3);
        expect(r.to.index - r.from.index).toBeGreaterThanOrEqual(12);
        if (!r.broken)
          expect(r.to.index === 63 || priceAt(r.to.index + 1) < low - tol || priceAt(r.to.index + 1) > high + tol).toBe(
            true,
          );
        // A trend line holds while it is a label: no close beyond it by more than the touch tolerance (flat fill
        // candles, volume 0, repeat an older close and may sit below a rising line).
        const sign = r.kind === 'support' ? 1 : -1;
        for (let i = r.from.index; i < r.to.index; i++) {
          const k = c.slots[i];
          if (k && k.volume > 0) expect(sign * (k.close - priceAt(i))).toBeGreaterThan(-tol);
        }
      }
    }
  });

  it('covers every scenario, with levels and rays labelled across the set', () => {
    const seen = new Set<string>();
    let levels = 0;
    let rays = 0;
    for (const seed of seeds) {
      const c = generateChart(seed);
      seen.add(c.scenario);
      levels += c.levels.length;
      rays += c.rays.length;
      if (c.scenario === 'noise') expect(c.levels.length + c.rays.length).toBe(0);
    }
    expect([...seen].sort()).toEqual([...scenarios].sort());
    expect(levels).toBeGreaterThan(seeds.length / 2);
    expect(rays).toBeGreaterThan(seeds.length / 3);
  });
});

describe('syntheticSample', () => {
  it('draws the labels into the masks through the rendered chart mapping', () => {
    for (const seed of seeds.slice(0, 40)) {
      const s = syntheticSample(seed);
      const m = s.image.mapping;
      for (const l of s.chart.levels) {
        const row = Math.round(priceToY(m, l.price));
        expect(s.horizontal.subarray(row * 128, (row + 1) * 128).every((v) => v === 1)).toBe(true);
      }
      for (const r of s.chart.rays) {
        for (const a of [r.from, r.to])
          expect(s.ray[Math.round(priceToY(m, a.price)) * 128 + indexToX(m, a.index)]).toBe(1);
      }
      if (s.chart.levels.length === 0) expect(s.horizontal.every((v) => v === 0)).toBe(true);
      if (s.chart.rays.length === 0) expect(s.ray.every((v) => v === 0)).toBe(true);
    }
  });
});
