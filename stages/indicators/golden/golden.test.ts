import { describe, expect, it } from 'vitest';
import type { Candle, FeatureVector } from '../../../pipeline/index.ts';
import { applyCandle, featureFields, initialIndicatorState, type IndicatorState } from '../indicator-set.ts';
import { loadGoldenSeries } from './candle-series.ts';
import { loadGoldenFixture, withinTolerance } from './golden-fixture.ts';

const candles = loadGoldenSeries();
const fixture = loadGoldenFixture();

function stream(series: readonly Candle[]): FeatureVector[] {
  const state = initialIndicatorState();
  return series.map((c) => applyCandle(state, c));
}

/** Field, candle index, actual and expected of every value outside the golden tolerance. */
function mismatches(vectors: readonly FeatureVector[]) {
  const found: { field: string; index: number; actual: number | null; expected: number | null }[] = [];
  for (const field of featureFields) {
    const expected = fixture.fields[field];
    vectors.forEach((v, index) => {
      const e = expected[index] ?? null;
      if (!withinTolerance(v[field], e)) found.push({ field, index, actual: v[field], expected: e });
    });
  }
  return found;
}

describe('golden: streamed indicators equal TA-Lib on the real BTC/USDT 1m series', () => {
  it('has a fixture for every field over every candle', () => {
    expect(fixture.candles).toBe(candles.length);
    expect(candles.length).toBe(5000);
    for (const field of featureFields) expect(fixture.fields[field]).toHaveLength(candles.length);
  });

  it('matches every field on every candle, warm-up nulls included', () => {
    const vectors = stream(candles);
    expect(mismatches(vectors).slice(0, 10)).toEqual([]);
    // The fixture must actually exercise both the warm-up and the defined values of each field.
    for (const field of featureFields) {
      expect(vectors.filter((v) => v[field] !== null).length).toBeGreaterThan(4900);
    }
    expect(vectors[0]?.sma20).toBeNull();
    expect(vectors[33]?.macd).not.toBeNull();
    expect(vectors[32]?.macd).toBeNull();
  });

  it('keys every vector like its candle', () => {
    const vectors = stream(candles.slice(0, 3));
    expect(vectors.map((v) => [v.symbol, v.timeframe, v.start, v.end, v.close])).toEqual(
      candles.slice(0, 3).map((c) => [c.symbol, c.timeframe, c.start, c.end, c.close]),
    );
  });

  it('restores from a JSON round-trip of its state at any point and continues identically', () => {
    const uninterrupted = stream(candles);
    for (const cut of [1, 13, 20, 26, 34, 500, 2718]) {
      const first = initialIndicatorState();
      const before = candles.slice(0, cut).map((c) => applyCandle(first, c));
      const restored = JSON.parse(JSON.stringify(first)) as IndicatorState;
      const after = candles.slice(cut).map((c) => applyCandle(restored, c));
      expect([...before, ...after]).toEqual(uninterrupted);
    }
  });

  it('replaces a re-emitted candle instead of counting it twice', () => {
    const state = initialIndicatorState();
    const vectors = candles.map((c, i) => {
      // Every candle first arrives with wrong values (twice for some), then corrected under the same key.
      const wrong: Candle = {
        ...c,
        high: c.high * 1.01,
        low: c.low * 0.99,
        close: c.close * 1.005,
        volume: c.volume + 3,
      };
      applyCandle(state, wrong);
      if (i % 7 === 0) applyCandle(state, { ...wrong, close: c.close * 0.995 });
      return applyCandle(state, c);
    });
    expect(mismatches(vectors).slice(0, 10)).toEqual([]);
    expect(state.count).toBe(candles.length);
  });
});
