import { defineConfig, stageEntry, topics } from '../../pipeline/index.ts';
import { indicatorsStage } from './stage.ts';

export const indicatorsEntry = stageEntry({
  name: 'indicators',
  inputs: [topics.candles],
  outputs: [topics.features],
  config: defineConfig({}),
  create: () => indicatorsStage,
});
