import { setTimeout as sleep } from 'node:timers/promises';
import { TextDecoder } from 'node:util';
import type { NewsItem, StageLogger } from '../../pipeline/index.ts';
import { newsItemOfEntry, parseFeedDocument } from './feed-items.ts';
import type { SeenIds } from '../../market/news-id.ts';

// Polls one feed: conditional GET (the validators of the last good answer), new items only, backoff with jitter
// on errors. A failing feed is logged once per failure streak and once when it recovers; nothing here throws.

export interface FeedPollOptions {
  url: string;
  intervalMs: number;
  /** Longest wait after errors, as a multiple of intervalMs. @defaultValue 16 */
  maxBackoffFactor?: number;
  /** One request's limit, body included; apart from the interval, which may be short. @defaultValue 30s */
  timeoutMs?: number;
  /** @defaultValue MAX_FEED_BYTES */
  maxBytes?: number;
  seen: SeenIds;
  /** Sends a poll's new items; a failure leaves them unseen, so the next poll offers them again. */
  emit(items: NewsItem[]): Promise<void>;
  /** Told after each poll whether it worked (readiness). */
  onResult?(ok: boolean): void;
  signal: AbortSignal;
  now(): number;
  log: StageLogger;
  /** @defaultValue Math.random */
  random?: () => number;
}

export class FeedError extends Error {}

/** Largest feed document read: a feed lists its latest items, a few hundred kilobytes at most in practice. */
export const MAX_FEED_BYTES = 10 * 1024 * 1024;

/** The charset of a feed: the Content-Type's, else the XML declaration's, else UTF-8 (XML's default). */
export function feedCharset(contentType: string | null, head: Buffer): string {
  const declared =
    /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ??
    /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head.subarray(0, 200).toString('latin1'))?.[1];
  return declared?.toLowerCase() ?? 'utf-8';
}

/** A response's document, decoded by its charset; a FeedError past maxBytes or in a charset Node cannot decode. */
export async function readFeedBody(response: Response, maxBytes: number): Promise<string> {
  const length = Number(response.headers.get('content-length') ?? NaN);
  if (length > maxBytes) {
    await response.body?.cancel();
    throw new FeedError(`document is over the ${maxBytes} bytes read (Content-Length ${length})`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new FeedError(`document is over the ${maxBytes} bytes read`);
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  const charset = feedCharset(response.headers.get('content-type'), bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    throw new FeedError(`charset "${charset}" is not one Node decodes`);
  }
  return decoder.decode(bytes);
}

/** Wait before the next poll after `failures` failed ones in a row: doubling, capped, with jitter in [0.5, 1]. */
export function backoffMs(intervalMs: number, failures: number, maxFactor: number, random: () => number): number {
  if (failures === 0) return intervalMs;
  const factor = Math.min(2 ** failures, maxFactor);
  return Math.round(intervalMs * factor * (0.5 + random() / 2));
}

interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/** One conditional GET: the document, or null for 304 Not Modified. */
async function fetchFeed(url: string, validators: Validators, signal: AbortSignal): Promise<Response | null> {
  const headers: Record<string, string> = {
    accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
    // Some publishers refuse the default `node` agent.
    'user-agent': 'candleflow-news-source',
  };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new FeedError(`request failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return null;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new FeedError(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  return response;
}

/** Polls `url` every intervalMs until the signal aborts. */
export async function pollFeed(options: FeedPollOptions): Promise<void> {
  const { url, intervalMs, seen, signal, log } = options;
  const random = options.random ?? Math.random;
  const maxFactor = options.maxBackoffFactor ?? 16;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const validators: Validators = { etag: null, lastModified: null };
  const fallbackSource = new URL(url).host;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const response = await fetchFeed(url, validators, AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]));
      if (response !== null) {
        const body = await readFeedBody(response, options.maxBytes ?? MAX_FEED_BYTES);
        let feed;
        try {
          feed = parseFeedDocument(body, url);
        } catch (err) {
          throw new FeedError(`not an RSS or Atom document: ${(err as Error).message}`);
        }
        // Only a document that parsed may be answered with 304 later: a broken one is fetched again in full.
        validators.etag = response.headers.get('etag');
        validators.lastModified = response.headers.get('last-modified');
        const now = options.now();
        // By id: a document may list one item twice.
        const fresh = new Map(feed.entries.filter((e) => !seen.has(e.id)).map((e) => [e.id, e]));
        const items = [...fresh.values()]
          .map((e) => newsItemOfEntry(e, feed.title ?? fallbackSource, now))
          .sort((a, b) => a.publishedAt - b.publishedAt);
        if (items.length > 0) {
          // Seen before the send, so another feed's poll meanwhile does not send the same item too.
          for (const item of items) seen.add(item.id);
          try {
            await options.emit(items);
          } catch (err) {
            for (const item of items) seen.delete(item.id);
            throw err;
          }
        }
        log.debug({ url, items: items.length, untitled: feed.untitled }, 'feed polled');
      }
      if (failures > 0) log.info({ url, failures }, 'feed recovered');
      failures = 0;
      options.onResult?.(true);
    } catch (err) {
      if (signal.aborted) break;
      failures += 1;
      options.onResult?.(false);
      const message = err instanceof FeedError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
      if (failures === 1)
        log.warn({ url, err: message }, 'feed poll failed; retrying with backoff, logged again when it recovers');
    }
    await sleep(backoffMs(intervalMs, failures, maxFactor, random), undefined, { signal }).catch(() => undefined);
  }
}
