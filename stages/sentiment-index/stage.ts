import {
  defineStage,
  emit,
  MARKET_SYMBOL,
  topics,
  type Sentiment,
  type SentimentIndex,
  type StageDefinition,
} from '../../pipeline/index.ts';
import { emptyIndex, foldItem, indexScore, type DecayedIndex } from './decayed-index.ts';

// sentiment -> sentiment-index: per symbol (the sentiment topic's partition key, so one worker holds a symbol's
// whole index, restored from its changelog), the decayed index after each item, emitted as a SentimentIndex.
// A news item is folded in once per symbol: a record whose key (symbol|newsId) was already folded in (the
// compacted topic replayed, or a news item re-scored) is skipped, so the count is of distinct items.

export interface SentimentIndexState extends DecayedIndex {
  /** Ids folded in recently, newest last, to skip repeats (bounded: repeats come close together). */
  recent: string[];
}

const RECENT_IDS = 256;

export function indexRecordOf(symbol: string, state: DecayedIndex, halfLifeMs: number, newsId: string): SentimentIndex {
  return {
    symbol,
    asOf: state.asOf,
    score: indexScore(state),
    weight: state.weight,
    count: state.count,
    halfLifeMs,
    newsId,
  };
}

export function createSentimentIndexStage(halfLifeMs: number): StageDefinition<Sentiment, SentimentIndexState> {
  return defineStage<Sentiment, SentimentIndexState>({
    name: 'sentiment-index',
    description: 'Exponentially weighted sentiment per symbol by event time, with the number of items behind it.',
    inputs: [topics.sentiment],
    outputs: [topics.sentimentIndex],
    state: { initial: () => ({ ...emptyIndex(), recent: [] }) },
    // Records written before the fan-out have no symbol: they were market-wide.
    prepare: (s) => (s.symbol === null ? { ...s, symbol: MARKET_SYMBOL } : s),
    handle(record, ctx) {
      const s = record.value;
      const st = ctx.state;
      if (st.recent.includes(s.newsId)) return [];
      st.recent.push(s.newsId);
      if (st.recent.length > RECENT_IDS) st.recent.splice(0, st.recent.length - RECENT_IDS);
      foldItem(st, s.score, s.publishedAt, halfLifeMs);
      return [emit(topics.sentimentIndex, indexRecordOf(s.symbol!, st, halfLifeMs, s.newsId))];
    },
  });
}
