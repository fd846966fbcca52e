import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../pipeline/bus/memory-bus.ts';
import type { NewsItem } from '../../pipeline/index.ts';
import { createLogger } from '../../pipeline/log.ts';
import { createRegistry, StageMetrics } from '../../pipeline/metrics/stage-metrics.ts';
import { createLocalRegistryCodec } from '../../pipeline/serde/local-registry-codec.ts';
import { SourceRunner } from '../../pipeline/stage/source-runner.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { allTopicSettings, topics } from '../../schemas/topics.ts';
import { newsId } from '../../market/news-id.ts';
import { createNewsSource } from '../../stages/news-source/source.ts';
import { atomDocument, rssDocument, type AtomEntry, type RssItem } from './feed-documents.ts';

// The news source polling a real HTTP server that serves an RSS 2.0 and an Atom feed through a scripted life:
// full document, 304 on the validators it gave, a 500, a network error or a broken document, then a new item.
// Every item reaches `news` once, with the right fields, and the source gets over the errors by itself.

const NOW = Date.UTC(2023, 11, 19, 9, 0);
const rssV1: RssItem[] = [
  {
    title: 'Bitcoin & ether rally',
    link: 'https://wire.example/1',
    guid: { value: 'wire-1', isPermaLink: false },
    pubDate: 'Tue, 19 Dec 2023 06:40:00 GMT',
    description: '<p>Prices <b>rose</b> overnight.</p>',
  },
  { title: 'Exchange lists SOL', link: 'https://wire.example/2', pubDate: 'Tue, 19 Dec 2023 07:10:00 +0100' },
  { title: 'Undated rumour', link: 'https://wire.example/3' },
];
const rssV2: RssItem[] = [
  {
    title: 'ETF decision due',
    link: 'https://wire.example/4',
    guid: { value: 'https://wire.example/4', isPermaLink: true },
    pubDate: 'Tue, 19 Dec 2023 08:30:00 GMT',
  },
  ...rssV1,
];
const atomV1: AtomEntry[] = [
  {
    id: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
    title: 'Solana halts',
    alternate: 'https://times.example/a',
    published: '2023-12-19T08:00:00+02:00',
    updated: '2023-12-19T07:30:00Z',
    summary: 'Blocks <em>stopped</em> for an hour.',
  },
  {
    id: 'tag:times.example,2023:b',
    title: 'Only updated',
    alternate: 'https://times.example/b',
    updated: '2023-12-19T07:00:00Z',
  },
];
const atomV2: AtomEntry[] = [
  {
    id: 'tag:times.example,2023:c',
    title: 'Fees fall',
    alternate: 'https://times.example/c',
    updated: '2023-12-19T08:45:00.5Z',
  },
  ...atomV1,
];

type Step = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const xml =
  (body: string, headers: Record<string, string>): Step =>
  (req, res) => {
    const etag = headers.etag;
    const modified = headers['last-modified'];
    if (
      (etag && req.headers['if-none-match'] === etag) ||
      (!etag && modified && req.headers['if-modified-since'] === modified)
    ) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', ...headers }).end(body);
  };
