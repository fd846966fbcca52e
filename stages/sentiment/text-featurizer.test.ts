import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../pipeline/errors.ts';
import {
  featurizeBatch,
  featurizeText,
  normaliseText,
  parseFeaturizerConfig,
  tokenize,
  type TextFeaturizerConfig,
} from './text-featurizer.ts';

// The fixture is the Python featurizer's output (models/sentiment-ngram/write_fixture.py, written by train.py):
// the TypeScript featurizer must give the same ids and weights, text by text.

interface Case {
  text: string;
  ids: number[];
  weights: number[];
}
interface Fixture {
  featurizer: TextFeaturizerConfig;
  cases: Case[];
  variant: { featurizer: TextFeaturizerConfig; cases: Case[] };
}

const fixture = JSON.parse(
  gunzipSync(readFileSync(new URL('./text-featurizer.fixture.json.gz', import.meta.url))).toString('utf8'),
) as Fixture;
const card = JSON.parse(readFileSync(new URL('../../models/sentiment-ngram/model.json', import.meta.url), 'utf8'));
const words = (text: string) => tokenize(normaliseText(text, 'keep')).map((w) => String.fromCodePoint(...w));

function mismatches(cases: readonly Case[], config: TextFeaturizerConfig): string[] {
  const bad: string[] = [];
  for (const c of cases) {
    const got = featurizeText(c.text, config);
    const same =
      got.ids.length === c.ids.length &&
      got.ids.every((id, i) => id === c.ids[i]) &&
      got.weights.every((w, i) => Math.abs(w - c.weights[i]!) <= 1e-6);
    if (!same) bad.push(JSON.stringify(c.text));
  }
  return bad;
}

describe('text featurizer', () => {
  it("is configured as the shipped model's card says", () => {
    expect(parseFeaturizerConfig(card.featurizer)).toEqual(parseFeaturizerConfig(fixture.featurizer));
  });

  it("gives the Python featurizer's ids and weights for 1,000 texts", () => {
    expect(fixture.cases).toHaveLength(1000);
    expect(mismatches(fixture.cases, parseFeaturizerConfig(fixture.featurizer))).toEqual([]);
  });

  it('agrees on a configuration with colliding buckets, log weights, kept digits and truncation', () => {
    const config = parseFeaturizerConfig(fixture.variant.featurizer);
    const { cases } = fixture.variant;
    expect(cases.some((c) => c.ids.length === config.maxTokens)).toBe(true);
    expect(cases.some((c) => c.weights.some((w) => w > 1))).toBe(true);
    expect(mismatches(cases, config)).toEqual([]);
  });

  it('holds the hard cases in its fixture: empty texts, lone surrogates, non-Latin scripts', () => {
    const texts = fixture.cases.map((c) => c.text);
    expect(fixture.cases.filter((c) => c.ids.length === 0).length).toBeGreaterThan(5);
    expect(texts.some((t) => /[\ud800-\udbff](?![\udc00-\udfff])/.test(t))).toBe(true);
    expect(texts.some((t) => /[\u0400-\u04ff]/.test(t))).toBe(true);
    expect(texts.some((t) => /[\u4e00-\u9fff]/.test(t))).toBe(true);
  });

  it('normalises with NFKC and toLowerCase (as Python lower), folds the final sigma and replaces lone surrogates', () => {
    expect(normaliseText('ΣΑΣ ﬁnance Ｂｉｔ ①', 'keep')).toBe('σασ finance bit 1');
    expect(normaliseText('İ', 'keep')).toBe('i\u0307');
    expect(normaliseText('Straße', 'keep')).toBe('straße');
    expect(normaliseText('a\ud800b\udc00\ud83d\ude80', 'keep')).toBe('a\ufffdb\ufffd\u{1F680}');
    expect(normaliseText('EUR 31.1 mn', 'zero')).toBe('eur 00.0 mn');
  });

  it('splits words on ASCII punctuation, general punctuation and symbols, and keeps letters of any script', () => {
    expect(words('Bitcoin’s price rose 5% to $43,000 — “up”')).toEqual([
      'bitcoin',
      's',
      'price',
      'rose',
      '5',
      'to',
      '43',
      '000',
      'up',
    ]);
    expect(words('Биткоин вырос; 比特币 🚀🚀')).toEqual(['биткоин', 'вырос', '比特币', '🚀🚀']);
    expect(words(' \t… ')).toEqual([]);
  });

  it('counts repeated features once with their count as weight, in order of first appearance', () => {
    const config = parseFeaturizerConfig({
      name: 'hashed-ngrams',
      version: 1,
      digits: 'keep',
      tf: 'count',
      maxTokens: 10,
      blocks: [{ kinds: ['word'], buckets: 1024 }],
    });
    const once = featurizeText('profit', config);
    const got = featurizeText('profit loss profit', config);
    expect(got.ids[0]).toBe(once.ids[0]);
    expect(got.weights).toEqual([2, 1]);
    expect(featurizeText('', config)).toEqual({ ids: [], weights: [] });
  });

  it('pads a batch with id 0 and weight 0 to its longest row, at least one column wide', () => {
    const config = parseFeaturizerConfig(fixture.featurizer);
    const texts = ['Net sales increased', '', 'Loss'];
    const batch = featurizeBatch(texts, config);
    const rows = texts.map((t) => featurizeText(t, config));
    expect(batch.width).toBe(Math.max(...rows.map((r) => r.ids.length)));
    rows.forEach((r, i) => {
      const ids = Array.from(batch.ids.subarray(i * batch.width, (i + 1) * batch.width), Number);
      expect(ids).toEqual([...r.ids, ...new Array(batch.width - r.ids.length).fill(0)]);
      expect(Array.from(batch.weights.subarray(i * batch.width, i * batch.width + r.ids.length))).toEqual(r.weights);
    });
    expect(featurizeBatch(['', ''], config)).toMatchObject({ count: 2, width: 1 });
  });

  it('refuses a malformed featurizer section, naming the field', () => {
    const good = {
      name: 'hashed-ngrams',
      version: 1,
      digits: 'keep',
      tf: 'count',
      maxTokens: 8,
      blocks: [{ kinds: ['char'], min: 2, max: 4, buckets: 64 }],
    };
    expect(() => parseFeaturizerConfig(good)).not.toThrow();
    expect(() =>
      parseFeaturizerConfig({ ...good, blocks: [{ kinds: ['char'], min: 2, max: 4, buckets: 100 }] }),
    ).toThrow(/featurizer\.blocks\[0\]\.buckets must be a power of two/);
    expect(() => parseFeaturizerConfig({ ...good, blocks: [{ kinds: ['char'], buckets: 64 }] })).toThrow(
      /featurizer\.blocks\[0\]\.min/,
    );
    expect(() => parseFeaturizerConfig({ ...good, tf: 'sqrt' })).toThrow(ValidationError);
    expect(() => parseFeaturizerConfig({ ...good, blocks: [{ kinds: ['word', 'word'], buckets: 64 }] })).toThrow(
      /kinds must be distinct/,
    );
  });
});
