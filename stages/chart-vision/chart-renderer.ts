import { createCanvas } from '@napi-rs/canvas';
import { InputError } from '../../pipeline/index.ts';
import { timeframeMs as timeframeLengths, isTimeframe } from '../../schemas/timeframes.ts';
import type { Candle } from '../../schemas/types.ts';
import type { ChartMapping } from './chart-mapping.ts';
import { priceToY } from './chart-mapping.ts';

// Candles -> pixels with @napi-rs/canvas. Every shape is an axis-aligned rectangle on whole pixels in an opaque
// colour, so Skia never anti-aliases and the same candles give the same bytes on every run and machine. The
// models were trained on `modelChartStyle`: a change to what it draws must bump `rendererVersion` (the model
// cards record it) and means retraining.

export const rendererVersion = 1;

type Rgb = readonly [number, number, number];

export interface ChartStyle {
  /** Name recorded in model cards with rendererVersion. */
  name: string;
  width: number;
  height: number;
  /** Candle slots in the window; slots are right-aligned, the last candle at the right edge. */
  candles: number;
  /** Body width in pixels; the 1-pixel wick is its middle column. */
  bodyWidth: number;
  /** Empty columns between two bodies. */
  gap: number;
  /** Fraction of the window's high-low range added above and below it. */
  padding: number;
  /** 1: grayscale (the colours' red channel), 3: RGB. */
  channels: 1 | 3;
  /** Rows of a volume pane at the bottom; 0 for none. */
  volumeRows: number;
  colours: { background: Rgb; wick: Rgb; up: Rgb; down: Rgb; volume: Rgb };
}

/**
 * What the chart-lines models see: 128x128 grayscale, 64 candles of 2 px (a 1-px bar and a 1-px gap), black
 * background, wick 110, rising body 255, falling body 180, no volume pane. A candle's high and low are exact rows,
 * which is all a support, resistance or trend line is about.
 */
export const modelChartStyle: ChartStyle = {
  name: 'bars-gray-128',
  width: 128,
  height: 128,
  candles: 64,
  bodyWidth: 1,
  gap: 1,
  padding: 0.06,
  channels: 1,
  volumeRows: 0,
  colours: {
    background: [0, 0, 0],
    wick: [110, 110, 110],
    up: [255, 255, 255],
    down: [180, 180, 180],
    volume: [90, 90, 90],
  },
};

export interface RenderOptions {
  /** Slot length; default: the first candle's timeframe. */
  timeframeMs?: number;
  /** Start of the window's last slot; default: the latest candle start. */
  lastStart?: number;
}

export interface RenderedChart {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Row-major pixels, `channels` bytes each (height x width x channels). */
  pixels: Uint8Array;
  mapping: ChartMapping;
  /** The window's candle per slot (undefined: a gap), for touches and post-processing. */
  slots: (Candle | undefined)[];
  /** Candles drawn (the window's slots minus its gaps). */
  shown: number;
}

function isDrawable(c: Candle): boolean {
  return [c.open, c.high, c.low, c.close].every(Number.isFinite) && c.high >= c.low;
}

function checkStyle(s: ChartStyle): void {
  const slot = s.bodyWidth + s.gap;
  const ints = [s.width, s.height, s.candles, s.bodyWidth, s.gap, s.volumeRows];
  if (!ints.every((n) => Number.isInteger(n) && n >= 0) || s.width < 1 || s.candles < 1 || s.bodyWidth < 1) {
    throw new InputError(
      `chart style ${s.name}: sizes must be non-negative integers, width, candles and bodyWidth positive`,
    );
  }
  if (s.candles * slot > s.width)
    throw new InputError(`chart style ${s.name}: ${s.candles} candles of ${slot} px do not fit ${s.width} px`);
  if (s.height - s.volumeRows < 2) throw new InputError(`chart style ${s.name}: the price pane needs at least 2 rows`);
  if (!(s.padding >= 0 && s.padding < 1)) throw new InputError(`chart style ${s.name}: padding must be in [0, 1)`);
}

