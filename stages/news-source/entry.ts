import { stageEntry, topics } from '../../pipeline/index.ts';
import { newsSourceConfig } from './config.ts';
import { createNewsSource } from './source.ts';

export const newsSourceEntry = stageEntry({
  name: 'news-source',
  inputs: [],
  outputs: [topics.news],
  config: newsSourceConfig,
  create: ({ config }) => createNewsSource(config),
});
