import { parseFeed } from '@rowanmanning/feed-parser';
import type { NewsItem } from '../../pipeline/index.ts';
import { newsId } from '../../market/news-id.ts';

// An RSS 2.0 or Atom document as news items. The XML is the feed parser's business; here only what a NewsItem
// needs: which field is the id, the event time, the text.

export interface FeedEntry {
  /** The stable id (see newsId), independent of when the item was first seen. */
  id: string;
  title: string;
  body: string | null;
  url: string | null;
  /** pubDate (RSS) or published, else updated (Atom); null when the feed gives none. */
  publishedAt: number | null;
}

export interface ParsedFeed {
  title: string | null;
  entries: FeedEntry[];
  /** Items without a title: a NewsItem needs a headline. */
  untitled: number;
}

/** Feed HTML (a description, Atom content) as plain text: the stages downstream read words, not markup. */
export function plainText(html: string | null): string | null {
  if (html === null) return null;
  const text = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    // Inline markup joins its words to their neighbours ("<b>rose</b>."); any other tag separates them.
    .replace(/<\/?(?:a|abbr|b|code|em|i|mark|q|s|small|span|strong|sub|sup|u)\b[^>]*>/gi, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? null : text;
}

/** Parses a feed document; throws on one that is not RSS or Atom (the parser's INVALID_FEED or an XML error). */
export function parseFeedDocument(xml: string, feedUrl: string): ParsedFeed {
  const feed = parseFeed(xml);
  const entries: FeedEntry[] = [];
  let untitled = 0;
  for (const item of feed.items) {
    const title = plainText(item.title);
    if (title === null) {
      untitled += 1;
      continue;
    }
    const date = item.published ?? item.updated;
    const publishedAt = date && !Number.isNaN(date.getTime()) ? date.getTime() : null;
    entries.push({
      id: newsId({ guid: item.id, url: item.url, title, publishedAt, scope: feedUrl }),
      title,
      body: plainText(item.content ?? item.description),
      url: item.url,
      publishedAt,
    });
  }
  return { title: plainText(feed.title), entries, untitled };
}

/** A feed entry as the record on `news`; an item without a date takes the time it was first seen. */
export function newsItemOfEntry(entry: FeedEntry, source: string, firstSeenAt: number): NewsItem {
  return {
    id: entry.id,
    source,
    title: entry.title,
    body: entry.body,
    url: entry.url,
    symbols: [],
    publishedAt: entry.publishedAt ?? firstSeenAt,
  };
}