/** The window's slots: index -> candle (undefined for a gap), plus the mapping for these candles. */
export function windowOf(
  candles: readonly Candle[],
  style: ChartStyle,
  options: RenderOptions = {},
): { slots: (Candle | undefined)[]; mapping: ChartMapping } {
  checkStyle(style);
  const first = candles[0];
  const tf =
    options.timeframeMs ??
    (first && isTimeframe(first.timeframe)
      ? timeframeLengths[first.timeframe]
      : first
        ? first.end - first.start
        : 60_000);
  if (!(tf > 0)) throw new InputError(`chart window: timeframe length must be positive, got ${tf}`);
  const lastStart = options.lastStart ?? candles.reduce((m, c) => Math.max(m, c.start), -Infinity);
  const windowStart = Number.isFinite(lastStart) ? lastStart - (style.candles - 1) * tf : 0;
  const slots: (Candle | undefined)[] = new Array(style.candles).fill(undefined);
  for (const c of candles) {
    const i = Math.floor((c.start - windowStart) / tf);
    if (i >= 0 && i < style.candles && isDrawable(c)) slots[i] = c;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of slots) {
    if (!c) continue;
    lo = Math.min(lo, c.low);
    hi = Math.max(hi, c.high);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  // A flat window still needs a price scale: one part in a thousand of its price (or 1) around it.
  const range = hi - lo || Math.abs(hi) * 1e-3 || 1;
  if (hi === lo) [lo, hi] = [lo - range / 2, hi + range / 2];
  const pad = (hi - lo) * style.padding;
  const slot = style.bodyWidth + style.gap;
  const mapping: ChartMapping = {
    width: style.width,
    height: style.height,
    windowStart,
    timeframeMs: tf,
    candles: style.candles,
    x0: style.width - style.candles * slot,
    slot,
    bodyWidth: style.bodyWidth,
    priceTop: hi + pad,
    priceBottom: lo - pad,
    priceRows: style.height - style.volumeRows,
  };
  return { slots, mapping };
}

const css = (c: Rgb): string => `rgb(${c[0]},${c[1]},${c[2]})`;

/** Renders the window of candles ending at the latest one (or options.lastStart). Gaps stay empty slots. */
export function renderChart(
  candles: readonly Candle[],
  style: ChartStyle = modelChartStyle,
  options: RenderOptions = {},
): RenderedChart {
  const { slots, mapping: m } = windowOf(candles, style, options);
  const canvas = createCanvas(style.width, style.height);
  const g = canvas.getContext('2d');
  g.fillStyle = css(style.colours.background);
  g.fillRect(0, 0, style.width, style.height);
  const row = (price: number): number => Math.min(m.priceRows - 1, Math.max(0, Math.round(priceToY(m, price))));
  const maxVolume = slots.reduce((v, c) => Math.max(v, c && Number.isFinite(c.volume) ? c.volume : 0), 0);
  let shown = 0;
  slots.forEach((c, i) => {
    if (!c) return;
    shown++;
    const left = m.x0 + i * m.slot;
    const high = row(c.high);
    const low = row(c.low);
    g.fillStyle = css(style.colours.wick);
    g.fillRect(left + Math.floor(m.bodyWidth / 2), high, 1, low - high + 1);
    const top = row(Math.max(c.open, c.close));
    const bottom = row(Math.min(c.open, c.close));
    g.fillStyle = css(c.close >= c.open ? style.colours.up : style.colours.down);
    g.fillRect(left, top, m.bodyWidth, bottom - top + 1);
    if (style.volumeRows > 0 && maxVolume > 0 && c.volume > 0) {
      const h = Math.max(1, Math.round((c.volume / maxVolume) * (style.volumeRows - 1)));
      g.fillStyle = css(style.colours.volume);
      g.fillRect(left, style.height - h, m.bodyWidth, h);
    }
  });
  const rgba = g.getImageData(0, 0, style.width, style.height).data;
  const n = style.width * style.height;
  const pixels = new Uint8Array(n * style.channels);
  for (let p = 0; p < n; p++) {
    for (let ch = 0; ch < style.channels; ch++) pixels[p * style.channels + ch] = rgba[p * 4 + ch]!;
  }
  return { width: style.width, height: style.height, channels: style.channels, pixels, mapping: m, slots, shown };
}

/** The models' input: charts of one size as float32 NCHW [charts.length, channels, height, width], pixel / 255. */
export function chartTensor(charts: readonly RenderedChart[]): Float32Array {
  const first = charts[0];
  if (!first) return new Float32Array(0);
  const { width, height, channels } = first;
  const plane = width * height;
  const out = new Float32Array(charts.length * channels * plane);
  charts.forEach((c, k) => {
    if (c.width !== width || c.height !== height || c.channels !== channels) {
      throw new InputError(
        `chart tensor: chart ${k} is ${c.width}x${c.height}x${c.channels}, the first ${width}x${height}x${channels}`,
      );
    }
    const base = k * channels * plane;
    for (let p = 0; p < plane; p++) {
      for (let ch = 0; ch < channels; ch++) out[base + ch * plane + p] = c.pixels[p * channels + ch]! / 255;
    }
  });
  return out;
}
