import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../pipeline/errors.ts';

// The committed sentiment data (see README.md): Financial PhraseBank with its split, and the crypto headlines
// labelled by hand. Read by the model card test; the Python training reads the same files.

export const sentimentLabels = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof sentimentLabels)[number];
export type SplitName = 'train' | 'validation' | 'test';

export interface LabelledText {
  id: number;
  label: SentimentLabel;
  text: string;
}

export interface CryptoHeadline {
  headline: string;
  label: SentimentLabel;
  textblobLabel: string;
  date: string;
  source: string;
  subject: string;
  url: string;
}

const here = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new InputError('CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

function records(text: string, header: readonly string[], file: string): string[][] {
  const [head, ...rows] = parseCsv(text);
  if (head?.join(',') !== header.join(',')) throw new InputError(`${file}: expected header ${header.join(',')}`);
  for (const r of rows)
    if (r.length !== header.length)
      throw new InputError(`${file}: a row has ${r.length} fields, expected ${header.length}`);
  return rows;
}

function label(value: string, file: string): SentimentLabel {
  if (!(sentimentLabels as readonly string[]).includes(value))
    throw new InputError(`${file}: unknown label "${value}"`);
  return value as SentimentLabel;
}

export function loadPhrasebank(file = here('financial-phrasebank.csv.gz')): LabelledText[] {
  const rows = records(gunzipSync(readFileSync(file)).toString('utf8'), ['id', 'label', 'sentence'], file);
  return rows.map(([id, l, text]) => ({ id: Number(id), label: label(l!, file), text: text! }));
}

/** id -> split name. */
export function loadSplit(file = here('phrasebank-split.csv')): Map<number, SplitName> {
  const rows = records(readFileSync(file, 'utf8'), ['id', 'split'], file);
  return new Map(
    rows.map(([id, s]) => {
      if (s !== 'train' && s !== 'validation' && s !== 'test') throw new InputError(`${file}: unknown split "${s}"`);
      return [Number(id), s];
    }),
  );
}

export function phrasebankSplit(name: SplitName): LabelledText[] {
  const split = loadSplit();
  return loadPhrasebank().filter((r) => split.get(r.id) === name);
}

export function loadCryptoHeadlines(file = here('crypto-headlines-labelled.csv')): CryptoHeadline[] {
  const header = ['headline', 'label', 'textblob_label', 'date', 'source', 'subject', 'url'];
  return records(readFileSync(file, 'utf8'), header, file).map(
    ([headline, l, textblobLabel, date, source, subject, url]) => ({
      headline: headline!,
      label: label(l!, file),
      textblobLabel: textblobLabel!,
      date: date!,
      source: source!,
      subject: subject!,
      url: url!,
    }),
  );
}

/** The split's duplicate rule: sentences equal up to case, spacing and punctuation are one group. */
export function duplicateKey(sentence: string): string {
  return sentence
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
