import { afterEach, describe, expect, it } from 'vitest';
import { topics, type Candle, type Prediction, type PredictionError } from '../../pipeline/index.ts';
import { input, StageUnderTest } from '../../pipeline/testing/run-stage.ts';
import { readErrorMonitorConfig } from './error-monitor-config.ts';
import { createErrorMonitorStage, type ErrorMonitorState, type RollingReport } from './stage.ts';

// Hand-checked arithmetic of the error monitor, on the real runner, one record at a time.

const MIN = 60_000;
const T0 = Date.UTC(2023, 2, 18);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function prediction(featureMin: number, predictedReturn: number, basePrice = 100, modelName = 'gru-h5'): Prediction {
  return {
    symbol: 'BTC/USDT',
    timeframe: '1m',
    featureTime: T0 + featureMin * MIN,
    horizon: 5,
    targetTime: T0 + (featureMin + 5) * MIN,
    basePrice,
    predictedReturn,
    predictedPrice: basePrice * Math.exp(predictedReturn),
    modelName,
    modelVersion: '1.0.0',
    modelSha256: 'a'.repeat(64),
  };
}

function candle(startMin: number, close: number): Candle {
  return {
    symbol: 'BTC/USDT',
    timeframe: '1m',
    start: T0 + startMin * MIN,
    end: T0 + (startMin + 1) * MIN,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    quoteVolume: null,
    vwap: null,
    trades: null,
    buyVolume: null,
    final: true,
  };
}

async function harness(config = {}) {
  const reports: RollingReport[] = [];
  const expired: number[] = [];
  const monitor = createErrorMonitorStage({
    config,
    onRolling: (r) => reports.push(r),
    onExpired: (e) => expired.push(e.targetTime),
  });
  const run = await new StageUnderTest<ErrorMonitorState>(monitor.stage).start();
  cleanups.push(() => run.close());
  // One record at a time: the order between the two topics is the test's, as one partition's batches would give.
  const push = (value: Prediction | Candle) =>
    run.send(['targetTime' in value ? input(topics.predictions, value) : input(topics.candles, value as Candle)]);
  return {
    monitor,
    run,
    get errors() {
      return run.values<PredictionError>(topics.predictionErrors);
    },
    state: async () => (await run.state()).get('BTC/USDT|1m')!,
    reports,
    expired,
    push,
  };
}