const status500: Step = (_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
const hangUp: Step = (req) => req.socket.destroy();
// Cut inside a closing tag: the parser is lenient with a document merely cut short, not with broken markup.
const broken: Step = (_req, res) =>
  res
    .writeHead(200, { 'content-type': 'application/rss+xml' })
    .end('<?xml version="1.0"?><rss version="2.0"><channel><item><title>cut</title></item></chan');
const htmlPage: Step = (_req, res) =>
  res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Maintenance</h1></body></html>');

const R1 = { etag: '"r1"', 'last-modified': 'Tue, 19 Dec 2023 08:00:00 GMT' };
const R2 = { etag: '"r2"', 'last-modified': 'Tue, 19 Dec 2023 08:30:00 GMT' };
const A1 = { 'last-modified': 'Tue, 19 Dec 2023 07:30:00 GMT' };
const A2 = { 'last-modified': 'Tue, 19 Dec 2023 08:45:00 GMT' };
const scripts: Record<string, Step[]> = {
  '/rss.xml': [
    xml(rssDocument(rssV1), R1),
    xml(rssDocument(rssV1), R1),
    status500,
    hangUp,
    broken,
    xml(rssDocument(rssV2), R2),
  ],
  '/atom.xml': [
    xml(atomDocument(atomV1), A1),
    xml(atomDocument(atomV1), A1),
    status500,
    htmlPage,
    xml(atomDocument(atomV2), A2),
  ],
};
const requests: Record<string, http.IncomingHttpHeaders[]> = { '/rss.xml': [], '/atom.xml': [] };
const answered: Record<string, number[]> = { '/rss.xml': [], '/atom.xml': [] };

let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url!;
    const steps = scripts[path];
    if (!steps) return void res.writeHead(404).end();
    const n = requests[path]!.push(req.headers) - 1;
    res.on('finish', () => answered[path]!.push(res.statusCode));
    // After its script a feed stays as it last was, answering 304 to the right validators.
    (steps[n] ?? steps.at(-1)!)(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('news-source over RSS 2.0 and Atom feeds', () => {
  it('emits every item once, sends the validators, and recovers from a 500, a hang-up and broken documents', async () => {
    const logs: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
        done();
      },
    });
    const bus = new MemoryBus();
    await bus.ensureTopics(allTopicSettings());
    const codec = createLocalRegistryCodec();
    const rss = `${base}/rss.xml`;
    const atom = `${base}/atom.xml`;
    const source = createNewsSource(
      { source: { kind: 'rss', urls: [rss, atom] }, pollIntervalMs: 20, replaySpeed: null },
      { random: () => 1, maxBackoffFactor: 2 },
    );
    const runner = new SourceRunner(source, {
      bus,
      codec,
      metrics: new StageMetrics(createRegistry({ defaultMetrics: false })),
      log: createLogger({ level: 'debug', destination }),
      now: () => NOW,
    });
    await runner.start();
    await waitFor(
      () => answered['/rss.xml']!.length >= 8 && answered['/atom.xml']!.length >= 8,
      'each feed polled a few times after its script',
    );
    expect(runner.ready()).toBe(true);
    await runner.stop();
    await runner.done;

    const records: { key: string | null; value: NewsItem }[] = [];
    for (let partition = 0; partition < topics.news.partitions; partition += 1) {
      const raw: { key: string | null; value: Buffer }[] = [];
      await bus.readPartition({ topic: 'news', partition }, (r) => raw.push(r));
      for (const r of raw) records.push({ key: r.key, value: (await codec.decode('news', r.value)) as NewsItem });
    }
    await bus.close();
    const byTitle = new Map(records.map((r) => [r.value.title, r.value]));
    expect(records.map((r) => r.value.title).sort()).toEqual(
      [
        'Bitcoin & ether rally',
        'Exchange lists SOL',
        'Undated rumour',
        'ETF decision due',
        'Solana halts',
        'Only updated',
        'Fees fall',
      ].sort(),
    );
    for (const r of records) expect(r.key).toBe(r.value.id);

    expect(byTitle.get('Bitcoin & ether rally')).toEqual({
      id: newsId({ guid: 'wire-1', title: '', scope: rss }),
      source: 'Coin Wire',
      title: 'Bitcoin & ether rally',
      body: 'Prices rose overnight.',
      url: 'https://wire.example/1',
      symbols: [],
      publishedAt: Date.UTC(2023, 11, 19, 6, 40),
    });
    expect(byTitle.get('Exchange lists SOL')).toMatchObject({
      id: newsId({ url: 'https://wire.example/2', title: '' }),
      body: null,
      publishedAt: Date.UTC(2023, 11, 19, 6, 10),
    });
    expect(byTitle.get('Undated rumour')).toMatchObject({ publishedAt: NOW, url: 'https://wire.example/3' });
    expect(byTitle.get('ETF decision due')).toMatchObject({
      id: newsId({ guid: 'https://wire.example/4', title: '' }),
      publishedAt: Date.UTC(2023, 11, 19, 8, 30),
    });
    expect(byTitle.get('Solana halts')).toEqual({
      id: newsId({ guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a', title: '' }),
      source: 'Chain Times',
      title: 'Solana halts',
      body: 'Blocks stopped for an hour.',
      url: 'https://times.example/a',
      symbols: [],
      publishedAt: Date.UTC(2023, 11, 19, 6, 0),
    });
    expect(byTitle.get('Only updated')).toMatchObject({
      url: 'https://times.example/b',
      publishedAt: Date.UTC(2023, 11, 19, 7, 0),
    });
    expect(byTitle.get('Fees fall')).toMatchObject({ publishedAt: Date.UTC(2023, 11, 19, 8, 45, 0, 500) });

    // Conditional GET: the validators of the last document that parsed, never those of an error.
    const rssSent = requests['/rss.xml']!.map((h) => [h['if-none-match'] ?? null, h['if-modified-since'] ?? null]);
    expect(rssSent[0]).toEqual([null, null]);
    for (const sent of rssSent.slice(1, 6)) expect(sent).toEqual([R1.etag, R1['last-modified']]);
    for (const sent of rssSent.slice(6)) expect(sent).toEqual([R2.etag, R2['last-modified']]);
    const atomSent = requests['/atom.xml']!.map((h) => [h['if-none-match'] ?? null, h['if-modified-since'] ?? null]);
    expect(atomSent[0]).toEqual([null, null]);
    for (const sent of atomSent.slice(1, 5)) expect(sent).toEqual([null, A1['last-modified']]);
    for (const sent of atomSent.slice(5)) expect(sent).toEqual([null, A2['last-modified']]);
    // The hang-up has no answer: the server closed the connection instead.
    expect(answered['/rss.xml']!.slice(0, 8)).toEqual([200, 304, 500, 200, 200, 304, 304, 304]);
    expect(answered['/atom.xml']!.slice(0, 8)).toEqual([200, 304, 500, 200, 200, 304, 304, 304]);

    // One warning per failure streak, one line when it ends, per feed.
    const failed = logs.filter((l) => String(l.msg).startsWith('feed poll failed'));
    expect(failed.map((l) => [l.url, l.err])).toEqual(
      expect.arrayContaining([
        [rss, 'HTTP 500 Internal Server Error'],
        [atom, 'HTTP 500 Internal Server Error'],
      ]),
    );
    expect(failed).toHaveLength(2);
    const recovered = logs.filter((l) => l.msg === 'feed recovered').map((l) => [l.url, l.failures]);
    expect(recovered.sort()).toEqual([
      [atom, 2],
      [rss, 3],
    ]);
    expect(logs.filter((l) => l.msg === 'source failed')).toEqual([]);
  });
});
