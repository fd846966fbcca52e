import { stageEntry, topics } from '../../pipeline/index.ts';
import { sentimentIndexConfig } from './config.ts';
import { createSentimentIndexStage } from './stage.ts';

export const sentimentIndexEntry = stageEntry({
  name: 'sentiment-index',
  inputs: [topics.sentiment],
  outputs: [topics.sentimentIndex],
  config: sentimentIndexConfig,
  create: ({ config }) => createSentimentIndexStage(config.halfLifeMs),
});
