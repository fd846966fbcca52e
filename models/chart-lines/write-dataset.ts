import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { modelChartStyle, rendererVersion } from '../../stages/chart-vision/chart-renderer.ts';
import { splitSeeds, syntheticSample, type Split } from './synthetic-sample.ts';

// Writes the synthetic train and validation sets for train.py as raw arrays numpy reads with np.fromfile:
// build/<split>/images.u8 (count x height x width x channels), horizontal.u8 and ray.u8 (count x height x width,
// 0/1), and meta.json. The test split is never written: only the card evaluation regenerates it from its seeds.
//
//   npx tsx models/chart-lines/write-dataset.ts [trainCount=8000] [validationCount=500]

const root = fileURLToPath(new URL('./build/', import.meta.url));
const counts: Partial<Record<Split, number>> = {
  train: Number(process.argv[2] ?? 8_000),
  validation: Number(process.argv[3] ?? 500),
};
const style = modelChartStyle;

for (const [split, count] of Object.entries(counts) as [Split, number][]) {
  const dir = `${root}${split}/`;
  mkdirSync(dir, { recursive: true });
  const plane = style.width * style.height;
  const images = new Uint8Array(count * plane * style.channels);
  const horizontal = new Uint8Array(count * plane);
  const ray = new Uint8Array(count * plane);
  let levels = 0;
  let rays = 0;
  for (let i = 0; i < count; i++) {
    const s = syntheticSample(splitSeeds[split](i), style);
    images.set(s.image.pixels, i * plane * style.channels);
    horizontal.set(s.horizontal, i * plane);
    ray.set(s.ray, i * plane);
    levels += s.chart.levels.length;
    rays += s.chart.rays.length;
  }
  writeFileSync(`${dir}images.u8`, images);
  writeFileSync(`${dir}horizontal.u8`, horizontal);
  writeFileSync(`${dir}ray.u8`, ray);
  const meta = {
    split,
    count,
    candles: style.candles,
    firstSeed: splitSeeds[split](0),
    lastSeed: splitSeeds[split](count - 1),
    width: style.width,
    height: style.height,
    channels: style.channels,
    style: style.name,
    rendererVersion,
    levels,
    rays,
  };
  writeFileSync(`${dir}meta.json`, `${JSON.stringify(meta, null, 2)}\n`);
  console.log(JSON.stringify(meta));
}
