import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKET_SYMBOL, topics, type NewsItem, type Sentiment } from '../../pipeline/index.ts';
import { input, runStage } from '../../pipeline/testing/run-stage.ts';
import { defaultSymbolDictionary, symbolMatcher } from '../../market/news-symbols.ts';
import { loadSentimentClassifier, type SentimentClassifier } from './classifier.ts';
import { bundledSentimentModel } from './entry.ts';
import { createSentimentStage } from './stage.ts';

const match = symbolMatcher(defaultSymbolDictionary);
let classifier: SentimentClassifier;
beforeAll(async () => {
  classifier = await loadSentimentClassifier(bundledSentimentModel, { batchMax: 2 });
});
afterAll(() => classifier.close());

function news(id: string, title: string, over: Partial<NewsItem> = {}): NewsItem {
  return { id, source: 'test', title, body: null, url: null, symbols: [], publishedAt: 1_700_000_000_000, ...over };
}

const items = [
  news('a', 'Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding period'),
  news('b', 'Bitcoin and ETH slump as net sales decreased and the company swung to a loss'),
  news('c', 'The company is headquartered in Helsinki', { symbols: ['SOL/USD'] }),
];

describe('sentiment stage', () => {
  it('fans each item out to its symbols and the market, keyed symbol|newsId and partitioned by symbol', async () => {
    const stage = createSentimentStage({ classifier, match, batch: { maxRecords: 16, maxWaitMs: 0 } });
    const run = await runStage(
      stage,
      items.map((i) => input(topics.news, i)),
    );
    expect(run.deadLetters).toEqual([]);
    const out = run.outputs.filter((o) => o.topic === topics.sentiment.name);
    expect(out.map((o) => o.key).sort()).toEqual(['*|a', '*|b', '*|c', 'BTC/USD|b', 'ETH/USD|b', 'SOL/USD|c'].sort());
    const partitionOf = new Map<string, Set<number>>();
    for (const o of out) {
      const s = o.value as Sentiment;
      partitionOf.set(s.symbol!, (partitionOf.get(s.symbol!) ?? new Set()).add(o.partition));
      expect(s.pNegative! + s.pNeutral! + s.pPositive!).toBeCloseTo(1, 5);
      expect(s.score).toBeCloseTo(s.pPositive! - s.pNegative!, 12);
      expect(s.confidence).toBe(Math.max(s.pNegative!, s.pNeutral!, s.pPositive!));
      expect(s.modelName).toBe('sentiment-ngram');
      expect(s.modelVersion).toBe('1.0.0');
      expect(s.publishedAt).toBe(1_700_000_000_000);
    }
    expect([...partitionOf.values()].map((p) => p.size)).toEqual([1, 1, 1, 1]);
    const of = (key: string) => out.find((o) => o.key === key)!.value as Sentiment;
    expect(of('*|a').label).toBe('positive');
    expect(of('*|b').label).toBe('negative');
    expect(of('*|c').label).toBe('neutral');
    expect(of('BTC/USD|b').symbols).toEqual(['BTC/USD', 'ETH/USD']);
    expect(of('*|a').symbols).toEqual([]);
    expect(of(`${MARKET_SYMBOL}|c`).symbols).toEqual(['SOL/USD']);
  });

  it('sends empty, oversized, binary and undecodable items to news.dlq with the reason, and scores the rest', async () => {
    const stage = createSentimentStage({ classifier, match, batch: { maxRecords: 16, maxWaitMs: 0 }, maxChars: 200 });
    const run = await runStage(stage, [
      input(topics.news, news('empty', '   ')),
      input(topics.news, news('long', 'Bitcoin rallies', { body: 'x'.repeat(300) })),
      input(topics.news, news('binary', 'Ether \u0000\u0001 PK\u0003\u0004')),
      input(topics.news, news('mojibake', '\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD ETH')),
      // A few replacement characters are mojibake in a real headline, which is still scored.
      input(topics.news, news('a', 'Operating profit rose to EUR 13.1 mn from EUR 8.7 mn \uFFFD in the period')),
      { topic: topics.news, bytes: Buffer.from([0xff, 0x00, 0x13]) },
    ]);
    // Items land on partitions by id, so the dead letters are compared by reason, not by order.
    const byReason = new Map(run.deadLetters.map((d) => [d.reason, d.message]));
    expect([...byReason.keys()].sort()).toEqual(['binary', 'decode', 'empty', 'oversized']);
    expect(run.deadLetters).toHaveLength(5);
    expect(byReason.get('oversized')).toBe('news item long holds 315 characters, more than SENTIMENT_MAX_CHARS (200)');
    expect(run.deadLetters.every((d) => d.topic === 'news')).toBe(true);
    expect(run.outputs.map((o) => o.key)).toEqual(['*|a']);
  });

  it('gives each text the same probabilities alone as in a padded batch of any size', async () => {
    const titles = items.map((i) => i.title);
    const together = await classifier.classify(titles);
    for (const [i, t] of titles.entries()) {
      const alone = await classifier.classify([t]);
      for (let k = 0; k < 3; k++) expect(alone[k]).toBeCloseTo(together[3 * i + k]!, 6);
    }
    expect(together.length).toBe(9);
  });

  it('refuses a model that is not a sentiment model', async () => {
    const ridge = fileURLToPath(new URL('../../models/ridge-h5/', import.meta.url));
    await expect(loadSentimentClassifier(ridge, { batchMax: 4 })).rejects.toThrow(
      'is a return-forecast model, not a sentiment one',
    );
  });
});
