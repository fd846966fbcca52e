import { afterEach, describe, expect, it } from 'vitest';
import { topics, type Candle, type Prediction, type PredictionError } from '../../pipeline/index.ts';
import { rollingStats } from '../../market/forecast-metrics.ts';
import { input, StageUnderTest } from '../../pipeline/testing/run-stage.ts';
import { createErrorMonitorStage } from './stage.ts';

// The error monitor on the real runner: two co-partitioned inputs sharing one state per symbol|timeframe, and
// rolling stats recomputable from the emitted PredictionError rows alone (what the API does from the database).

const MIN = 60_000;
const T0 = Date.UTC(2023, 2, 18);
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

describe('error monitor on the runner', () => {
  it('matches predictions and candles of several series, and its rolling stats follow from the emitted rows', async () => {
    const monitor = createErrorMonitorStage({ config: { windows: [5, 50] } });
    const run = await new StageUnderTest(monitor.stage).start();
    stops.push(() => run.close());
    const send = <T extends Prediction | Candle>(
      topic: typeof topics.predictions | typeof topics.candles,
      values: T[],
    ) => run.send(values.map((v) => input(topic as typeof topics.candles, v as Candle)));
    const symbols = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
    const price = (s: number, m: number) => 100 * (s + 1) + Math.sin(m + s) * 3;
    for (const [s, symbol] of symbols.entries()) {
      const predictions: Prediction[] = Array.from({ length: 20 }, (_, m) => ({
        symbol,
        timeframe: '1m',
        featureTime: T0 + m * MIN,
        horizon: 5,
        targetTime: T0 + (m + 5) * MIN,
        basePrice: price(s, m),
        predictedReturn: 0.001 * Math.cos(m * (s + 1)),
        predictedPrice: price(s, m) * Math.exp(0.001 * Math.cos(m * (s + 1))),
        modelName: 'gru-h5',
        modelVersion: '1.0.0',
        modelSha256: 'b'.repeat(64),
      }));
      await send(topics.predictions, predictions.slice(0, 10));
      const candles: Candle[] = Array.from({ length: 25 }, (_, m) => ({
        symbol,
        timeframe: '1m',
        start: T0 + m * MIN,
        end: T0 + (m + 1) * MIN,
        open: price(s, m),
        high: price(s, m),
        low: price(s, m),
        close: price(s, m),
        volume: 1,
        quoteVolume: null,
        vwap: null,
        trades: null,
        buyVolume: null,
        final: true,
      }));
      await send(topics.candles, candles);
      await send(topics.predictions, predictions.slice(10)); // after their candles
    }
    const rows = run.values<PredictionError>(topics.predictionErrors);
    expect(rows).toHaveLength(60);
    for (const [s, symbol] of symbols.entries()) {
      const mine = rows.filter((r) => r.symbol === symbol).sort((a, b) => a.targetTime - b.targetTime);
      expect(mine).toHaveLength(20);
      for (const r of mine) expect(r.actualPrice).toBe(price(s, (r.targetTime - T0) / MIN));
      const fromRows = rollingStats(
        mine.map((r) => ({ predictedReturn: r.predictedReturn, actualReturn: r.actualReturn })),
        [5, 50],
      );
      const live = monitor.snapshot().find((x) => x.symbol === symbol)!;
      // The live windows follow arrival order; over a whole series (window 50) the order does not matter.
      expect(live.stats[1]!.count).toBe(20);
      expect(live.stats[1]!.model.mae).toBeCloseTo(fromRows[1]!.model.mae, 15);
      expect(live.stats[1]!.baseline.rmse).toBeCloseTo(fromRows[1]!.baseline.rmse, 15);
      expect(live.stats[1]!.model.directionalAccuracy).toBe(fromRows[1]!.model.directionalAccuracy);
    }
  });

  it('gives the same prediction errors however far the candles run ahead of the predictions (two replays)', async () => {
    const N = 400;
    const price = (m: number) => 100 + Math.sin(m / 7) * 3;
    const candle = (symbol: string, m: number): Candle => ({
      symbol,
      timeframe: '1m',
      start: T0 + m * MIN,
      end: T0 + (m + 1) * MIN,
      open: price(m),
      high: price(m),
      low: price(m),
      close: price(m),
      volume: 1,
      quoteVolume: null,
      vwap: null,
      trades: null,
      buyVolume: null,
      final: true,
    });
    const prediction = (symbol: string, m: number): Prediction => ({
      symbol,
      timeframe: '1m',
      featureTime: T0 + m * MIN,
      horizon: 5,
      targetTime: T0 + (m + 5) * MIN,
      basePrice: price(m),
      predictedReturn: 0.001 * Math.cos(m),
      predictedPrice: price(m) * Math.exp(0.001 * Math.cos(m)),
      modelName: 'ridge-h5',
      modelVersion: '1.0.0',
      modelSha256: 'c'.repeat(64),
    });
    const symbols = ['BTC/USDT', 'ETH/USDT'];
    const replay = async (candlesAhead: number): Promise<PredictionError[]> => {
      const monitor = createErrorMonitorStage();
      const run = await new StageUnderTest(monitor.stage).start();
      stops.push(() => run.close());
      // The candle stream `candlesAhead` minutes ahead of the predictions made from it, as a full-speed replay.
      for (let m = -candlesAhead; m < N; m += 50) {
        const batch = [];
        for (const symbol of symbols) {
          for (let k = m; k < m + 50; k += 1) {
            if (k + candlesAhead < N && k + candlesAhead >= 0)
              batch.push(input(topics.candles, candle(symbol, k + candlesAhead)));
            if (k >= 0) batch.push(input(topics.predictions, prediction(symbol, k) as never));
          }
        }
        await run.send(batch);
      }
      await run.flush();
      return run
        .values<PredictionError>(topics.predictionErrors)
        .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.featureTime - b.featureTime);
    };
    const inStep = await replay(0);
    const farAhead = await replay(N); // every candle before the first prediction
    expect(inStep).toHaveLength(symbols.length * (N - 5));
    expect(farAhead).toEqual(inStep);
  });
});
