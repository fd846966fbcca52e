import { ValidationError } from '../../pipeline/index.ts';

// Text -> the sentiment model's input: hashed word unigrams, word bigrams and character n-grams inside words,
// hashed into blocks of ids, each id once with its weight (term count, or 1 + ln count). Identical to the Python featurizer the model was
// trained with (models/sentiment-ngram/text_featurizer.py), which a committed fixture proves. Hashes are FNV-1a
// 32-bit over UTF-8 bytes; the character classes are fixed code point ranges, not Unicode properties, because
// Python and Node ship different Unicode versions.

export type FeatureKind = 'word' | 'bigram' | 'char';

/** A block of `buckets` ids (a power of two) that the kinds it names are hashed into; the model L2-normalises each block on its own. */
export interface FeatureBlock {
  kinds: FeatureKind[];
  buckets: number;
  /** Character n-gram lengths inside `<word>` (blocks with `char` only). */
  min?: number;
  max?: number;
}

export interface TextFeaturizerConfig {
  name: 'hashed-ngrams';
  version: 1;
  /** `keep` ASCII digits, or map each to `0`. */
  digits: 'keep' | 'zero';
  /** Weight of an id: its count in the text, or 1 + ln count. */
  tf: 'count' | 'log';
  /** Ids kept per text: the first, block by block, in order of first appearance. */
  maxTokens: number;
  /** Block k holds ids [offset_k, offset_k + buckets_k), offset_0 = 1; id 0 is padding. */
  blocks: FeatureBlock[];
}

export interface TextFeatures {
  ids: number[];
  weights: number[];
}

/** A padded batch: `ids` int64 and `weights` float32, both [count, width], row-major; padding is id 0, weight 0. */
export interface FeatureBatch {
  ids: BigInt64Array;
  weights: Float32Array;
  count: number;
  width: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 0x20;

// Code points from U+00C0 on that separate words (punctuation and symbol blocks), inclusive ranges.
const separatorRanges: readonly (readonly [number, number])[] = [
  [0x2000, 0x2bff], // general punctuation, super/subscripts, currency, letterlike, arrows, maths, symbols
  [0x2e00, 0x2e7f], // supplemental punctuation
  [0x3000, 0x303f], // CJK symbols and punctuation
  [0xd800, 0xdfff], // surrogates (never present after well-forming)
  [0xfe10, 0xfe1f], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff0f],
  [0xff1a, 0xff20],
  [0xff3b, 0xff40],
  [0xff5b, 0xff65], // fullwidth punctuation
  [0xfff0, 0xffff], // specials, U+FFFD included
];

export function isWordChar(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a);
  if (cp < 0xc0 || cp === 0xd7 || cp === 0xf7) return false;
  for (const [lo, hi] of separatorRanges) if (cp >= lo && cp <= hi) return false;
  return true;
}

