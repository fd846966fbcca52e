import {
  modelChartStyle,
  renderChart,
  type ChartStyle,
  type RenderedChart,
} from '../../stages/chart-vision/chart-renderer.ts';
import { drawLevel, drawRay } from './line-masks.ts';
import { generateChart, type SyntheticChart } from './synthetic-charts.ts';

// One training or evaluation example: the synthetic chart, its rendered image, and the two target masks drawn
// through the image's own price/pixel mapping.

export interface SyntheticSample {
  chart: SyntheticChart;
  image: RenderedChart;
  /** height x width, 1 on the rows of the labelled levels. */
  horizontal: Uint8Array;
  /** height x width, 1 along the labelled trend-line segments. */
  ray: Uint8Array;
}

export function syntheticSample(seed: number, style: ChartStyle = modelChartStyle): SyntheticSample {
  const chart = generateChart(seed, { candles: style.candles });
  const image = renderChart(chart.candles, style, { timeframeMs: chart.timeframeMs, lastStart: chart.lastStart });
  const horizontal = new Uint8Array(style.width * style.height);
  const ray = new Uint8Array(style.width * style.height);
  for (const l of chart.levels) drawLevel(horizontal, image.mapping, l.price);
  for (const r of chart.rays) drawRay(ray, image.mapping, r.from, r.to);
  return { chart, image, horizontal, ray };
}

/** Seeds of the three synthetic splits: disjoint ranges, so no chart is in two of them. */
export const splitSeeds = {
  train: (i: number): number => 1_000_000 + i,
  validation: (i: number): number => 2_000_000 + i,
  test: (i: number): number => 3_000_000 + i,
} as const;
export type Split = keyof typeof splitSeeds;
