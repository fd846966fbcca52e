import type { NewsItem } from '../../pipeline/index.ts';
import { newsId } from '../news-id.ts';
import { readLines } from './line-reader.ts';

// News files: JSON lines (one object a line) or CSV with a header, the columns named as news datasets name them.
// Shared by the news-source stage's replay and `candleflow sentiment`.

export const newsFileFormats = ['jsonl', 'csv'] as const;
export type NewsFileFormat = (typeof newsFileFormats)[number];

const aliases = {
  id: ['id'],
  title: ['title', 'headline'],
  body: ['body', 'text', 'summary', 'description', 'content'],
  source: ['source', 'publisher'],
  url: ['url', 'link'],
  publishedAt: ['publishedat', 'published_at', 'published', 'pubdate', 'date', 'time', 'timestamp'],
  symbols: ['symbols'],
} as const;

export type NewsRow = { item: NewsItem; line: number } | { error: string; line: number };

/** Epoch ms, or ISO-8601 (UTC unless it names an offset); null when it is neither. */
export function parsePublished(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const iso = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(Z|[+-]\d\d:?\d\d)?)?$/i.exec(text);
  if (!iso) return null;
  // Date.parse reads a date-time without an offset as local time: a replay must not depend on the host's zone.
  const ms = Date.parse(iso[2] ? `${iso[1]}T${iso[2]}${iso[3] ?? 'Z'}` : iso[1]!);
  return Number.isNaN(ms) ? null : ms;
}

function pick(record: Record<string, unknown>, names: readonly string[]): unknown {
  for (const [key, value] of Object.entries(record)) if (names.includes(key.toLowerCase())) return value;
  return undefined;
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const s = String(value).trim();
  return s === '' ? null : s;
}

/** One file record (an object of column names) as a NewsItem, or why it is not one. */
export function newsItemOf(record: Record<string, unknown>, defaultSource: string): NewsItem | string {
  const title = text(pick(record, aliases.title));
  if (title === null) return 'no title (or headline)';
  const rawTime = pick(record, aliases.publishedAt);
  const publishedAt = parsePublished(rawTime);
  if (publishedAt === null)
    return `published time ${JSON.stringify(rawTime ?? null)} is neither ISO-8601 nor epoch milliseconds`;
  const rawSymbols = pick(record, aliases.symbols);
  const symbols = Array.isArray(rawSymbols)
    ? rawSymbols.map(String)
    : (text(rawSymbols)?.split(/[;\s]+/) ?? []).filter((s) => s !== '');
  const bad = symbols.find((s) => !/^[A-Z0-9]+\/[A-Z0-9]+$/.test(s));
  if (bad !== undefined) return `symbol "${bad}" is not BASE/QUOTE`;
  const url = text(pick(record, aliases.url));
  return {
    id: text(pick(record, aliases.id)) ?? newsId({ url, title, publishedAt }),
    source: text(pick(record, aliases.source)) ?? defaultSource,
    title,
    body: text(pick(record, aliases.body)),
    url,
    symbols,
    publishedAt,
  };
}

/** Fields of one CSV record (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks). */
export function csvFields(record: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i += 1) {
    const c = record[i]!;
    if (quoted) {
      if (c === '"' && record[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** CSV records of a file's lines: a record goes on while a quoted field is open. */
async function* csvRecords(path: string): AsyncGenerator<{ record: string; line: number }> {
  let pending: { record: string; line: number } | null = null;
  for await (const { line, lineNumber } of readLines(path)) {
    const current: { record: string; line: number } = pending
      ? { record: `${pending.record}\n${line}`, line: pending.line }
      : { record: line, line: lineNumber };
    // An odd count of quotes leaves a field open.
    if ((current.record.match(/"/g)?.length ?? 0) % 2 === 1) pending = current;
    else {
      pending = null;
      yield current;
    }
  }
  if (pending) yield pending;
}

/** The news items of a file in file order, with the line of each bad record and why. */
export async function* newsOfFile(
  path: string,
  format: NewsFileFormat,
  defaultSource = 'file',
): AsyncGenerator<NewsRow> {
  if (format === 'jsonl') {
    for await (const { line, lineNumber } of readLines(path)) {
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (err) {
        yield { error: `not JSON: ${(err as Error).message}`, line: lineNumber };
        continue;
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        yield { error: 'not a JSON object', line: lineNumber };
        continue;
      }
      const item = newsItemOf(record as Record<string, unknown>, defaultSource);
      yield typeof item === 'string' ? { error: item, line: lineNumber } : { item, line: lineNumber };
    }
    return;
  }
  let header: string[] | null = null;
  for await (const { record, line } of csvRecords(path)) {
    if (record.trim() === '') continue;
    const fields = csvFields(record);
    if (header === null) {
      header = fields.map((f) => f.trim().replace(/^\uFEFF/, ''));
      continue;
    }
    const row = Object.fromEntries(header.map((name, i) => [name, fields[i]]));
    const item = newsItemOf(row, defaultSource);
    yield typeof item === 'string' ? { error: item, line } : { item, line };
  }
}
