import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  duplicateKey,
  loadCryptoHeadlines,
  loadPhrasebank,
  loadSplit,
  phrasebankSplit,
} from '../sentiment-data/sentiment-data.ts';
import { figures, mostCommon, openSentimentModel, type SentimentModel } from './evaluate-sentiment.ts';

// Every figure of the card recomputed in Node from the committed data and model.onnx, to 1e-9: the Python
// training computed them on its own (numpy from the same float32 weights, the same lexicon script).

const dir = fileURLToPath(new URL('./', import.meta.url));
const card = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));

function expectFigures(got: unknown, want: unknown, path = 'metrics'): void {
  if (typeof want === 'number') {
    expect(typeof got, path).toBe('number');
    expect(Math.abs((got as number) - want), path).toBeLessThanOrEqual(1e-9);
    return;
  }
  expect(Object.keys(got as object).sort(), path).toEqual(Object.keys(want as object).sort());
  for (const k of Object.keys(want as object))
    expectFigures((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], `${path}.${k}`);
}

const pick = (o: Record<string, unknown>) => ({ count: o.count, model: o.model, baselines: o.baselines });

describe('sentiment-ngram card', () => {
  let model: SentimentModel;
  const majority = mostCommon(phrasebankSplit('train').map((r) => r.label));

  beforeAll(async () => {
    model = await openSentimentModel(dir, card);
  });
  afterAll(async () => {
    await model.release();
  });

  it('matches the sha256 of model.onnx', () => {
    expect(
      createHash('sha256')
        .update(readFileSync(`${dir}${card.onnx.file}`))
        .digest('hex'),
    ).toBe(card.onnx.sha256);
  });

  it('states the committed split: its counts, and no duplicate sentence across splits', () => {
    const split = loadSplit();
    const rows = loadPhrasebank();
    expect(rows).toHaveLength(4846);
    const counts = { train: 0, validation: 0, test: 0 };
    const groups = new Map<string, Set<string>>();
    for (const r of rows) {
      const s = split.get(r.id)!;
      counts[s]++;
      const key = duplicateKey(r.text);
      groups.set(key, (groups.get(key) ?? new Set()).add(s));
    }
    expect(counts).toEqual(card.data.split.counts);
    expect([...groups.values()].filter((s) => s.size > 1)).toEqual([]);
  });

  it('reproduces the held-out test figures of the model and the baselines', async () => {
    const got = await figures(model, phrasebankSplit('test'), majority);
    expectFigures(got, pick(card.metrics));
  });

  it('reproduces the figures on the hand-labelled crypto headlines', async () => {
    const items = loadCryptoHeadlines().map((h) => ({ text: h.headline, label: h.label }));
    const got = await figures(model, items, majority);
    expectFigures(got, pick(card.metrics.crypto));
  });

  it('gives each text the same probabilities alone as in a padded batch', async () => {
    const texts = [
      'Operating profit rose to EUR 13.1 mn from EUR 8.7 mn',
      '',
      'Bitcoin plunges as exchange is hacked',
      '\u{1F680}',
    ];
    const batch = await model.probabilities(texts);
    expect(batch).toHaveLength(12);
    for (let i = 0; i < texts.length; i++) {
      const alone = await model.probabilities([texts[i]!]);
      const row = batch.subarray(i * 3, i * 3 + 3);
      expect(row[0]! + row[1]! + row[2]!).toBeCloseTo(1, 6);
      for (let k = 0; k < 3; k++) expect(Math.abs(row[k]! - alone[k]!)).toBeLessThanOrEqual(1e-6);
    }
  });
});
