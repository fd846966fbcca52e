import { describe, expect, it } from 'vitest';
import { LateRecordError, ValidationError, type Candle } from '../../pipeline/index.ts';
import { loadGoldenSeries } from './golden/candle-series.ts';
import { applyCandle, initialIndicatorState, type IndicatorState } from './indicator-set.ts';

const series = loadGoldenSeries();

function numbersIn(value: unknown): number {
  if (typeof value === 'number') return 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + numbersIn(v), 0);
  if (value && typeof value === 'object') return Object.values(value).reduce((n: number, v) => n + numbersIn(v), 0);
  return 0;
}

function run(candles: readonly Candle[], state = initialIndicatorState()) {
  return { state, vectors: candles.map((c) => applyCandle(state, c)) };
}

/** Flat gap candles after `last`: no trades, every price at the last close. */
function flatGap(last: Candle, count: number): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const start = last.start + (i + 1) * 60_000;
    const p = last.close;
    return {
      ...last,
      start,
      end: start + 60_000,
      open: p,
      high: p,
      low: p,
      close: p,
      volume: 0,
      quoteVolume: 0,
      vwap: null,
      trades: 0,
      buyVolume: 0,
    };
  });
}

describe('indicator set', () => {
  it('keeps a fixed amount of state however long the history (O(1) memory)', () => {
    const after100 = run(series.slice(0, 100)).state;
    const after5000 = run(series).state;
    expect(numbersIn(after5000)).toBe(numbersIn(after100));
    expect(JSON.stringify(after5000)).not.toContain('null,');
  });

  it('treats flat gap candles as ordinary candles', () => {
    const { vectors } = run([...series.slice(0, 40), ...flatGap(series[39]!, 25)]);
    const gap = vectors.slice(40);
    expect(gap).toHaveLength(25);
    for (const v of gap) {
      expect(v.logReturn).toBe(0);
      expect(v.obv).toBe(vectors[39]?.obv);
    }
    // 20 flat closes: no variation of log returns; 14 flat candles: no range for %R (TA-Lib gives 0 for both).
    // (CCI is not 0 there: TA-Lib's mean of 20 equal prices is off by rounding, and we reproduce TA-Lib.)
    expect(gap[24]?.volatility20).toBe(0);
    expect(gap[24]?.williamsR14).toBe(0);
    expect(gap[24]?.stochK).toBeCloseTo(0, 10); // a running sum of zeros keeps TA-Lib's rounding residue
    expect(gap[24]?.atr14).toBeLessThan(vectors[39]!.atr14!);
  });

  it('rejects an invalid candle before touching the state', () => {
    const { state } = run(series.slice(0, 30));
    const saved = JSON.stringify(state);
    const next = series[30]!;
    expect(() => applyCandle(state, { ...next, close: Number.NaN })).toThrow(ValidationError);
    expect(() => applyCandle(state, { ...next, low: -1 })).toThrow(ValidationError);
    expect(() => applyCandle(state, { ...next, volume: -2 })).toThrow(ValidationError);
    expect(JSON.stringify(state)).toBe(saved);
  });

  it('throws LateRecordError for a candle older than the last, leaving the state unchanged', () => {
    const { state } = run(series.slice(0, 30));
    const saved = JSON.stringify(state);
    expect(() => applyCandle(state, series[28]!)).toThrow(LateRecordError);
    expect(JSON.stringify(state)).toBe(saved);
  });

  it('corrects the last candle after a restart (the state before it is persisted too)', () => {
    const expected = run(series.slice(0, 60)).vectors;
    const { state } = run([...series.slice(0, 59), { ...series[59]!, close: series[59]!.close + 50, volume: 99 }]);
    const restored = JSON.parse(JSON.stringify(state)) as IndicatorState;
    expect(applyCandle(restored, series[59]!)).toEqual(expected[59]);
    expect(applyCandle(restored, series[60]!)).toEqual(run(series.slice(0, 61)).vectors[60]);
  });

  it('keeps an exact copy of every family as it was before the last candle', () => {
    for (const k of [1, 15, 30, 200]) {
      const { state } = run(series.slice(0, k + 1));
      expect(JSON.stringify(state.before)).toBe(JSON.stringify(run(series.slice(0, k)).state.families));
    }
  });

  it('corrects the very first candle of a series', () => {
    const state = initialIndicatorState();
    applyCandle(state, { ...series[0]!, close: 1, volume: 1 });
    expect(applyCandle(state, series[0]!)).toEqual(run(series.slice(0, 1)).vectors[0]);
    expect(state.count).toBe(1);
  });
});
