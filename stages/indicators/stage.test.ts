import { describe, expect, it } from 'vitest';
import { LateRecordError, topics, type Candle, type HandleContext, type InputRecord } from '../../pipeline/index.ts';
import { initialIndicatorState, type IndicatorState } from './indicator-set.ts';
import { indicatorsStage } from './stage.ts';

function candle(start: number, close: number): Candle {
  return {
    symbol: 'BTC/USDT',
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

function record(value: Candle, offset: number): InputRecord<Candle> {
  return {
    topic: 'candles',
    partition: 0,
    offset,
    key: `${value.symbol}|${value.timeframe}|${value.start}`,
    headers: {},
    value,
  };
}

function context(state: IndicatorState): HandleContext<IndicatorState> {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  return { state, setState() {}, key: 'BTC/USDT|1m', now: () => 0, log: silent };
}

describe('indicators stage', () => {
  it('reads candles and writes features with keyed state', () => {
    expect(indicatorsStage.inputs).toEqual([topics.candles]);
    expect(indicatorsStage.outputs).toEqual([topics.features]);
    expect(indicatorsStage.state?.initial('BTC/USDT|1m')).toEqual(initialIndicatorState());
  });

  it('emits one feature vector per candle on the features topic, updating the key state', () => {
    const state = indicatorsStage.state!.initial('BTC/USDT|1m');
    const handle = indicatorsStage.handle!;
    const outputs = [100, 101, 99].map((close, i) => handle(record(candle(i * 60_000, close), i), context(state)));
    const last = (
      outputs[2] as { topic: unknown; value: { start: number; logReturn: number | null; obv: number | null } }[]
    )[0];
    expect(last?.topic).toBe(topics.features);
    expect(last?.value.start).toBe(120_000);
    expect(last?.value.logReturn).toBeCloseTo(Math.log(99 / 101), 15);
    expect(last?.value.obv).toBe(2 + 2 - 2);
    expect(state.count).toBe(3);
  });

  it('rejects a candle older than the last one as late, leaving the state as it was', () => {
    const state = initialIndicatorState();
    const handle = indicatorsStage.handle!;
    void handle(record(candle(120_000, 100), 0), context(state));
    const saved = JSON.stringify(state);
    expect(() => handle(record(candle(60_000, 100), 1), context(state))).toThrow(LateRecordError);
    expect(JSON.stringify(state)).toBe(saved);
  });
});
