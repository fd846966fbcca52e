import { defineStage, emit, topics, type Candle } from '../../pipeline/index.ts';
import { applyCandle, initialIndicatorState, type IndicatorState } from './indicator-set.ts';

/**
 * candles -> features: one FeatureVector per closed candle, keyed like it, from indicator state kept per
 * symbol|timeframe (the candles topic's partition key) and restored by the runtime after a restart.
 * A re-emitted candle replaces the last one; an older one is late (LateRecordError, dead-lettered).
 */
export const indicatorsStage = defineStage<Candle, IndicatorState>({
  name: 'indicators',
  description: 'Technical indicators (TA-Lib definitions) per symbol and timeframe, streamed one candle at a time.',
  inputs: [topics.candles],
  outputs: [topics.features],
  state: { initial: () => initialIndicatorState() },
  handle(record, ctx) {
    return [emit(topics.features, applyCandle(ctx.state, record.value))];
  },
});
