import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { modelChartStyle, rendererVersion } from '../../stages/chart-vision/chart-renderer.ts';
import type { ClassicalLevelOptions } from '../../stages/chart-vision/classical-levels.ts';
import type { ClassicalRayOptions } from '../../stages/chart-vision/classical-rays.ts';
import {
  defaultLevelOptions,
  defaultRayOptions,
  type LevelOptions,
  type RayOptions,
} from '../../stages/chart-vision/mask-lines.ts';
import {
  baselineFinder,
  modelFinder,
  openMaskModel,
  score,
  syntheticSet,
  type ChartCounts,
  type LineTarget,
  type PostProcessing,
} from './evaluate.ts';
import { matchPixels, minRayOverlap, pairedF1Bootstrap } from './line-metrics.ts';
import { rng } from './prng.ts';
import { maskHalfWidth } from './line-masks.ts';
import { labelTouchShare } from './synthetic-charts.ts';
import { splitSeeds } from './synthetic-sample.ts';

// After train.py: chooses the post-processing thresholds of each model and the parameters of its classical
// baseline on validation charts (best line-level F1 over a small grid), then scores both once on the held-out
// test charts and writes post-processing and metrics into model.json. The card test recomputes the test figures.
//
//   npx tsx models/chart-lines/evaluate-cards.ts

export const validationCount = 500;
export const testCount = 200;
export const bootstrapSeed = 11;
const models: { dir: string; target: LineTarget; baseline: string }[] = [
  { dir: 'chart-lines-horizontal', target: 'horizontal', baseline: 'pivot-clustering' },
  { dir: 'chart-lines-ray', target: 'ray', baseline: 'pivot-pair-lines' },
];

function grid<T extends object>(base: T, axes: { [K in keyof T]?: readonly T[K][] }): T[] {
  let out: T[] = [base];
  for (const [key, values] of Object.entries(axes) as [keyof T, T[keyof T][]][])
    out = out.flatMap((o) => values.map((v) => ({ ...o, [key]: v })));
  return out;
}

const levelGrid = grid<LevelOptions>(defaultLevelOptions, {
  threshold: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
  minSeparation: [3, 5],
});
const rayGrid = grid<RayOptions>(defaultRayOptions, {
  pixelThreshold: [0.3, 0.4, 0.5, 0.6],
  minVotes: [10, 20, 40],
  minLength: [12, 20],
  maxSegments: [2, 4],
});
const classicalLevelGrid = grid<ClassicalLevelOptions>(
  { span: 3, tolerancePixels: 2, minPivots: 2, minSeparation: 4, touchPixels: 2 },
  { span: [2, 3, 4], tolerancePixels: [1, 1.5, 2, 3], minPivots: [2, 3, 4] },
);
const classicalRayGrid = grid<ClassicalRayOptions>(
  {
    span: 2,
    tolerancePixels: 2,
    minPivots: 3,
    minLength: 12,
    minSlope: 0.05,
    minSeparation: 4,
    maxRays: 4,
    touchPixels: 2,
  },
  { span: [2, 3, 4], tolerancePixels: [1, 1.5, 2.5], minPivots: [3, 4, 5], maxRays: [1, 2, 4] },
);

function best<T>(options: readonly T[], f1: (o: T) => number): { chosen: T; f1: number } {
  let chosen = options[0] as T;
  let top = -1;
  for (const o of options) {
    const v = f1(o);
    if (v > top) [chosen, top] = [o, v];
  }
  return { chosen, f1: top };
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const validation = syntheticSet('validation', validationCount);
  const test = syntheticSet('test', testCount);
  for (const { dir, target, baseline } of models) {
    const cardFile = `${root}${dir}/model.json`;
    const card = JSON.parse(readFileSync(cardFile, 'utf8'));
    const model = await openMaskModel(`${root}${dir}`, card);
    if (model.sha256 !== card.onnx.sha256)
      throw new Error(`${dir}: model.onnx does not match the card's sha256; run train.py again`);
    const vMasks = await model.masks(validation);
    const own =
      target === 'horizontal'
        ? best(
            levelGrid,
            (o) =>
              score(
                target,
                validation,
                modelFinder(target, vMasks, { levels: o, baseline: { name: '', options: classicalLevelGrid[0]! } }),
              ).f1,
          )
        : best(
            rayGrid,
            (o) =>
              score(
                target,
                validation,
                modelFinder(target, vMasks, { rays: o, baseline: { name: '', options: classicalRayGrid[0]! } }),
              ).f1,
          );
    const classical = best<ClassicalLevelOptions | ClassicalRayOptions>(
      target === 'horizontal' ? classicalLevelGrid : classicalRayGrid,
      (o) => score(target, validation, baselineFinder(target, o)).f1,
    );
    const post: PostProcessing = {
      ...(target === 'horizontal' ? { levels: own.chosen as LevelOptions } : { rays: own.chosen as RayOptions }),
      baseline: { name: baseline, options: classical.chosen },
    };
    const tMasks = await model.masks(test);
    await model.release();
    card.image = { ...card.image, candles: modelChartStyle.candles, style: modelChartStyle.name, rendererVersion };
    card.data.split.counts.test = testCount;
    card.data.split.seeds.test = [splitSeeds.test(0), splitSeeds.test(testCount - 1)];
    card.postprocessing = {
      ...post,
      choice: `best line-level F1 on the first ${validationCount} validation charts over a grid (${target === 'horizontal' ? levelGrid.length : rayGrid.length} model settings, ${target === 'horizontal' ? classicalLevelGrid.length : classicalRayGrid.length} baseline settings)`,
      validationF1: { model: own.f1, baseline: classical.f1 },
    };
    const modelCharts: ChartCounts[] = [];
    const baselineCharts: ChartCounts[] = [];
    card.metrics = {
      span: 'test',
      count: testCount,
      matchRule:
        target === 'horizontal'
          ? `a found level matches a labelled one when their rows differ by at most ${matchPixels} px (one-to-one, closest first)`
          : `a found ray matches a labelled one when its line lies within ${matchPixels} px (mean vertical distance) along the labelled segment's columns and covers at least ${minRayOverlap * 100}% of them (one-to-one, closest first)`,
      labels: `a designed ${target === 'horizontal' ? 'level touched in at least 2' : 'trend line touched in at least 3'} separate visits (touch: high or low within ${labelTouchShare * 100}% of the window's range); masks ${2 * maskHalfWidth + 1} px thick`,
      model: score(target, test, modelFinder(target, tMasks, post), tMasks, modelCharts),
      baselines: {
        [baseline]: score(target, test, baselineFinder(target, classical.chosen), undefined, baselineCharts),
      },
      f1DifferenceBootstrap: pairedF1Bootstrap(modelCharts, baselineCharts, rng(bootstrapSeed).next),
    };
    writeFileSync(cardFile, `${JSON.stringify(card, null, 2)}\n`);
    console.log(dir, JSON.stringify(card.postprocessing), JSON.stringify(card.metrics, null, 1));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
