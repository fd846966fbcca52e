import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { Candle } from '../../schemas/types.ts';
import { renderChart, type RenderedChart } from '../../stages/chart-vision/chart-renderer.ts';
import { classicalLevels } from '../../stages/chart-vision/classical-levels.ts';
import { classicalRays } from '../../stages/chart-vision/classical-rays.ts';
import { levelsFromMask, raysFromMask } from '../../stages/chart-vision/mask-lines.ts';
import { loadCandles } from '../dataset/dataset.ts';
import { openMaskModel } from './evaluate.ts';
import { overlayPng } from './overlay.ts';
import type { SyntheticSample } from './synthetic-sample.ts';

// Both models and their baselines on a few windows of real candles, as overlay PNGs in each model's folder. The
// windows were fixed by date before any model was run on them (not picked by result). There is no ground truth
// for real charts: these pictures show what the lines look like, they measure nothing.
//
//   npx tsx models/chart-lines/real-overlays.ts

const HOUR = 3_600_000;
const MINUTE = 60_000;
const here = fileURLToPath(new URL('./', import.meta.url));
const root = fileURLToPath(new URL('../', import.meta.url));

function krakenHourly(): Candle[] {
  const text = gunzipSync(readFileSync(`${here}real/kraken_XBTUSD_60m_202003.csv.gz`)).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [t, open, high, low, close, volume, trades] = l.split(',').map(Number);
      const start = t! * 1000;
      return {
        symbol: 'BTC/USD',
        timeframe: '1h',
        start,
        end: start + HOUR,
        open: open!,
        high: high!,
        low: low!,
        close: close!,
        volume: volume!,
        quoteVolume: null,
        vwap: null,
        trades: trades!,
        buyVolume: null,
        final: true,
      };
    });
}

const windows = [
  { name: 'binanceus-btcusdt-1m-20230310T1400', source: 'binance', end: Date.UTC(2023, 2, 10, 14), tf: MINUTE },
  { name: 'binanceus-btcusdt-1m-20230315T1500', source: 'binance', end: Date.UTC(2023, 2, 15, 15), tf: MINUTE },
  { name: 'kraken-xbtusd-1h-20200313T1200', source: 'kraken', end: Date.UTC(2020, 2, 13, 12), tf: HOUR },
  { name: 'kraken-xbtusd-1h-20200329T0000', source: 'kraken', end: Date.UTC(2020, 2, 29), tf: HOUR },
] as const;

interface Window {
  name: string;
  chart: RenderedChart;
  caption: string;
}

function windowOf(
  candles: readonly Candle[],
  end: number,
  tf: number,
  source: 'binance' | 'kraken',
  name: string,
): Window {
  const inside = candles.filter((c) => c.start >= end - 64 * tf && c.start < end);
  const chart = renderChart(inside, undefined, { timeframeMs: tf, lastStart: end - tf });
  const what = source === 'binance' ? 'Binance.US BTC/USDT 1m' : 'Kraken XBT/USD 1h';
  return { name, chart, caption: `${what}, 64 candles to ${new Date(end).toISOString().slice(0, 16)}Z` };
}

/** Regular windows over both series (every 150th 1m candle, every 16th hourly candle), for the rates. */
function regularWindows(sources: Record<'binance' | 'kraken', Candle[]>): Window[] {
  const out: Window[] = [];
  const b = sources.binance;
  for (let e = 64; e <= b.length; e += 150) out.push(windowOf(b, b[e - 1]!.end, MINUTE, 'binance', `binance-${e}`));
  const k = sources.kraken;
  for (let e = 64; e <= k.length; e += 16) out.push(windowOf(k, k[e - 1]!.end, HOUR, 'kraken', `kraken-${e}`));
  return out;
}

async function main(): Promise<void> {
  const sources = { binance: loadCandles(), kraken: krakenHourly() };
  const fixed = windows.map((w) => windowOf(sources[w.source], w.end, w.tf, w.source, w.name));
  const regular = regularWindows(sources);
  for (const dir of ['chart-lines-horizontal', 'chart-lines-ray']) {
    const horizontal = dir === 'chart-lines-horizontal';
    const card = JSON.parse(readFileSync(`${root}${dir}/model.json`, 'utf8'));
    const post = card.postprocessing;
    const model = await openMaskModel(`${root}${dir}`, card);
    const all = [...fixed, ...regular];
    const masks = await model.masks(all.map((w) => ({ image: w.chart }) as SyntheticSample));
    await model.release();
    const found = all.map((w, k) =>
      horizontal
        ? { levels: levelsFromMask(masks[k]!, w.chart, post.levels) }
        : { rays: raysFromMask(masks[k]!, w.chart, post.rays) },
    );
    const base = all.map((w) =>
      horizontal
        ? { levels: classicalLevels(w.chart, post.baseline.options) }
        : { rays: classicalRays(w.chart, post.baseline.options) },
    );
    const count = (f: { levels?: unknown[]; rays?: unknown[] }): number => (f.levels ?? f.rays ?? []).length;
    // The fixed windows, then the first two regular windows in which the model found a line: selected by result,
    // and named so, to show what its lines look like on real candles.
    const selected = regular
      .map((_, i) => i + fixed.length)
      .filter((k) => count(found[k]!) > 0)
      .slice(0, 2);
    mkdirSync(`${root}${dir}/overlays`, { recursive: true });
    for (const k of [...fixed.map((_, i) => i), ...selected]) {
      const w = all[k]!;
      const name = k < fixed.length ? w.name : `selected-${w.name}`;
      const png = overlayPng(
        [
          { chart: w.chart, title: card.name, ...found[k] },
          { chart: w.chart, title: post.baseline.name, ...base[k] },
        ],
        w.caption,
      );
      writeFileSync(`${root}${dir}/overlays/${name}.png`, png);
      const lines = (found[k]!.levels ?? found[k]!.rays ?? []).map((l) =>
        'price' in l
          ? `${l.kind} ${l.price.toFixed(2)} (${l.touches} touches, confidence ${l.confidence.toFixed(2)})`
          : `${l.kind} ${l.from.price.toFixed(2)} -> ${l.to.price.toFixed(2)}, candles ${l.from.index.toFixed(1)}-${l.to.index.toFixed(1)} (${l.touches} touches, confidence ${l.confidence.toFixed(2)})`,
      );
      console.log(`${dir} ${name}: ${lines.join('; ') || 'none'}; baseline: ${count(base[k]!)}`);
    }
    for (const source of ['binance', 'kraken']) {
      const ks = regular.map((w, i) => [w, i + fixed.length] as const).filter(([w]) => w.name.startsWith(source));
      const rate = (xs: { levels?: unknown[]; rays?: unknown[] }[]): string =>
        `${ks.filter(([, k]) => count(xs[k]!) > 0).length}/${ks.length} windows with a line, ${(ks.reduce((s, [, k]) => s + count(xs[k]!), 0) / ks.length).toFixed(2)} lines per window`;
      console.log(`${dir} regular ${source} windows: model ${rate(found)}; baseline ${rate(base)}`);
    }
  }
}

await main();
