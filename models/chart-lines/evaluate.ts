import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { indexToX, priceToY, type ChartMapping } from '../../stages/chart-vision/chart-mapping.ts';
import { chartTensor } from '../../stages/chart-vision/chart-renderer.ts';
import { classicalLevels, type ClassicalLevelOptions } from '../../stages/chart-vision/classical-levels.ts';
import { classicalRays, type ClassicalRayOptions } from '../../stages/chart-vision/classical-rays.ts';
import {
  levelsFromMask,
  raysFromMask,
  type FoundLevel,
  type FoundRay,
  type LevelOptions,
  type RayOptions,
} from '../../stages/chart-vision/mask-lines.ts';
import { drawLevel, drawRay, iouCounts } from './line-masks.ts';
import { LineCounts, matchLevels, matchRays, type PixelSegment } from './line-metrics.ts';
import { splitSeeds, syntheticSample, type Split, type SyntheticSample } from './synthetic-sample.ts';

// Scores of the chart-lines models and their classical baselines on a synthetic split, shared by
// evaluate-cards.ts (which writes the cards) and the card test (which recomputes them).

export type LineTarget = 'horizontal' | 'ray';

export interface LineScores {
  /** Pooled pixel IoU of the mask (model: its probabilities at 0.5; baseline: its lines drawn 3 px thick). */
  pixelIou: number;
  /** Pooled pixel IoU of the found lines drawn 3 px thick, like the labels. */
  lineMaskIou: number;
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  found: number;
  labelled: number;
}

export function syntheticSet(split: Split, count: number): SyntheticSample[] {
  return Array.from({ length: count }, (_, i) => syntheticSample(splitSeeds[split](i)));
}

export interface MaskModel {
  sha256: string;
  /** One height x width probability mask per chart. */
  masks(samples: readonly SyntheticSample[], batch?: number): Promise<Float32Array[]>;
  release(): Promise<void>;
}

export async function openMaskModel(
  dir: string,
  card: { onnx: { file: string; inputName: string; outputName: string } },
): Promise<MaskModel> {
  const bytes = readFileSync(join(dir, card.onnx.file));
  const { createHash } = await import('node:crypto');
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    async masks(samples, batch = 50) {
      const out: Float32Array[] = [];
      for (let i = 0; i < samples.length; i += batch) {
        const part = samples.slice(i, i + batch).map((s) => s.image);
        const { width, height, channels } = part[0]!;
        const input = new ort.Tensor('float32', chartTensor(part), [part.length, channels, height, width]);
        const result = await session.run({ [card.onnx.inputName]: input });
        const data = result[card.onnx.outputName]!.data as Float32Array;
        for (let k = 0; k < part.length; k++) out.push(data.slice(k * width * height, (k + 1) * width * height));
      }
      return out;
    },
    release: () => session.release(),
  };
}

const levelRows = (m: ChartMapping, prices: readonly number[]): number[] => prices.map((p) => priceToY(m, p));

function raySegment(
  m: ChartMapping,
  r: { from: { index: number; price: number }; to: { index: number; price: number } },
): PixelSegment {
  return {
    x0: indexToX(m, r.from.index),
    y0: priceToY(m, r.from.price),
    x1: indexToX(m, r.to.index),
    y1: priceToY(m, r.to.price),
  };
}

/** Lines found in one chart, by the model's mask or by the baseline. */
export type Finder = (sample: SyntheticSample, index: number) => (FoundLevel | FoundRay)[];

/** Per chart: [true positives, found, labelled]. */
export type ChartCounts = [number, number, number];

function lineCounts(
  target: LineTarget,
  s: SyntheticSample,
  found: (FoundLevel | FoundRay)[],
  drawn: Uint8Array,
): ChartCounts {
  const m = s.image.mapping;
  if (target === 'horizontal') {
    const levels = found as FoundLevel[];
    for (const l of levels) drawLevel(drawn, m, l.price);
    const truth = levelRows(
      m,
      s.chart.levels.map((l) => l.price),
    );
    return [
      matchLevels(
        truth,
        levelRows(
          m,
          levels.map((l) => l.price),
        ),
      ),
      levels.length,
      s.chart.levels.length,
    ];
  }
  const rays = found as FoundRay[];
  for (const r of rays) drawRay(drawn, m, r.from, r.to);
  const truth = s.chart.rays.map((r) => raySegment(m, r));
  return [
    matchRays(
      truth,
      rays.map((r) => raySegment(m, r)),
    ),
    rays.length,
    s.chart.rays.length,
  ];
}

/**
 * Scores lines found on `samples`; `masks` (the model's) gives the raw-mask pixel IoU, else the drawn lines do.
 * `perChart`, when given, receives each chart's line counts (for the paired bootstrap).
 */
export function score(
  target: LineTarget,
  samples: readonly SyntheticSample[],
  find: Finder,
  masks?: readonly Float32Array[],
  perChart?: ChartCounts[],
): LineScores {
  const counts = new LineCounts();
  let [mi, mu, li, lu] = [0, 0, 0, 0];
  samples.forEach((s, k) => {
    const truth = target === 'horizontal' ? s.horizontal : s.ray;
    const drawn = new Uint8Array(truth.length);
    const c = lineCounts(target, s, find(s, k), drawn);
    counts.add(...c);
    perChart?.push(c);
    const line = iouCounts(drawn, truth);
    li += line.intersection;
    lu += line.union;
    const mask = masks?.[k];
    const raw = mask
      ? iouCounts(
          Uint8Array.from(mask, (p) => (p >= 0.5 ? 1 : 0)),
          truth,
        )
      : line;
    mi += raw.intersection;
    mu += raw.union;
  });
  return { pixelIou: mu ? mi / mu : 1, lineMaskIou: lu ? li / lu : 1, ...counts.summary() };
}

/** How the card's model and baseline find lines. */
export interface PostProcessing {
  levels?: LevelOptions;
  rays?: RayOptions;
  baseline: { name: string; options: ClassicalLevelOptions | ClassicalRayOptions };
}

export function modelFinder(target: LineTarget, masks: readonly Float32Array[], p: PostProcessing): Finder {
  return target === 'horizontal'
    ? (s, k) => levelsFromMask(masks[k]!, s.image, p.levels)
    : (s, k) => raysFromMask(masks[k]!, s.image, p.rays);
}

export function baselineFinder(target: LineTarget, options: ClassicalLevelOptions | ClassicalRayOptions): Finder {
  return target === 'horizontal'
    ? (s) => classicalLevels(s.image, options as ClassicalLevelOptions)
    : (s) => classicalRays(s.image, options as ClassicalRayOptions);
}
