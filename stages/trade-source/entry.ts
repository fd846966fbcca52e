import { stageEntry, topics } from '../../pipeline/index.ts';
import { createTradeSource } from './source.ts';
import { tradeSourceConfig } from './source-config.ts';

export const tradeSourceEntry = stageEntry({
  name: 'trade-source',
  inputs: [],
  outputs: [topics.trades],
  config: tradeSourceConfig,
  create: ({ config }) => createTradeSource(config),
});
