import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { overlayPng } from './overlay.ts';
import { splitSeeds, syntheticSample } from './synthetic-sample.ts';

// The README's picture of the training data: the first four train charts with their labelled lines.
//
//   npx tsx models/chart-lines/synthetic-examples.ts

const dir = fileURLToPath(new URL('./examples/', import.meta.url));
mkdirSync(dir, { recursive: true });
const panels = [0, 1, 2, 3].map((i) => {
  const s = syntheticSample(splitSeeds.train(i));
  return {
    chart: s.image,
    title: `seed ${s.chart.seed} (${s.chart.scenario})`,
    levels: s.chart.levels,
    rays: s.chart.rays,
  };
});
writeFileSync(
  `${dir}synthetic-train-0-3.png`,
  overlayPng(panels, 'labelled levels and trend lines (green: support, red: resistance)', 2),
);
