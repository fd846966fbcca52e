import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../pipeline/bus/memory-bus.ts';
import { partitionForKey } from '../../pipeline/bus/partitioner.ts';
import { topics, type Candle, type Prediction, type PredictionError } from '../../pipeline/index.ts';
import { rollingStats } from '../../market/forecast-metrics.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { createRegistry, StageMetrics } from '../../pipeline/metrics/stage-metrics.ts';
import { createLocalRegistryCodec } from '../../pipeline/serde/local-registry-codec.ts';
import { StageRunner } from '../../pipeline/stage/index.ts';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { allTopicSettings } from '../../schemas/topics.ts';
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
    const bus = new MemoryBus();
    bus.onHandlerError = () => undefined;
    await bus.ensureTopics(allTopicSettings());
    const codec = createLocalRegistryCodec();
    const monitor = createErrorMonitorStage({ config: { windows: [5, 50] } });
    const runner = new StageRunner(
      monitor.stage,
      { bus, codec, metrics: new StageMetrics(createRegistry({ defaultMetrics: false })), log: silentLogger },
      { groupId: uniqueName('em'), ticks: false },
    );
    await runner.start();
    stops.push(async () => {
      await runner.stop();
      await bus.close();
    });
    const rows: PredictionError[] = [];
    await bus.subscribe({
      groupId: uniqueName('r'),
      topics: [topics.predictionErrors.name],
      onBatch: async (b) => {
        for (const r of b.records) rows.push((await codec.decode(r.topic, r.value)) as PredictionError);
      },
    });
    const send = async <T extends Prediction | Candle>(
      topic: typeof topics.predictions | typeof topics.candles,
      schema: 'Prediction' | 'Candle',
      values: T[],
    ) => {
      await bus.produce(
        topic.name,
        await Promise.all(
          values.map(async (v) => ({
            key: null,
            partition: partitionForKey(`${v.symbol}|${v.timeframe}`, topic.partitions),
            value: await codec.encode(topic.name, schema, v),
          })),
        ),
      );
    };
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
      await send(topics.predictions, 'Prediction', predictions.slice(0, 10));
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
      await send(topics.candles, 'Candle', candles);
      await send(topics.predictions, 'Prediction', predictions.slice(10)); // after their candles
    }
    await waitFor(() => rows.length === 60, 'a PredictionError per prediction');
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
});
