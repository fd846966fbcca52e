import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { featureVectors, loadCandles } from '../../models/dataset/dataset.ts';
import {
  loadForecastModel,
  normalisedRow,
  topics,
  writeWindow,
  type FeatureVector,
  type ModelRegistry,
  type Prediction,
} from '../../pipeline/index.ts';
import { InMemoryModelRegistry } from '../../pipeline/models/memory-model-registry.ts';
import { input, StageUnderTest } from '../../pipeline/testing/run-stage.ts';
import { createPredictorStage, type PredictorStage } from './stage.ts';

// The predictor on the real runner and embedded bus, with the bundled models and real feature vectors (the
// committed BTC/USDT candles through the indicators code).

const modelDir = (name: string) => fileURLToPath(new URL(`../../models/${name}/`, import.meta.url));
const allFeatures = featureVectors(loadCandles());
const log = { debug() {}, info() {}, warn() {}, error() {} };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(predictor: PredictorStage) {
  const run = await new StageUnderTest(predictor.stage).start();
  cleanups.push(async () => {
    await run.close();
    await predictor.close();
  });
  return {
    get predictions() {
      return run.values<Prediction>(topics.predictions);
    },
    dead: run.deadLetters,
    send: (fvs: readonly FeatureVector[]) => run.send(fvs.map((f) => input(topics.features, f))),
  };
}

/** What the model predicts for the window ending at each index, computed directly (no stage, no runner). */
async function direct(name: string, fvs: readonly FeatureVector[]): Promise<Map<number, number>> {
  const model = await loadForecastModel(modelDir(name));
  const W = model.card.inputs.windowLength;
  const F = model.card.inputs.features.length;
  const rows = fvs.map((f) => normalisedRow(f, model.card));
  const starts: number[] = [];
  const windows: number[][][] = [];
  for (let i = W - 1; i < fvs.length; i++) {
    const w = rows.slice(i - W + 1, i + 1);
    if (w.every((r) => r !== null)) {
      starts.push(fvs[i]!.start);
      windows.push(w as number[][]);
    }
  }
  const input = new Float32Array(windows.length * W * F);
  windows.forEach((w, slot) => writeWindow(input, slot, w, F));
  const out = await model.runBatch(input, windows.length);
  await model.release();
  return new Map(starts.map((s, i) => [s, out[i]!]));
}

async function registryWith(active: string) {
  const registry = new InMemoryModelRegistry();
  await registry.register(modelDir('ridge-h5'));
  await registry.register(modelDir('gru-h5'));
  await registry.activate(active, '1.0.0');
  return registry;
}

describe('predictor stage', () => {
  for (const name of ['ridge-h5', 'gru-h5']) {
    it(`${name}: one prediction per complete window, equal to the model run directly; warm-up rows give nothing and no error`, async () => {
      const fvs = allFeatures.slice(0, 400);
      const expected = await direct(name, fvs);
      const h = await harness(
        createPredictorStage({ registry: await registryWith(name), config: { batchMax: 64, batchWaitMs: 0 }, log }),
      );
      await h.send(fvs.slice(0, 150));
      await h.send(fvs.slice(150));
      expect(h.dead).toEqual([]);
      expect(h.predictions.map((p) => p.featureTime)).toEqual([...expected.keys()]);
      const first = fvs.findIndex((f) => f.adx14 !== null); // the last feature to warm up
      expect(h.predictions[0]!.featureTime).toBe(fvs[first + (name === 'gru-h5' ? 29 : 0)]!.start);
      for (const p of h.predictions) {
        expect(p.predictedReturn).toBe(expected.get(p.featureTime));
        expect(p).toMatchObject({
          symbol: 'BTC/USDT',
          timeframe: '1m',
          horizon: 5,
          targetTime: p.featureTime + 5 * 60_000,
          modelName: name,
          modelVersion: '1.0.0',
        });
        expect(p.predictedPrice).toBeCloseTo(p.basePrice * Math.exp(p.predictedReturn), 9);
      }
    });
  }

  it('hot reload under traffic: activating another model switches each series once, dropping and doubling nothing', async () => {
    const registry = await registryWith('ridge-h5');
    const h = await harness(
      createPredictorStage({ registry, config: { batchMax: 32, batchWaitMs: 0, reloadIntervalMs: 0 }, log }),
    );
    const series = (symbol: string) => allFeatures.slice(0, 1200).map((f) => ({ ...f, symbol }));
    const a = series('BTC/USDT');
    const b = series('ETH/USDT');
    const warm = allFeatures.findIndex((f) => f.adx14 !== null);
    // The GRU, once active, reads the 30 rows before each vector from the stage's history.
    const expectedPerSeries = 1200 - warm;
    let sent = 0;
    const chunk = 50;
    for (; sent < 500; sent += chunk) await h.send([...a.slice(sent, sent + chunk), ...b.slice(sent, sent + chunk)]);
    expect(h.predictions.length).toBeGreaterThanOrEqual(200);
    await registry.activate('gru-h5', '1.0.0');
    for (; sent < 1200; sent += chunk) await h.send([...a.slice(sent, sent + chunk), ...b.slice(sent, sent + chunk)]);
    expect(h.predictions).toHaveLength(2 * expectedPerSeries);
    for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
      const mine = h.predictions.filter((p) => p.symbol === symbol);
      const times = mine.map((p) => p.featureTime);
      expect(new Set(times).size).toBe(expectedPerSeries);
      expect(times).toEqual(a.slice(warm).map((f) => f.start));
      const models = mine.map((p) => p.modelName);
      const switchAt = models.indexOf('gru-h5');
      expect(switchAt).toBeGreaterThan(0);
      expect(models.slice(0, switchAt).every((m) => m === 'ridge-h5')).toBe(true);
      expect(models.slice(switchAt).every((m) => m === 'gru-h5')).toBe(true);
    }
    expect(h.dead).toEqual([]);
  });

  it('a model of another timeframe predicts nothing for it, and a corrected vector is predicted again under the same key', async () => {
    const h = await harness(
      createPredictorStage({ registry: await registryWith('ridge-h5'), config: { batchWaitMs: 0 }, log }),
    );
    const fvs = allFeatures.slice(0, 60);
    await h.send(fvs.map((f) => ({ ...f, timeframe: '5m' })));
    await h.send(fvs);
    await h.send([{ ...fvs[59]!, rsi14: 10 }]);
    const n = fvs.filter((f) => f.adx14 !== null).length;
    expect(h.predictions).toHaveLength(n + 1);
    expect(h.predictions.every((p) => p.timeframe === '1m')).toBe(true);
    const last = h.predictions.slice(-2);
    expect(last[0]!.featureTime).toBe(last[1]!.featureTime);
    expect(last[0]!.predictedReturn).not.toBe(last[1]!.predictedReturn);
  });
});

