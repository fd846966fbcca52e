import { describe, expect, it } from 'vitest';
import { topics, type Sentiment, type SentimentIndex } from '../../pipeline/index.ts';
import { input, runStage } from '../../pipeline/testing/run-stage.ts';
import { sentimentIndexConfig } from './config.ts';
import { createSentimentIndexStage, type SentimentIndexState } from './stage.ts';

const H = 3_600_000;
const T0 = 1_700_000_000_000;

function sentiment(newsId: string, symbol: string | null, score: number, publishedAt: number): Sentiment {
  const pPositive = Math.max(0, score);
  const pNegative = Math.max(0, -score);
  return {
    newsId,
    symbol,
    label: score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral',
    score,
    confidence: Math.max(pPositive, pNegative, 1 - pPositive - pNegative),
    modelName: 'm',
    modelVersion: '1',
    publishedAt,
    pNegative,
    pNeutral: 1 - pPositive - pNegative,
    pPositive,
    symbols: [],
  };
}

describe('sentiment-index stage', () => {
  it('emits the decayed index per symbol after each distinct item, keyed by symbol, state in the changelog', async () => {
    const stage = createSentimentIndexStage(H);
    const run = await runStage<SentimentIndexState>(stage, [
      input(topics.sentiment, sentiment('a', 'BTC/USD', 1, T0)),
      input(topics.sentiment, sentiment('a', '*', 1, T0)),
      input(topics.sentiment, sentiment('b', 'BTC/USD', -1, T0 + H)),
      input(topics.sentiment, sentiment('b', 'BTC/USD', -1, T0 + H)),
      input(topics.sentiment, sentiment('c', null, 0.5, T0 + 2 * H)),
    ]);
    expect(run.deadLetters).toEqual([]);
    const out = run.outputs.filter((o) => o.topic === topics.sentimentIndex.name);
    // In order within a symbol (one partition); partitions interleave in any order.
    const of = (symbol: string) => out.filter((o) => o.key === symbol).map((o) => o.value as SentimentIndex);
    expect(of('BTC/USD').map((i) => i.newsId)).toEqual(['a', 'b']);
    expect(of('*').map((i) => i.newsId)).toEqual(['a', 'c']);
    expect(out).toHaveLength(4);
    const btc = of('BTC/USD')[1]!;
    expect(btc).toMatchObject({ symbol: 'BTC/USD', asOf: T0 + H, count: 2, halfLifeMs: H });
    expect(btc.weight).toBeCloseTo(1.5, 12);
    expect(btc.score).toBeCloseTo(-1 / 3, 12);
    const market = of('*')[1]!;
    expect(market.count).toBe(2);
    expect(market.weight).toBeCloseTo(1.25, 12);
    expect(market.score).toBeCloseTo((0.25 + 0.5) / 1.25, 12);
    expect(run.state.get('BTC/USD')?.recent).toEqual(['a', 'b']);
  });

  it('carries on from its restored state after a restart', async () => {
    const stage = createSentimentIndexStage(H);
    const run = await runStage<SentimentIndexState>(
      stage,
      [input(topics.sentiment, sentiment('a', 'ETH/USD', 1, T0))],
      {
        state: { 'ETH/USD': { asOf: T0 - H, weight: 1, weightedScore: -1, count: 5, recent: ['z'] } },
      },
    );
    const index = run.outputs[0]!.value as SentimentIndex;
    expect(index.count).toBe(6);
    expect(index.weight).toBeCloseTo(1.5, 12);
    expect(index.score).toBeCloseTo((1 - 0.5) / 1.5, 12);
  });

  it('reads SENTIMENT_HALF_LIFE as a duration, 6h by default', () => {
    expect(sentimentIndexConfig.compile({}).halfLifeMs).toBe(6 * H);
    expect(sentimentIndexConfig.compile({ SENTIMENT_HALF_LIFE: '30m' }).halfLifeMs).toBe(30 * 60_000);
  });
});
