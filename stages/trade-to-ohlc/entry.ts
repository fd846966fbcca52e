import { stageEntry, topics } from '../../pipeline/index.ts';
import { tradeToOhlcConfig } from './config.ts';
import { createTradeToOhlcStage } from './stage.ts';

export const tradeToOhlcEntry = stageEntry({
  name: 'trade-to-ohlc',
  inputs: [topics.trades],
  outputs: [topics.candles, topics.candlesPartial],
  config: tradeToOhlcConfig,
  create: ({ config }) => createTradeToOhlcStage(config),
});
