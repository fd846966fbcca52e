import { describe, expect, it } from 'vitest';
import { newsItemOfEntry, parseFeedDocument, plainText } from './feed-items.ts';
import { backoffMs } from './feed-poller.ts';
import { newsId } from '../../market/news-id.ts';

const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Coin Wire</title>
    <link>https://wire.example/</link>
    <description>Crypto headlines</description>
    <item>
      <title>Bitcoin &amp; ether rally</title>
      <link>https://wire.example/1</link>
      <guid isPermaLink="false">wire-1</guid>
      <pubDate>Tue, 19 Dec 2023 06:40:00 GMT</pubDate>
      <description>&lt;p&gt;Prices &lt;b&gt;rose&lt;/b&gt;.&lt;/p&gt;</description>
    </item>
    <item>
      <description>An item may have only a description (RSS 2.0): no headline, no NewsItem.</description>
    </item>
    <item>
      <title>Undated</title>
      <link>https://wire.example/2</link>
    </item>
  </channel>
</rss>`;

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Chain Times</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>
  <updated>2023-12-19T07:00:00Z</updated>
  <link rel="self" href="https://times.example/atom.xml"/>
  <entry>
    <title>Solana halts</title>
    <link rel="enclosure" href="https://times.example/a.mp3"/>
    <link rel="alternate" type="text/html" href="https://times.example/a"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2023-12-19T08:00:00+02:00</published>
    <updated>2023-12-19T09:00:00Z</updated>
    <content type="html">&lt;div&gt;Blocks stopped.&lt;/div&gt;</content>
  </entry>
  <entry>
    <title>Only updated</title>
    <link href="https://times.example/b"/>
    <id>tag:times.example,2023:b</id>
    <updated>2023-12-19T07:00:00Z</updated>
    <summary>Short.</summary>
  </entry>
</feed>`;

describe('feed documents', () => {
  it('reads RSS 2.0 items: guid for the id, pubDate for the time, the description as plain text', () => {
    const feed = parseFeedDocument(rss, 'https://wire.example/rss');
    expect(feed.title).toBe('Coin Wire');
    expect(feed.untitled).toBe(1);
    expect(feed.entries).toEqual([
      {
        id: newsId({ guid: 'wire-1', title: '', scope: 'https://wire.example/rss' }),
        title: 'Bitcoin & ether rally',
        body: 'Prices rose.',
        url: 'https://wire.example/1',
        publishedAt: Date.UTC(2023, 11, 19, 6, 40),
      },
      {
        id: newsId({ url: 'https://wire.example/2', title: '' }),
        title: 'Undated',
        body: null,
        url: 'https://wire.example/2',
        publishedAt: null,
      },
    ]);
  });

  it('reads Atom entries: id, published else updated, the alternate link', () => {
    const feed = parseFeedDocument(atom, 'https://times.example/atom.xml');
    expect(feed.title).toBe('Chain Times');
    expect(feed.entries).toEqual([
      {
        id: newsId({ guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a', title: '' }),
        title: 'Solana halts',
        body: 'Blocks stopped.',
        url: 'https://times.example/a',
        publishedAt: Date.UTC(2023, 11, 19, 6, 0),
      },
      {
        id: newsId({ guid: 'tag:times.example,2023:b', title: '' }),
        title: 'Only updated',
        body: 'Short.',
        url: 'https://times.example/b',
        publishedAt: Date.UTC(2023, 11, 19, 7, 0),
      },
    ]);
  });

  it('refuses what is not a feed', () => {
    for (const bad of [
      '',
      'not xml {',
      '<html><body>moved</body></html>',
      '<rss version="2.0"><channel><item><title>a</ti',
    ])
      expect(() => parseFeedDocument(bad, 'https://x.example/'), bad).toThrow();
  });

  it('dates an undated item by when it was first seen', () => {
    const [, undated] = parseFeedDocument(rss, 'https://wire.example/rss').entries;
    expect(newsItemOfEntry(undated!, 'Coin Wire', 42)).toEqual({
      id: undated!.id,
      source: 'Coin Wire',
      title: 'Undated',
      body: null,
      url: 'https://wire.example/2',
      symbols: [],
      publishedAt: 42,
    });
  });

  it('strips markup to words', () => {
    expect(plainText('<p>a<br/>b</p><script>x()</script>  c <a href="/x">link</a>, <em>d</em>')).toBe('a b c link, d');
    expect(plainText('<img src="x"/>')).toBeNull();
  });
});

describe('backoff', () => {
  it('doubles from the interval up to its cap, with jitter between half and all of it', () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffMs(1000, n, 16, top))).toEqual([
      1000, 2000, 4000, 8000, 16000, 16000, 16000,
    ]);
    expect(backoffMs(1000, 1, 16, () => 0)).toBe(1000);
    expect(backoffMs(1000, 3, 16, () => 0.5)).toBe(6000);
  });
});
