import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ForecastCard } from '../pipeline/models/card-types.ts';
import { readModelCard } from '../pipeline/models/model-card.ts';
import { validateModelDir } from '../pipeline/models/model-registry.ts';
import { sha256Of } from '../pipeline/models/onnx-model.ts';
import { evaluateModel } from './evaluate.ts';

// Every bundled model's card against its committed model and data: the sha256, and the held-out numbers the
// Python training reported, recomputed here with onnxruntime-node from the committed candles.

const root = fileURLToPath(new URL('./', import.meta.url));
// The return forecasts trained on models/dataset; models of other tasks carry their own card tests.
const modelDirs = readdirSync(root).filter(
  (d) =>
    statSync(`${root}${d}`).isDirectory() &&
    existsSync(`${root}${d}/model.json`) &&
    readModelCard(`${root}${d}`).task === 'return-forecast',
);

const allModelDirs = readdirSync(root).filter((d) => existsSync(`${root}${d}/model.json`));

describe('every bundled model', () => {
  it.each(allModelDirs)('%s passes the registry: card, sha256, ONNX names and shapes by a dry run', async (dir) => {
    const { card } = await validateModelDir(`${root}${dir}`);
    expect(card.name).toBe(dir);
  });
});

describe('bundled model cards', () => {
  it('ships a linear and a gru model', () => {
    const kinds = modelDirs.map((d) => readModelCard(`${root}${d}`).kind).sort();
    expect(kinds).toEqual(['gru', 'linear']);
  });

  for (const dir of modelDirs) {
    describe(dir, () => {
      const card = readModelCard(`${root}${dir}`) as ForecastCard;

      it('names its folder and matches the sha256 of model.onnx', () => {
        expect(card.name).toBe(dir);
        expect(sha256Of(`${root}${dir}/${card.onnx.file}`)).toBe(card.onnx.sha256);
      });

      it("reproduces its held-out MAE, RMSE and directional accuracy, and the baseline's, in Node", async () => {
        const got = await evaluateModel(`${root}${dir}`, 'test');
        expect(got.count).toBe(card.metrics.count);
        // Python ran the float32 graph in torch, Node in onnxruntime: equal up to float32 rounding.
        expect(got.model.mae).toBeCloseTo(card.metrics.model.mae!, 8);
        expect(got.model.rmse).toBeCloseTo(card.metrics.model.rmse!, 8);
        // A prediction within float32 rounding of zero could flip sign between runtimes: allow one example.
        expect(Math.abs(got.model.directionalAccuracy - card.metrics.model.directionalAccuracy!)).toBeLessThanOrEqual(
          1 / got.count,
        );
        expect(got.baseline.mae).toBeCloseTo(card.metrics.baseline!.mae!, 12);
        expect(got.baseline.rmse).toBeCloseTo(card.metrics.baseline!.rmse!, 12);
        expect(got.baseline.directionalAccuracy).toBe(card.metrics.baseline!.directionalAccuracy!);
      });
    });
  }
});
