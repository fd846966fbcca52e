import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureVector } from '../../pipeline/index.ts';
import { evaluateVolatilityModel, type VolatilityEvaluation } from './evaluate-volatility.ts';
import {
  baselineNames,
  readVolatilityCard,
  VOLATILITY_TASK,
  type CardDieboldMariano,
  type VolatilityCard,
} from './volatility-card.ts';

// Every bundled volatility-forecast card against its committed model and data: sha256, the shapes the predictor
// feeds, and every held-out figure (losses, baselines, Diebold-Mariano statistics and p-values) that the Python
// training wrote, recomputed here with the TypeScript indicators, the predictor's input code and onnxruntime-node.
// The graph computes in float64 and both sides round the same float64 forecast to float32, so figures agree to
// summation order: 1e-9 relative is a wide margin.

const root = fileURLToPath(new URL('../', import.meta.url));
const volatilityDirs = readdirSync(root).filter((d) => {
  const file = `${root}${d}/model.json`;
  return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { task?: string }).task === VOLATILITY_TASK;
});

function expectRelative(got: number, want: number, what: string, tolerance = 1e-9): void {
  expect(Number.isFinite(got), what).toBe(true);
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(tolerance * Math.abs(want));
}

function expectDm(got: CardDieboldMariano, want: CardDieboldMariano, what: string): void {
  for (const key of ['meanDifferential', 'longRunVariance', 'statistic', 'hlnStatistic', 'pValue'] as const)
    expectRelative(got[key], want[key], `${what} ${key}`);
}

/** The HAR forecast the card documents, from raw FeatureVector values (no normalisation, no float32 input). */
function documentedHarForecast(card: VolatilityCard, window: readonly FeatureVector[]): number {
  const t = card.training as {
    returnScales: number[];
    rangeScales: number[];
    atrLevel: boolean;
    logFloor: number;
    coefficients: Record<string, number>;
  };
  const W = window.length;
  const r2 = window.map((f) => f.logReturn! ** 2);
  const t2 = window.slice(1).map((f, j) => ((14 * f.atr14! - 13 * window[j]!.atr14!) / f.close) ** 2);
  const lnMean = (x: number[], k: number) =>
    Math.log(x.slice(x.length - k).reduce((a, b) => a + b, 0) / k + t.logFloor);
  let eta = t.coefficients.intercept!;
  for (const k of t.returnScales) eta += t.coefficients[`lnMeanR2_${k}`]! * lnMean(r2, k);
  for (const k of t.rangeScales) eta += t.coefficients[`lnMeanTR2_${k}`]! * lnMean(t2, k);
  if (t.atrLevel)
    eta += t.coefficients.lnAtrOverClose2! * Math.log((window[W - 1]!.atr14! / window[W - 1]!.close) ** 2 + t.logFloor);
  return Math.exp(eta / 2);
}

describe('bundled volatility model cards', () => {
  it('ships the 1m BTC/USDT and the 1h BTC/USD model', () => {
    expect(volatilityDirs).toEqual(['har-vol-1h-h24', 'har-vol-1m-h30']);
  });

  for (const dir of volatilityDirs) {
    describe(dir, () => {
      const path = `${root}${dir}`;
      const card = readVolatilityCard(path);
      let test: VolatilityEvaluation;
      beforeAll(async () => {
        test = await evaluateVolatilityModel(path, 'test');
      });

      it('names its folder, matches the sha256 of model.onnx and declares a window of its time split', () => {
        expect(card.name).toBe(dir);
        expect(test.sha256).toBe(card.onnx.sha256);
        expect(card.onnx.opset).toBe(17);
        const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
        const declared = Object.fromEntries(
          Object.entries(test.spans).map(([k, s]) => [k, { from: iso(s.from), to: iso(s.to) }]),
        );
        expect(card.data.spans).toEqual(declared);
      });

      it('reproduces its held-out losses and its baselines', () => {
        const m = card.metrics;
        expect(test.count).toBe(m.count);
        expect(test.zeroTargetsLeftOut).toBe(card.data.zeroTargetsLeftOut.test);
        expect(test.firstFeatureTime).toBe(m.firstFeatureTime);
        expect(test.lastFeatureTime).toBe(m.lastFeatureTime);
        expectRelative(test.model.mse, m.model.mse, 'model mse');
        expectRelative(test.model.qlike, m.model.qlike, 'model qlike');
        for (const b of baselineNames) {
          expectRelative(test.baselines[b].mse, m.baselines[b].mse, `${b} mse`);
          expectRelative(test.baselines[b].qlike, m.baselines[b].qlike, `${b} qlike`);
        }
      });

      it('reproduces its Diebold-Mariano statistics and p-values against each baseline', () => {
        expect(card.metrics.dieboldMariano.lag).toBe(card.horizon - 1);
        for (const b of baselineNames) {
          expectDm(
            test.dieboldMariano[b].squaredError,
            card.metrics.dieboldMariano[b].squaredError,
            `${b} squared error`,
          );
          expectDm(test.dieboldMariano[b].qlike, card.metrics.dieboldMariano[b].qlike, `${b} qlike`);
        }
      });

      it("reproduces the chosen candidate's validation QLIKE and the validation baselines", async () => {
        const training = card.training as {
          chosen: { regressors: string; fit: string };
          candidates: { regressors: string; fit: string; validationQlike: number; validationMse: number }[];
          validationBaselines: Record<string, { mse: number; qlike: number }>;
        };
        const validation = await evaluateVolatilityModel(path, 'validation');
        const chosen = training.candidates.find(
          (c) => c.regressors === training.chosen.regressors && c.fit === training.chosen.fit,
        )!;
        expect(Math.min(...training.candidates.map((c) => c.validationQlike))).toBe(chosen.validationQlike);
        expectRelative(validation.model.qlike, chosen.validationQlike, 'validation qlike');
        expectRelative(validation.model.mse, chosen.validationMse, 'validation mse');
        for (const b of baselineNames)
          expectRelative(
            validation.baselines[b].qlike,
            training.validationBaselines[b]!.qlike,
            `validation ${b} qlike`,
          );
      });

      it('computes the regressors and coefficients the card documents', () => {
        const { features } = test;
        const W = card.inputs.windowLength;
        for (let e = 0; e < test.count; e += 97) {
          const i = test.index[e]!;
          // float32 inputs and output: about 1e-7 relative from the float64 formula.
          expectRelative(
            test.forecasts.model[e]!,
            documentedHarForecast(card, features.slice(i - W + 1, i + 1)),
            `forecast ${e}`,
            1e-5,
          );
        }
      });
    });
  }
});
