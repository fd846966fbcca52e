// Feeds written from the two formats' specifications: RSS 2.0 (https://www.rssboard.org/rss-specification: guid,
// pubDate in RFC 822) and Atom (RFC 4287: id, updated and published in RFC 3339, link rel="alternate").

export interface RssItem {
  title: string;
  link?: string;
  guid?: { value: string; isPermaLink: boolean };
  /** RFC 822, e.g. `Tue, 19 Dec 2023 06:40:00 GMT`. */
  pubDate?: string;
  description?: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function rssDocument(items: readonly RssItem[]): string {
  const body = items
    .map((i) =>
      [
        '    <item>',
        `      <title>${esc(i.title)}</title>`,
        i.link ? `      <link>${esc(i.link)}</link>` : '',
        i.guid ? `      <guid isPermaLink="${i.guid.isPermaLink}">${esc(i.guid.value)}</guid>` : '',
        i.pubDate ? `      <pubDate>${i.pubDate}</pubDate>` : '',
        i.description ? `      <description>${esc(i.description)}</description>` : '',
        '    </item>',
      ]
        .filter((l) => l !== '')
        .join('\n'),
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Coin Wire</title>
    <link>https://wire.example/</link>
    <description>Crypto market headlines</description>
    <language>en-us</language>
    <lastBuildDate>Tue, 19 Dec 2023 08:00:00 GMT</lastBuildDate>
${body}
  </channel>
</rss>
`;
}

export interface AtomEntry {
  id: string;
  title: string;
  alternate: string;
  /** RFC 3339. */
  updated: string;
  published?: string;
  summary?: string;
}

export function atomDocument(entries: readonly AtomEntry[]): string {
  const body = entries
    .map((e) =>
      [
        '  <entry>',
        `    <title type="text">${esc(e.title)}</title>`,
        `    <link rel="alternate" type="text/html" href="${esc(e.alternate)}"/>`,
        `    <link rel="related" href="https://times.example/related"/>`,
        `    <id>${esc(e.id)}</id>`,
        `    <updated>${e.updated}</updated>`,
        e.published ? `    <published>${e.published}</published>` : '',
        `    <author><name>Desk</name></author>`,
        e.summary ? `    <summary type="html">${esc(e.summary)}</summary>` : '',
        '  </entry>',
      ]
        .filter((l) => l !== '')
        .join('\n'),
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Chain Times</title>
  <link rel="self" href="https://times.example/atom.xml"/>
  <link rel="alternate" href="https://times.example/"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>
  <updated>2023-12-19T08:00:00Z</updated>
  <author><name>Chain Times</name></author>
${body}
</feed>
`;
}
