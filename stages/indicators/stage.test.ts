import { describe, expect, it } from 'vitest';
import { topics, type Candle, type FeatureVector } from '../../pipeline/index.ts';
import { input, runStage } from '../../pipeline/testing/run-stage.ts';
import { initialIndicatorState, type IndicatorState } from './indicator-set.ts';
import { indicatorsStage } from './stage.ts';

function candle(start: number, close: number, symbol = 'BTC/USDT'): Candle {
  return {
    symbol,
    timeframe: '1m',
    start,
    end: start + 60_000,
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    volume: 2,
    quoteVolume: null,
    vwap: null,
    trades: null,
    buyVolume: null,
    final: true,
  };
}

const candles = (...cs: Candle[]) => cs.map((c) => input(topics.candles, c));

describe('indicators stage', () => {
  it('reads candles and writes features with keyed state', () => {
    expect(indicatorsStage.inputs).toEqual([topics.candles]);
    expect(indicatorsStage.outputs).toEqual([topics.features]);
    expect(indicatorsStage.state?.initial('BTC/USDT|1m')).toEqual(initialIndicatorState());
  });

  it('emits one feature vector per candle on the features topic, keeping state per series', async () => {
    const run = await runStage<IndicatorState>(
      indicatorsStage,
      candles(candle(0, 100), candle(60_000, 101), candle(120_000, 99), candle(0, 50, 'ETH/USDT')),
    );
    const features = run.outputs.filter((o) => o.topic === topics.features.name).map((o) => o.value as FeatureVector);
    expect(features.map((f) => `${f.symbol}@${f.start}`).sort()).toEqual(
      ['BTC/USDT@0', 'BTC/USDT@60000', 'BTC/USDT@120000', 'ETH/USDT@0'].sort(),
    );
    const last = features.find((f) => f.symbol === 'BTC/USDT' && f.start === 120_000)!;
    expect(last.logReturn).toBeCloseTo(Math.log(99 / 101), 15);
    expect(last.obv).toBe(2 + 2 - 2);
    expect(run.state.get('BTC/USDT|1m')?.count).toBe(3);
    expect(run.state.get('ETH/USDT|1m')?.count).toBe(1);
    expect(run.deadLetters).toEqual([]);
  });

  it('dead-letters a candle older than the last one as late, leaving the state as it was', async () => {
    const run = await runStage<IndicatorState>(indicatorsStage, candles(candle(120_000, 100), candle(60_000, 100)));
    expect(run.deadLetters).toMatchObject([{ topic: 'candles', code: 'CF_ERR_LATE', reason: 'late', offset: 1 }]);
    expect(run.outputs).toHaveLength(1);
    expect(run.state.get('BTC/USDT|1m')?.count).toBe(1);
  });

  it('dead-letters bytes that are not a candle, and goes on', async () => {
    const run = await runStage(indicatorsStage, [
      { topic: topics.candles, bytes: Buffer.from('not avro') },
      ...candles(candle(0, 100)),
    ]);
    expect(run.deadLetters).toMatchObject([{ topic: 'candles', code: 'CF_ERR_DECODE', reason: 'decode' }]);
    expect(run.outputs).toHaveLength(1);
  });
});
