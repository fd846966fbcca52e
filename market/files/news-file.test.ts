import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { csvFields, newsOfFile, parsePublished, type NewsRow } from './news-file.ts';
import { newsId } from '../news-id.ts';

const dir = mkdtempSync(join(tmpdir(), 'news-file-'));
const fixture = fileURLToPath(
  new URL('../../test/fixtures/news/cryptonews_headlines_20231218-19.csv', import.meta.url),
);

async function rows(path: string, format: 'jsonl' | 'csv'): Promise<NewsRow[]> {
  const out: NewsRow[] = [];
  for await (const row of newsOfFile(path, format)) out.push(row);
  return out;
}

describe('published times', () => {
  it('reads epoch ms and ISO-8601, a time without an offset as UTC', () => {
    expect(parsePublished(1702968000000)).toBe(1702968000000);
    expect(parsePublished('1702968000000')).toBe(1702968000000);
    expect(parsePublished('2023-12-19T06:40:00Z')).toBe(Date.UTC(2023, 11, 19, 6, 40));
    expect(parsePublished('2023-12-19 06:40')).toBe(Date.UTC(2023, 11, 19, 6, 40));
    expect(parsePublished('2023-12-19T08:40:00+02:00')).toBe(Date.UTC(2023, 11, 19, 6, 40));
    expect(parsePublished('2023-12-19')).toBe(Date.UTC(2023, 11, 19));
    for (const bad of ['2023/12/19 6:40', 'yesterday', '', null, -5, '2023-13-45'])
      expect(parsePublished(bad), String(bad)).toBeNull();
  });
});

describe('CSV fields', () => {
  it('splits RFC 4180 records', () => {
    expect(csvFields('a,"b, c","say ""hi""",,"two\nlines"')).toEqual(['a', 'b, c', 'say "hi"', '', 'two\nlines']);
  });
});

describe('news files', () => {
  it('reads the 50 real headlines of the fixture, in time order, with their fields', async () => {
    const items = (await rows(fixture, 'csv')).map((r) => ('item' in r ? r.item : r.error));
    expect(items).toHaveLength(50);
    expect(items[0]).toEqual({
      id: newsId({
        url: 'https://cointelegraph.com/news/hut8-texas-mining-equity-celsius-creditors',
        title: 'Hut 8 signs deal to develop new mining site to build equity with Celsius creditors',
      }),
      source: 'CoinTelegraph',
      title: 'Hut 8 signs deal to develop new mining site to build equity with Celsius creditors',
      body: 'Hut 8’s new mining site in Cedarvale, Texas, will house almost 66,000 miners and will be powered by more than 215 MWof energy.',
      url: 'https://cointelegraph.com/news/hut8-texas-mining-equity-celsius-creditors',
      symbols: [],
      publishedAt: Date.UTC(2023, 11, 18, 11, 54),
    });
    const times = items.map((i) => (typeof i === 'string' ? NaN : i.publishedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(items.map((i) => (typeof i === 'string' ? i : i.id))).size).toBe(50);
  });

  it('reads CSV columns by their usual names, quoted fields across lines, and says what is wrong with a row', async () => {
    const path = join(dir, 'news.csv');
    writeFileSync(
      path,
      [
        '\uFEFFHeadline,Link,Date,Text,Publisher,symbols',
        'BTC tops $40k,https://x.example/1,1702968000000,"Up, and ""up""",Wire,BTC/USD;ETH/USD',
        '"ETF news",,2023-12-19T07:00:00Z,"line one',
        'line two",,',
        ',https://x.example/2,2023-12-19,,,',
        'No date,,19/12/2023,,,',
        'Bad symbol,,2023-12-19,,,bitcoin',
        '',
      ].join('\n'),
    );
    const got = await rows(path, 'csv');
    expect(got[0]).toEqual({
      line: 2,
      item: {
        id: newsId({ url: 'https://x.example/1', title: 'BTC tops $40k' }),
        source: 'Wire',
        title: 'BTC tops $40k',
        body: 'Up, and "up"',
        url: 'https://x.example/1',
        symbols: ['BTC/USD', 'ETH/USD'],
        publishedAt: 1702968000000,
      },
    });
    expect(got[1]).toMatchObject({
      line: 3,
      item: { title: 'ETF news', body: 'line one\nline two', url: null, source: 'file', symbols: [] },
    });
    expect(got.slice(2)).toEqual([
      { line: 5, error: 'no title (or headline)' },
      { line: 6, error: 'published time "19/12/2023" is neither ISO-8601 nor epoch milliseconds' },
      { line: 7, error: 'symbol "bitcoin" is not BASE/QUOTE' },
    ]);
  });

  it('reads JSON lines, gzipped too, keeping an id the file gives', async () => {
    const path = join(dir, 'news.jsonl.gz');
    const lines = [
      { id: 'wire-1', title: 'Ether rallies', body: 'ETH up', source: 'Wire', url: null, publishedAt: 1702968000000 },
      { headline: 'Solana halts', published: '2023-12-19T06:40:00Z', symbols: ['SOL/USD'] },
      'not json',
      [1, 2],
      { title: 'No time' },
    ];
    writeFileSync(path, gzipSync(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n\n')));
    const got = await rows(path, 'jsonl');
    expect(got[0]).toEqual({
      line: 1,
      item: {
        id: 'wire-1',
        title: 'Ether rallies',
        body: 'ETH up',
        source: 'Wire',
        url: null,
        symbols: [],
        publishedAt: 1702968000000,
      },
    });
    expect(got[1]).toMatchObject({ line: 3, item: { title: 'Solana halts', symbols: ['SOL/USD'], source: 'file' } });
    expect(got.slice(2).map((r) => [r.line, 'error' in r && r.error.split(':')[0]])).toEqual([
      [5, 'not JSON'],
      [7, 'not a JSON object'],
      [9, 'published time null is neither ISO-8601 nor epoch milliseconds'],
    ]);
  });
});