describe('ServingModel', () => {
  it('asks the registry at most every reloadIntervalMs, and keeps serving when the new model cannot load', async () => {
    let now = 0;
    let asked = 0;
    const inner = await registryWith('ridge-h5');
    const registry: ModelRegistry = {
      register: (dir) => inner.register(dir),
      list: (task) => inner.list(task),
      activate: (name, version, scope) => inner.activate(name, version, scope),
      active: (task, series) => inner.active(task, series),
      activations: (task) => (asked++, inner.activations(task)),
    };
    const p = createPredictorStage({ registry, config: { reloadIntervalMs: 2_000 }, log, now: () => now });
    cleanups.push(() => p.close());
    const series = { symbol: 'BTC/USDT', timeframe: '1m' };
    const serving = async () => (
      await p.serving.refresh(),
      p.serving.modelFor(series.symbol, series.timeframe)?.card.name
    );
    expect(await serving()).toBe('ridge-h5');
    await inner.activate('gru-h5', '1.0.0');
    now = 1_999;
    expect(await serving()).toBe('ridge-h5');
    expect(asked).toBe(1);
    now = 2_000;
    expect(await serving()).toBe('gru-h5');
    expect(asked).toBe(2);
    const [gru] = await inner.activations('return-forecast');
    registry.activations = async () => [{ ...gru!, sha256: 'f'.repeat(64), dir: '/nonexistent' }];
    now = 4_000;
    expect(await serving()).toBe('gru-h5');
  });

  it('serves each series the most specific active model, and nothing where none is active', async () => {
    const registry = await registryWith('ridge-h5');
    await registry.activate('gru-h5', '1.0.0', { symbol: 'ETH/USDT', timeframe: '1m' });
    const p = createPredictorStage({ registry, config: { reloadIntervalMs: 0 }, log });
    cleanups.push(() => p.close());
    await p.serving.refresh();
    expect(p.serving.modelFor('BTC/USDT', '1m')?.card.name).toBe('ridge-h5');
    expect(p.serving.modelFor('ETH/USDT', '1m')?.card.name).toBe('gru-h5');
    expect(p.serving.modelFor('BTC/USDT', '5m')).toBeNull();
  });
});

describe('readPredictorConfig', () => {
  it('reads the batching, provider and reload settings, refusing an unknown provider by name', async () => {
    const { readPredictorConfig } = await import('./predictor-config.ts');
    expect(
      readPredictorConfig({
        PREDICTOR_BATCH_MAX: '128',
        PREDICTOR_BATCH_WAIT_MS: '3',
        MODEL_EXECUTION_PROVIDER: 'cuda',
        MODEL_RELOAD_INTERVAL: '500ms',
      }),
    ).toMatchObject({ batchMax: 128, batchWaitMs: 3, provider: 'cuda', reloadIntervalMs: 500 });
    expect(() => readPredictorConfig({ MODEL_EXECUTION_PROVIDER: 'tpu' })).toThrow(/^MODEL_EXECUTION_PROVIDER/);
  });
});
