import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type NewsItem, type Output, type SourceContext } from '../../pipeline/index.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { pollFeed } from '../../stages/news-source/feed-poller.ts';
import { SeenIds } from '../../market/news-id.ts';
import { createNewsSource } from '../../stages/news-source/source.ts';
import { rssDocument } from './feed-documents.ts';

// What the integration test of the happy path does not reach: a send the bus refuses (its items are offered again
// at the next poll, not lost as "seen"), a feed whose server is not there at all, and readiness across them.

const doc = rssDocument([
  { title: 'One', link: 'https://wire.example/1', pubDate: 'Tue, 19 Dec 2023 06:40:00 GMT' },
  { title: 'Two', link: 'https://wire.example/2', pubDate: 'Tue, 19 Dec 2023 06:50:00 GMT' },
]);
let server: http.Server;
let feed: string;
let deadFeed: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/latin1.xml') {
      // ISO-8859-1 said only in the XML declaration, as many older feeds do.
      const latin1 = doc.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace('>One<', '>Café crème<');
      return void res.writeHead(200, { 'content-type': 'application/xml' }).end(Buffer.from(latin1, 'latin1'));
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(doc);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  feed = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rss.xml`;
  // A port that was just free: nothing listens there.
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadFeed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/rss.xml`;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function context(failFirstSends: number) {
  const abort = new AbortController();
  const sent: NewsItem[][] = [];
  const warnings: { url?: string; err?: string }[] = [];
  const ready: boolean[] = [];
  let attempts = 0;
  const ctx: SourceContext = {
    async emit(outputs: readonly Output[]) {
      attempts += 1;
      if (attempts <= failFirstSends) throw new Error('bus refused the batch');
      sent.push(outputs.map((o) => o.value as NewsItem));
    },
    signal: abort.signal,
    now: () => Date.now(),
    log: {
      debug() {},
      info() {},
      warn: (o: object | string) => void warnings.push(o as { url?: string; err?: string }),
      error() {},
    },
    setReady: (r) => void ready.push(r),
  };
  return { ctx, abort, sent, warnings, ready, attempts: () => attempts };
}

describe('news-source when sending or fetching fails', () => {
  it('decodes a feed in the charset its XML declaration names', async () => {
    const c = context(0);
    const run = createNewsSource({
      source: { kind: 'rss', urls: [feed.replace('rss.xml', 'latin1.xml')] },
      pollIntervalMs: 10,
      replaySpeed: null,
    }).run(c.ctx);
    await waitFor(() => c.sent.length >= 1, 'one send');
    c.abort.abort();
    await run;
    expect(c.sent[0]!.map((i) => i.title)).toEqual(['Café crème', 'Two']);
  });

  it('refuses a document over the size it reads, and says so once', async () => {
    const c = context(0);
    const run = pollFeed({
      url: feed,
      intervalMs: 10,
      maxBytes: 100,
      seen: new SeenIds(10),
      emit: (items) => c.ctx.emit(items.map((value) => ({ topic: topics.news, value }))),
      onResult: (ok) => c.ctx.setReady(ok),
      signal: c.ctx.signal,
      now: c.ctx.now,
      log: c.ctx.log,
      random: () => 1,
      maxBackoffFactor: 2,
    });
    await waitFor(() => c.ready.length >= 3, 'three polls');
    c.abort.abort();
    await run;
    expect(c.sent).toEqual([]);
    expect(c.warnings).toEqual([{ url: feed, err: 'document is over the 100 bytes read' }]);
  });

  it('offers the items of a refused send again at the next poll, then never again', async () => {
    const c = context(2);
    const run = createNewsSource(
      { source: { kind: 'rss', urls: [feed] }, pollIntervalMs: 10, replaySpeed: null },
      { random: () => 1, maxBackoffFactor: 2 },
    ).run(c.ctx);
    await waitFor(() => c.attempts() >= 3, 'a send that works after two refused');
    // Polls go on after the good send; they find nothing new.
    await waitFor(() => c.ready.length >= 6, 'three more polls');
    c.abort.abort();
    await run;
    expect(c.sent.map((batch) => batch.map((i) => i.title))).toEqual([['One', 'Two']]);
    expect(c.warnings).toEqual([{ url: feed, err: 'Error: bus refused the batch' }]);
    expect(c.ready.slice(0, 3)).toEqual([false, false, true]);
  });

  it('stays up and not ready while its only feed cannot be reached; ready while another feed answers', async () => {
    const alone = context(0);
    const run = createNewsSource(
      { source: { kind: 'rss', urls: [deadFeed] }, pollIntervalMs: 10, replaySpeed: null },
      { random: () => 1, maxBackoffFactor: 2 },
    ).run(alone.ctx);
    await waitFor(() => alone.ready.length >= 3, 'three failed polls');
    alone.abort.abort();
    await run;
    expect(new Set(alone.ready)).toEqual(new Set([false]));
    expect(alone.warnings).toHaveLength(1);
    expect(alone.warnings[0]).toMatchObject({
      url: deadFeed,
      err: expect.stringMatching(/^request failed: ECONNREFUSED/),
    });

    const both = context(0);
    const run2 = createNewsSource(
      { source: { kind: 'rss', urls: [deadFeed, feed] }, pollIntervalMs: 10, replaySpeed: null },
      { random: () => 1, maxBackoffFactor: 2 },
    ).run(both.ctx);
    await waitFor(() => both.sent.length >= 1 && both.ready.length >= 6, 'polls of both feeds');
    both.abort.abort();
    await run2;
    expect(both.ready.at(-1)).toBe(true);
    expect(both.sent.flat().map((i) => i.title)).toEqual(['One', 'Two']);
  });
});