/** Lone surrogates become U+FFFD (as String.prototype.toWellFormed and Python's UTF-16 'replace' decoding do). */
function wellFormed(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    out += text.slice(start, i) + '\ufffd';
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/** Well-formed, NFKC, `toLowerCase` (Python `lower`, not `casefold`), final sigma folded to σ, digits per config. */
export function normaliseText(text: string, digits: TextFeaturizerConfig['digits']): string {
  const s = wellFormed(text).normalize('NFKC').toLowerCase().replaceAll('\u03c2', '\u03c3');
  return digits === 'zero' ? s.replace(/[0-9]/g, '0') : s;
}

/** Words as arrays of code points: maximal runs of word characters. */
export function tokenize(normalised: string): number[][] {
  const words: number[][] = [];
  let current: number[] = [];
  for (const ch of normalised) {
    const cp = ch.codePointAt(0)!;
    if (isWordChar(cp)) current.push(cp);
    else if (current.length > 0) {
      words.push(current);
      current = [];
    }
  }
  if (current.length > 0) words.push(current);
  return words;
}

function fnvByte(h: number, byte: number): number {
  return Math.imul(h ^ byte, FNV_PRIME) >>> 0;
}

/** FNV-1a over the UTF-8 encoding of one code point. */
function fnvCodePoint(h: number, cp: number): number {
  if (cp < 0x80) return fnvByte(h, cp);
  if (cp < 0x800) return fnvByte(fnvByte(h, 0xc0 | (cp >> 6)), 0x80 | (cp & 0x3f));
  if (cp < 0x10000)
    return fnvByte(fnvByte(fnvByte(h, 0xe0 | (cp >> 12)), 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
  h = fnvByte(fnvByte(h, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f));
  return fnvByte(fnvByte(h, 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
}

function fnvRange(h: number, cps: readonly number[], from: number, to: number): number {
  for (let i = from; i < to; i++) h = fnvCodePoint(h, cps[i]!);
  return h;
}

// A feature string is its kind's letter, a space, then the text ("w bitcoin", "b bitcoin rose", "c <bi"): the
// prefix's hash state is computed once per kind.
const kindPrefix: Record<FeatureKind, number> = {
  word: fnvByte(fnvByte(FNV_OFFSET, 0x77), SPACE),
  bigram: fnvByte(fnvByte(FNV_OFFSET, 0x62), SPACE),
  char: fnvByte(fnvByte(FNV_OFFSET, 0x63), SPACE),
};
const LT = 0x3c;
const GT = 0x3e;

/** First id of each block. */
export function blockOffsets(config: TextFeaturizerConfig): number[] {
  let first = 1;
  return config.blocks.map((b) => {
    const offset = first;
    first += b.buckets;
    return offset;
  });
}

function hashKind(kind: FeatureKind, block: FeatureBlock, words: readonly number[][], add: (h: number) => void): void {
  const prefix = kindPrefix[kind];
  if (kind === 'word') {
    for (const w of words) add(fnvRange(prefix, w, 0, w.length));
  } else if (kind === 'bigram') {
    for (let i = 1; i < words.length; i++) {
      const a = words[i - 1]!;
      const b = words[i]!;
      add(fnvRange(fnvByte(fnvRange(prefix, a, 0, a.length), SPACE), b, 0, b.length));
    }
  } else {
    for (const w of words) {
      const padded = [LT, ...w, GT];
      for (let n = block.min!; n <= block.max!; n++) {
        for (let i = 0; i + n <= padded.length; i++) add(fnvRange(prefix, padded, i, i + n));
      }
    }
  }
}

/** The model's input for one text: unique ids block by block in order of first appearance, with their weights. */
export function featurizeText(text: string, config: TextFeaturizerConfig): TextFeatures {
  const words = tokenize(normaliseText(text, config.digits));
  const counts = new Map<number, number>();
  const offsets = blockOffsets(config);
  config.blocks.forEach((block, k) => {
    const offset = offsets[k]!;
    const mask = block.buckets - 1;
    const add = (h: number) => {
      const id = offset + (h & mask);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    };
    for (const kind of block.kinds) hashKind(kind, block, words, add);
  });
  const ids: number[] = [];
  const weights: number[] = [];
  for (const [id, count] of counts) {
    if (ids.length === config.maxTokens) break;
    ids.push(id);
    weights.push(config.tf === 'log' ? 1 + Math.log(count) : count);
  }
  return { ids, weights };
}

/** Texts -> one padded batch, as wide as its longest row (at least 1, so an all-empty batch still runs). */
export function featurizeBatch(texts: readonly string[], config: TextFeaturizerConfig): FeatureBatch {
  const rows = texts.map((t) => featurizeText(t, config));
  const width = Math.max(1, ...rows.map((r) => r.ids.length));
  const ids = new BigInt64Array(rows.length * width);
  const weights = new Float32Array(rows.length * width);
  rows.forEach((r, row) => {
    for (let j = 0; j < r.ids.length; j++) {
      ids[row * width + j] = BigInt(r.ids[j]!);
      weights[row * width + j] = r.weights[j]!;
    }
  });
  return { ids, weights, count: rows.length, width };
}

/** Checks a model card's `featurizer` section; throws a ValidationError naming the first bad field. */
export function parseFeaturizerConfig(value: unknown): TextFeaturizerConfig {
  const fail = (field: string, problem: string): never => {
    throw new ValidationError(`model card: featurizer${field} ${problem}`);
  };
  const object = (v: unknown, field: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(field, 'must be an object');
  const int = (o: Record<string, unknown>, key: string, field: string, min: number): number => {
    const v = o[key];
    return typeof v === 'number' && Number.isInteger(v) && v >= min
      ? v
      : fail(`${field}.${key}`, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
  const o = object(value, '');
  if (o.name !== 'hashed-ngrams') fail('.name', `must be "hashed-ngrams", got ${JSON.stringify(o.name)}`);
  if (o.version !== 1) fail('.version', `must be 1, got ${JSON.stringify(o.version)}`);
  if (o.digits !== 'keep' && o.digits !== 'zero')
    fail('.digits', `must be "keep" or "zero", got ${JSON.stringify(o.digits)}`);
  if (o.tf !== 'count' && o.tf !== 'log') fail('.tf', `must be "count" or "log", got ${JSON.stringify(o.tf)}`);
  const maxTokens = int(o, 'maxTokens', '', 1);
  if (!Array.isArray(o.blocks) || o.blocks.length === 0) fail('.blocks', 'must be a non-empty array');
  let total = 0;
  const blocks = (o.blocks as unknown[]).map((v, k): FeatureBlock => {
    const field = `.blocks[${k}]`;
    const b = object(v, field);
    const kinds = b.kinds;
    if (
      !Array.isArray(kinds) ||
      kinds.length === 0 ||
      kinds.some((x) => x !== 'word' && x !== 'bigram' && x !== 'char') ||
      new Set(kinds).size !== kinds.length
    ) {
      fail(`${field}.kinds`, `must be distinct names among "word", "bigram", "char", got ${JSON.stringify(kinds)}`);
    }
    const buckets = int(b, 'buckets', field, 1);
    if ((buckets & (buckets - 1)) !== 0 || buckets > 2 ** 30)
      fail(`${field}.buckets`, `must be a power of two up to 2^30, got ${buckets}`);
    total += buckets;
    if (!(kinds as string[]).includes('char')) return { kinds: kinds as FeatureKind[], buckets };
    const min = int(b, 'min', field, 1);
    const max = int(b, 'max', field, min);
    return { kinds: kinds as FeatureKind[], buckets, min, max };
  });
  if (total >= 2 ** 31) fail('.blocks', `must hold fewer than 2^31 ids in all, got ${total}`);
  return {
    name: 'hashed-ngrams',
    version: 1,
    digits: o.digits as 'keep' | 'zero',
    tf: o.tf as 'count' | 'log',
    maxTokens,
    blocks,
  };
}
