import { defineConfig, settings } from '../../pipeline/index.ts';

export const sentimentIndexConfig = defineConfig({
  halfLifeMs: settings.duration('SENTIMENT_HALF_LIFE', {
    default: 6 * 3_600_000,
    min: 1_000,
    doc: "half-life of a news item's weight in the per-symbol sentiment index, by event time",
  }),
});

export type SentimentIndexConfig = ReturnType<typeof sentimentIndexConfig.compile>;
