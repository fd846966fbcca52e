import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderChart } from '../../stages/chart-vision/chart-renderer.ts';
import { levelsFromMask, raysFromMask } from '../../stages/chart-vision/mask-lines.ts';
import { openMaskModel, syntheticSet } from './evaluate.ts';

// Wall-clock costs on this machine (one onnxruntime thread): rendering a chart, each model per chart at batch 1
// and 32, and the post-processing. Printed, never asserted: the figures depend on the machine and its load.
//
//   npx tsx models/chart-lines/bench-chart-lines.ts

const root = fileURLToPath(new URL('../', import.meta.url));
const samples = syntheticSet('test', 64);
const time = (f: () => void, n: number): number => {
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t) / n;
};
let k = 0;
const render = time(() => renderChart(samples[k++ % samples.length]!.chart.candles), 500);
console.log(`render: ${render.toFixed(3)} ms per 128x128 chart`);
for (const dir of ['chart-lines-horizontal', 'chart-lines-ray']) {
  const card = JSON.parse(readFileSync(`${root}${dir}/model.json`, 'utf8'));
  const model = await openMaskModel(`${root}${dir}`, card);
  // Warm-up at both batch sizes: onnxruntime allocates its buffers on the first run of a shape.
  await model.masks(samples.slice(0, 1), 1);
  await model.masks(samples, 32);
  let t = performance.now();
  for (const s of samples) await model.masks([s], 1);
  const one = (performance.now() - t) / samples.length;
  t = performance.now();
  let masks: Float32Array[] = [];
  for (let r = 0; r < 3; r++) masks = await model.masks(samples, 32);
  const batched = (performance.now() - t) / (3 * samples.length);
  await model.release();
  let j = 0;
  const post =
    dir === 'chart-lines-horizontal'
      ? time(() => levelsFromMask(masks[j % 64]!, samples[j++ % 64]!.image, card.postprocessing.levels), 200)
      : time(() => raysFromMask(masks[j % 64]!, samples[j++ % 64]!.image, card.postprocessing.rays), 200);
  console.log(
    `${dir}: ${one.toFixed(2)} ms per chart at batch 1, ${batched.toFixed(2)} ms at batch 32, post-processing ${post.toFixed(2)} ms`,
  );
}
