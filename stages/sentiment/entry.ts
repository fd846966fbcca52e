import { fileURLToPath } from 'node:url';
import { stageEntry, topics } from '../../pipeline/index.ts';
import { loadSymbolDictionary, symbolMatcher } from '../../market/news-symbols.ts';
import { loadSentimentClassifier } from './classifier.ts';
import { sentimentConfig } from './config.ts';
import { createSentimentStage } from './stage.ts';

export const bundledSentimentModel = fileURLToPath(new URL('../../models/sentiment-ngram/', import.meta.url));

export const sentimentEntry = stageEntry({
  name: 'sentiment',
  inputs: [topics.news],
  outputs: [topics.sentiment],
  config: sentimentConfig,
  async create({ config, log, onClose }) {
    const match = symbolMatcher(loadSymbolDictionary(config.symbolsFile));
    const classifier = await loadSentimentClassifier(config.modelDir || bundledSentimentModel, {
      batchMax: config.batchMax,
      provider: config.provider,
      log,
    });
    onClose(() => classifier.close());
    return createSentimentStage({
      classifier,
      match,
      batch: { maxRecords: config.batchMax, maxWaitMs: config.batchWaitMs },
      maxChars: config.maxChars,
    });
  },
});