describe('error monitor', () => {
  it('computes one PredictionError by hand: model and baseline errors, direction, prices', async () => {
    const h = await harness();
    await h.push(prediction(0, 0.01));
    for (let m = 1; m <= 4; m++) await h.push(candle(m, 100));
    expect(h.errors).toEqual([]);
    await h.push(candle(5, 102));
    const actual = Math.log(1.02); // 0.0198026...
    expect(h.errors).toHaveLength(1);
    const e = h.errors[0]!;
    expect(e.actualReturn).toBeCloseTo(0.019802627296179712, 15);
    expect(e.error).toBeCloseTo(0.01 - actual, 15);
    expect(e.absError).toBeCloseTo(0.009802627296179712, 15);
    expect(e.directionCorrect).toBe(true);
    expect(e.baselineError).toBeCloseTo(-0.019802627296179712, 15);
    expect(e.baselineAbsError).toBeCloseTo(0.019802627296179712, 15);
    expect(e.actualPrice).toBe(102);
    expect(e.predictedPrice).toBeCloseTo(101.00501670841679, 10);
    expect(e).toMatchObject({ targetTime: T0 + 5 * MIN, featureTime: T0, modelName: 'gru-h5', modelVersion: '1.0.0' });
    expect((await h.state()).pending).toEqual([]);
  });

  it('keeps rolling MAE, RMSE and directional accuracy of model and baseline over each window', async () => {
    const h = await harness({ windows: [2, 50] });
    // (predicted, actual): (0.01, 0.02), (-0.01, 0.01), (0.03, 0): errors -0.01, -0.02, 0.03.
    const cases: [number, number][] = [
      [0.01, 0.02],
      [-0.01, 0.01],
      [0.03, 0],
    ];
    for (const [i, [p, a]] of cases.entries()) {
      await h.push(prediction(i, p));
      await h.push(candle(i + 5, 100 * Math.exp(a)));
    }
    expect(h.errors).toHaveLength(3);
    const last = h.reports.at(-1)!;
    expect(last).toMatchObject({ modelName: 'gru-h5', symbol: 'BTC/USDT', timeframe: '1m', expired: 0 });
    const [w2, w50] = last.stats;
    expect(w50!.count).toBe(3);
    expect(w50!.model.mae).toBeCloseTo(0.02, 12);
    expect(w50!.model.rmse).toBeCloseTo(Math.sqrt(14e-4 / 3), 12); // 0.0216025
    expect(w50!.model.directionalAccuracy).toBeCloseTo(1 / 3, 12);
    expect(w50!.baseline.mae).toBeCloseTo(0.01, 12);
    expect(w50!.baseline.rmse).toBeCloseTo(Math.sqrt(5e-4 / 3), 12); // 0.0129099
    expect(w50!.baseline.directionalAccuracy).toBeCloseTo(1 / 3, 12); // only the flat candle: sign 0 = sign 0
    expect(w2).toMatchObject({ window: 2, count: 2 });
    expect(w2!.model.mae).toBeCloseTo(0.025, 12);
    expect(w2!.baseline.mae).toBeCloseTo(0.005, 12);
    expect(w2!.model.directionalAccuracy).toBe(0);
    expect(h.monitor.snapshot()).toEqual([last]);
  });

  it('matches a prediction that arrives after its candle, and a candle that arrives out of order', async () => {
    const h = await harness();
    await h.push(candle(5, 101));
    await h.push(candle(6, 102));
    await h.push(prediction(0, 0.001));
    expect(h.errors.map((e) => e.actualPrice)).toEqual([101]);
    await h.push(prediction(3, -0.001)); // target minute 8
    await h.push(candle(9, 104));
    await h.push(candle(8, 103)); // late, out of order
    expect(h.errors.map((e) => [e.targetTime, e.actualPrice])).toEqual([
      [T0 + 5 * MIN, 101],
      [T0 + 8 * MIN, 103],
    ]);
    expect(h.errors[1]!.directionCorrect).toBe(false);
  });

  it('expires a prediction whose candle never comes, counting it once and emitting nothing', async () => {
    const h = await harness();
    await h.push(prediction(0, 0.01)); // target minute 5, expires when candles reach minute 5 + 2 x 5 = 15
    await h.push(prediction(1, 0.01)); // target minute 6
    for (let m = 6; m < 15; m++) await h.push(candle(m, 100)); // minute 5 is missing
    expect(h.expired).toEqual([]);
    expect(h.errors).toHaveLength(1); // minute 6 matched
    await h.push(candle(15, 100));
    expect(h.expired).toEqual([T0 + 5 * MIN]);
    expect((await h.state()).pending).toEqual([]);
    expect((await h.state()).expired).toEqual({ 'gru-h5': 1 });
    await h.push(candle(5, 100)); // far too late: nothing waits for it any more
    expect(h.errors).toHaveLength(1);
    // A prediction arriving when its expiry has already passed is counted at once.
    await h.push(prediction(-20, 0.01));
    expect(h.expired).toHaveLength(2);
    expect(h.errors).toHaveLength(1);
    expect(h.reports.at(-1)!.expired).toBe(2);
    expect(h.monitor.snapshot()[0]!.stats[0]!.count).toBe(1);
  });

  it('expires whatever is pending at the end of a bounded input', async () => {
    const h = await harness();
    await h.push(prediction(0, 0.01));
    await h.run.flush();
    expect(h.expired).toEqual([T0 + 5 * MIN]);
    expect((await h.state()).pending).toEqual([]);
  });

  it('keeps models apart, and a re-sent prediction replaces the waiting one', async () => {
    const h = await harness();
    await h.push(prediction(0, 0.01, 100, 'gru-h5'));
    await h.push(prediction(0, 0.02, 100, 'gru-h5'));
    await h.push(prediction(0, -0.01, 100, 'ridge-h5'));
    await h.push(candle(5, 101));
    expect(h.errors.map((e) => [e.modelName, e.predictedReturn])).toEqual([
      ['gru-h5', 0.02],
      ['ridge-h5', -0.01],
    ]);
    expect(
      h.monitor
        .snapshot()
        .map((r) => r.modelName)
        .sort(),
    ).toEqual(['gru-h5', 'ridge-h5']);
  });

  it('reads its windows from ERROR_WINDOWS and refuses nonsense naming the variable', () => {
    expect(readErrorMonitorConfig({ ERROR_WINDOWS: '10, 100' }).windows).toEqual([10, 100]);
    expect(() => readErrorMonitorConfig({ ERROR_WINDOWS: '10,x' })).toThrow(/^ERROR_WINDOWS must be/);
  });
});
