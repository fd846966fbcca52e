import {
  defineStage,
  emit,
  MARKET_SYMBOL,
  topics,
  type NewsItem,
  type Output,
  type Sentiment,
  type StageDefinition,
  ValidationError,
} from '../../pipeline/index.ts';
import type { SentimentClassifier } from './classifier.ts';

// news -> sentiment: the model over each item's headline, a partition batch per model call, and one record per
// asset the headline mentions plus one market-wide record (MARKET_SYMBOL). Only the title is scored: the model
// was trained on single sentences of company news, and a body's many sentences would be one long bag of n-grams
// whose per-block normalisation dilutes the headline's cues. Stateless: an item is scored the same every time.

/** One item's scoring: probabilities, the derived label/score/confidence, and the symbols it fans out to. */
export interface ScoredItem {
  item: NewsItem;
  probabilities: [number, number, number];
  symbols: string[];
}

const labels = ['negative', 'neutral', 'positive'] as const;

/** The symbols of an item: those the source gave, and those its headline names (sorted, distinct). */
export function itemSymbols(item: NewsItem, match: (text: string) => string[]): string[] {
  return [...new Set([...item.symbols, ...match(item.title)])].sort();
}

export async function scoreItems(
  items: readonly NewsItem[],
  classifier: SentimentClassifier,
  match: (text: string) => string[],
): Promise<ScoredItem[]> {
  const p = await classifier.classify(items.map((i) => i.title));
  return items.map((item, i) => ({
    item,
    probabilities: [p[3 * i]!, p[3 * i + 1]!, p[3 * i + 2]!],
    symbols: itemSymbols(item, match),
  }));
}

/** The Sentiment records of one scored item: one per symbol, then the market-wide one. */
export function sentimentRecords(
  scored: ScoredItem,
  classifier: Pick<SentimentClassifier, 'name' | 'version'>,
): Sentiment[] {
  const [neg, neu, pos] = scored.probabilities;
  let best = 0;
  for (let k = 1; k < 3; k++) if (scored.probabilities[k]! > scored.probabilities[best]!) best = k;
  const base = {
    newsId: scored.item.id,
    label: labels[best]!,
    // float32 probabilities can sum to 1 +- 1e-7: clamp so the score stays in [-1, 1].
    score: Math.max(-1, Math.min(1, pos - neg)),
    confidence: Math.min(1, scored.probabilities[best]!),
    modelName: classifier.name,
    modelVersion: classifier.version,
    publishedAt: scored.item.publishedAt,
    pNegative: neg,
    pNeutral: neu,
    pPositive: pos,
    symbols: scored.symbols,
  };
  return [...scored.symbols, MARKET_SYMBOL].map((symbol) => ({ ...base, symbol }));
}

// Control characters other than tab and line breaks: a binary body, not text. U+FFFD is what a decoder leaves of
// bytes that were not text: real feeds carry a few (mojibake), so only text that is mostly that counts as binary.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function binary(text: string): boolean {
  if (control.test(text)) return true;
  let replaced = 0;
  for (const ch of text) if (ch === '\uFFFD') replaced += 1;
  return replaced > 0 && replaced * 5 > text.replace(/\s/g, '').length;
}

/** Why an item cannot be scored (it goes to news.dlq with that reason), or null. */
export function unscorable(item: NewsItem, maxChars: number): ValidationError | null {
  if (item.title.trim() === '') return new ValidationError(`news item ${item.id} has an empty title`, 'empty');
  const chars = item.title.length + (item.body?.length ?? 0);
  if (chars > maxChars) {
    return new ValidationError(
      `news item ${item.id} holds ${chars} characters, more than SENTIMENT_MAX_CHARS (${maxChars})`,
      'oversized',
    );
  }
  if (binary(item.title) || (item.body !== null && binary(item.body))) {
    return new ValidationError(`news item ${item.id} holds control characters or undecodable bytes`, 'binary');
  }
  return null;
}

export function createSentimentStage(options: {
  classifier: SentimentClassifier;
  match: (text: string) => string[];
  batch: { maxRecords: number; maxWaitMs: number };
  /** @defaultValue 10,000 (SENTIMENT_MAX_CHARS) */
  maxChars?: number;
}): StageDefinition<NewsItem> {
  const maxChars = options.maxChars ?? 10_000;
  const { classifier, match } = options;
  return defineStage<NewsItem>({
    name: 'sentiment',
    description: 'Batched ONNX sentiment of news headlines, fanned out to the symbols they mention.',
    inputs: [topics.news],
    outputs: [topics.sentiment],
    batch: options.batch,
    prepare(item) {
      const problem = unscorable(item, maxChars);
      if (problem) throw problem;
      return item;
    },
    async handleBatch(records) {
      const scored = await scoreItems(
        records.map((r) => r.value),
        classifier,
        match,
      );
      const outputs: Output[] = [];
      for (const s of scored) for (const r of sentimentRecords(s, classifier)) outputs.push(emit(topics.sentiment, r));
      return outputs;
    },
  });
}
