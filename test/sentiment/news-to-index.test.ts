import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type NewsItem, type Sentiment, type SentimentIndex } from '../../pipeline/index.ts';
import { input, runStage } from '../../pipeline/testing/run-stage.ts';
import { newsOfFile } from '../../market/files/news-file.ts';
import { defaultSymbolDictionary, symbolMatcher } from '../../market/news-symbols.ts';
import { loadSentimentClassifier, type SentimentClassifier } from '../../stages/sentiment/classifier.ts';
import { bundledSentimentModel } from '../../stages/sentiment/entry.ts';
import { createSentimentStage } from '../../stages/sentiment/stage.ts';
import { createSentimentIndexStage } from '../../stages/sentiment-index/stage.ts';

// The two news stages chained through the real runtime: a file of 50 real crypto headlines -> news ->
// sentiment -> sentiment-index, as `candleflow dev` wires them.

const fixture = fileURLToPath(new URL('../fixtures/news/cryptonews_headlines_20231218-19.csv', import.meta.url));
const H = 6 * 3_600_000;

let classifier: SentimentClassifier;
beforeAll(async () => {
  classifier = await loadSentimentClassifier(bundledSentimentModel, { batchMax: 8 });
});
afterAll(() => classifier.close());

describe('news -> sentiment -> sentiment-index', () => {
  it('gives BTC/USD and the market an index over their headlines, counting each item once', async () => {
    const items: NewsItem[] = [];
    for await (const row of newsOfFile(fixture, 'csv')) if ('item' in row) items.push(row.item);
    expect(items).toHaveLength(50);

    const scoring = await runStage(
      createSentimentStage({
        classifier,
        match: symbolMatcher(defaultSymbolDictionary),
        batch: { maxRecords: 16, maxWaitMs: 0 },
      }),
      items.map((i) => input(topics.news, i)),
      { maxBatchSize: 16 },
    );
    expect(scoring.deadLetters).toEqual([]);
    const scored = scoring.outputs.filter((o) => o.topic === topics.sentiment.name).map((o) => o.value as Sentiment);
    const btc = scored.filter((s) => s.symbol === 'BTC/USD');
    expect(btc.length).toBeGreaterThan(3);
    expect(scored.filter((s) => s.symbol === '*')).toHaveLength(50);

    const indexing = await runStage(
      createSentimentIndexStage(H),
      scored.map((s) => input(topics.sentiment, s)),
    );
    expect(indexing.deadLetters).toEqual([]);
    const last = (symbol: string) =>
      indexing.outputs
        .map((o) => o.value as SentimentIndex)
        .filter((i) => i.symbol === symbol)
        .at(-1)!;
    const asOf = Math.max(...btc.map((s) => s.publishedAt));
    const w = btc.map((s) => 2 ** (-(asOf - s.publishedAt) / H));
    const mean = btc.reduce((a, s, k) => a + w[k]! * s.score, 0) / w.reduce((a, b) => a + b, 0);
    expect(last('BTC/USD')).toMatchObject({ count: btc.length, asOf });
    expect(last('BTC/USD').score).toBeCloseTo(mean, 9);
    expect(last('*').count).toBe(50);
  });
});
