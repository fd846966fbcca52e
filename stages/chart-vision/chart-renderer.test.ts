import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../pipeline/errors.ts';
import type { Candle } from '../../schemas/types.ts';
import {
  indexToTime,
  indexToX,
  pricePerPixel,
  priceToY,
  timeToIndex,
  windowEnd,
  xToIndex,
  yToPrice,
} from './chart-mapping.ts';
import { chartTensor, modelChartStyle, renderChart, rendererVersion, type ChartStyle } from './chart-renderer.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

function candle(i: number, open: number, high: number, low: number, close: number, volume = 1): Candle {
  return {
    symbol: 'BTC/USD',
    timeframe: '1m',
    start: T0 + i * MIN,
    end: T0 + (i + 1) * MIN,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume: null,
    vwap: null,
    trades: null,
    buyVolume: null,
    final: true,
  };
}

/** 64 candles of a slow wave, each with a wick above and below its body. */
function wave(n = 64): Candle[] {
  return Array.from({ length: n }, (_, i) => {
    const open = 100 + 10 * Math.sin(i / 6);
    const close = 100 + 10 * Math.sin((i + 1) / 6);
    return candle(i, open, Math.max(open, close) + 1 + (i % 3), Math.min(open, close) - 1 - (i % 2), close, 10 + i);
  });
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const px = (c: { pixels: Uint8Array; width: number }, x: number, y: number): number => c.pixels[y * c.width + x]!;

describe('renderChart', () => {
  it('gives the same bytes for the same candles, and the bytes the models were trained on', () => {
    const a = renderChart(wave());
    const b = renderChart(wave().map((c) => ({ ...c })));
    expect(a.pixels.length).toBe(128 * 128);
    expect(sha(a.pixels)).toBe(sha(b.pixels));
    // Pinned for rendererVersion 1: a renderer change that moves a pixel must bump the version and retrain.
    expect(rendererVersion).toBe(1);
    expect(sha(a.pixels)).toBe('99cbe8aa975ff3879bc6dfb8c9a29033c48e74e24a8aba591d24cce4c1a68833');
  });

  it('draws each candle on whole pixels: wick from the high row to the low row, body between open and close', () => {
    const candles = wave();
    const chart = renderChart(candles);
    const m = chart.mapping;
    const { colours } = modelChartStyle;
    candles.forEach((c, i) => {
      const x = indexToX(m, i);
      const high = Math.round(priceToY(m, c.high));
      const low = Math.round(priceToY(m, c.low));
      const top = Math.round(priceToY(m, Math.max(c.open, c.close)));
      const body = c.close >= c.open ? colours.up[0] : colours.down[0];
      expect(px(chart, x, high - 1)).toBe(0);
      expect(px(chart, x, high)).toBe(top === high ? body : colours.wick[0]);
      expect(px(chart, x, top)).toBe(body);
      expect(px(chart, x, low)).toBe(colours.wick[0]);
      if (low + 1 < m.priceRows) expect(px(chart, x, low + 1)).toBe(0);
      expect(px(chart, x + 1, Math.round((high + low) / 2))).toBe(0); // the gap column
    });
  });

  it('maps prices and candle indices to pixels and back, with the padding above and below the range', () => {
    const candles = wave();
    const { mapping: m } = renderChart(candles);
    const high = Math.max(...candles.map((c) => c.high));
    const low = Math.min(...candles.map((c) => c.low));
    expect(m.priceTop).toBeCloseTo(high + 0.06 * (high - low), 9);
    expect(m.priceBottom).toBeCloseTo(low - 0.06 * (high - low), 9);
    expect(priceToY(m, m.priceTop)).toBeCloseTo(0, 9);
    expect(priceToY(m, m.priceBottom)).toBeCloseTo(127, 9);
    for (const p of [low, 100, high]) expect(yToPrice(m, priceToY(m, p))).toBeCloseTo(p, 9);
    expect(pricePerPixel(m)).toBeCloseTo((m.priceTop - m.priceBottom) / 127, 12);
    expect(indexToX(m, 63)).toBe(126);
    expect(xToIndex(m, indexToX(m, 17))).toBe(17);
    expect(timeToIndex(m, candles[5]!.start)).toBe(5);
    expect(indexToTime(m, 5)).toBe(candles[5]!.start);
    expect(windowEnd(m)).toBe(candles[63]!.end);
  });

  it('leaves a missing candle as an empty slot and anchors the window on the latest candle', () => {
    const candles = wave().filter((_, i) => i !== 10 && i !== 11);
    const chart = renderChart(candles);
    const m = chart.mapping;
    expect(chart.shown).toBe(62);
    expect(chart.slots[10]).toBeUndefined();
    expect(m.windowStart).toBe(T0);
    for (const i of [10, 11]) for (let y = 0; y < 128; y++) expect(px(chart, indexToX(m, i), y)).toBe(0);
    expect(chart.slots[12]).toBe(candles[10]);
    // A window with only its last candles: earlier slots are gaps, nothing throws.
    const late = renderChart(wave().slice(60));
    expect(late.shown).toBe(4);
    expect(late.mapping.windowStart).toBe(T0);
    expect(late.slots.slice(0, 60).every((c) => c === undefined)).toBe(true);
  });

  it('treats broken candles as gaps and renders an empty window blank', () => {
    const candles = wave();
    candles[3] = { ...candles[3]!, high: Number.NaN };
    candles[4] = { ...candles[4]!, high: 1, low: 2 };
    const chart = renderChart(candles);
    expect(chart.shown).toBe(62);
    const blank = renderChart([]);
    expect(blank.shown).toBe(0);
    expect(blank.pixels.every((v) => v === 0)).toBe(true);
    const flat = renderChart([candle(0, 5, 5, 5, 5)]);
    expect(flat.mapping.priceTop).toBeGreaterThan(5);
    expect(flat.mapping.priceBottom).toBeLessThan(5);
  });

  it('renders other sizes, RGB and a volume pane', () => {
    const style: ChartStyle = {
      ...modelChartStyle,
      name: 'rgb-256',
      width: 256,
      height: 200,
      bodyWidth: 3,
      gap: 1,
      channels: 3,
      volumeRows: 40,
      colours: { ...modelChartStyle.colours, up: [0, 200, 0], down: [200, 0, 0] },
    };
    const candles = wave();
    const chart = renderChart(candles, style);
    const m = chart.mapping;
    expect(chart.pixels.length).toBe(256 * 200 * 3);
    expect(m.priceRows).toBe(160);
    expect(m.slot).toBe(4);
    const i = 20;
    const c = candles[i]!;
    const y = Math.round(priceToY(m, (c.open + c.close) / 2));
    const at = (x: number): number[] => Array.from(chart.pixels.subarray((y * 256 + x) * 3, (y * 256 + x) * 3 + 3));
    expect(at(m.x0 + i * 4)).toEqual(c.close >= c.open ? [0, 200, 0] : [200, 0, 0]);
    // The largest volume (the last candle's) reaches the bottom row of its slot.
    const bottom = (199 * 256 + m.x0 + 63 * 4) * 3;
    expect(chart.pixels[bottom]).toBe(90);
    expect(() => renderChart(candles, { ...style, width: 200 })).toThrow(InputError);
  });
});

describe('chartTensor', () => {
  it('lays charts out as float32 NCHW in [0, 1]', () => {
    const gray = renderChart(wave());
    const t = chartTensor([gray, gray]);
    expect(t.length).toBe(2 * 128 * 128);
    expect(t[128 * 128 + 5 * 128 + 7]).toBe(px(gray, 7, 5) / 255);
    const rgb = renderChart(wave(), {
      ...modelChartStyle,
      channels: 3,
      colours: { ...modelChartStyle.colours, up: [10, 20, 30], down: [10, 20, 30] },
    });
    const r = chartTensor([rgb]);
    const candles = wave();
    const x = indexToX(rgb.mapping, 0);
    const y = Math.round(priceToY(rgb.mapping, Math.max(candles[0]!.open, candles[0]!.close)));
    const p = y * 128 + x;
    expect([r[p], r[128 * 128 + p], r[2 * 128 * 128 + p]]).toEqual(
      [10 / 255, 20 / 255, 30 / 255].map((v) => Math.fround(v)),
    );
    expect(() => chartTensor([gray, rgb])).toThrow(InputError);
  });
});
