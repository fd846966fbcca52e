import { accessSync, constants, statSync } from 'node:fs';
import { ConfigError, defineConfig, setting, settings } from '../../pipeline/index.ts';
import { newsFileFormats, type NewsFileFormat } from '../../market/files/news-file.ts';

export type NewsSourceSpec =
  { kind: 'none' } | { kind: 'file'; format: NewsFileFormat; path: string } | { kind: 'rss'; urls: string[] };

export interface NewsSourceConfig {
  source: NewsSourceSpec;
  /** Event time runs this many times faster than the wall clock; null = as fast as the bus takes it. */
  replaySpeed: number | null;
  pollIntervalMs: number;
}

function formatOfPath(path: string): NewsFileFormat | null {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (/\.(jsonl|ndjson|json)$/.test(name)) return 'jsonl';
  if (name.endsWith('.csv')) return 'csv';
  return null;
}

function parseFile(rest: string): NewsSourceSpec {
  // `file:jsonl:PATH` names the format as trade-source's `file:FORMAT:PATH` does; `file:PATH` takes the extension's.
  const [first, ...after] = rest.split(':');
  const explicit = (newsFileFormats as readonly string[]).includes(first!) && after.length > 0;
  const path = explicit ? after.join(':') : rest;
  if (path === '') throw new ConfigError('NEWS_SOURCE', 'names no file (file:PATH or file:jsonl|csv:PATH)');
  const format = explicit ? (first as NewsFileFormat) : formatOfPath(path);
  if (format === null)
    throw new ConfigError(
      'NEWS_SOURCE',
      `cannot tell the format of ${path} from its extension: name it, file:jsonl:PATH or file:csv:PATH`,
    );
  // A source that cannot open its input is a setting to fix, not a worker that reports ready with nothing flowing.
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch (err) {
    throw new ConfigError(
      'NEWS_SOURCE',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return { kind: 'file', format, path };
}

function parseFeeds(rest: string): NewsSourceSpec {
  const urls = rest
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (urls.length === 0) throw new ConfigError('NEWS_SOURCE', 'names no feed (rss:URL[,URL])');
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new ConfigError('NEWS_SOURCE', `"${u}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new ConfigError('NEWS_SOURCE', `"${u}" is not an http(s) URL`);
  }
  return { kind: 'rss', urls: [...new Set(urls)] };
}

export function parseNewsSource(text: string): NewsSourceSpec {
  const value = text.trim();
  if (value === '' || value === 'none') return { kind: 'none' };
  const colon = value.indexOf(':');
  const kind = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? '' : value.slice(colon + 1);
  if (kind === 'file') return parseFile(rest);
  if (kind === 'rss') return parseFeeds(rest);
  throw new ConfigError('NEWS_SOURCE', `"${value}" is not none, file:PATH, file:jsonl|csv:PATH or rss:URL[,URL]`);
}

function parseSpeed(text: string): number | null {
  const value = text.toLowerCase();
  if (value === 'max' || value === '0') return null;
  const n = Number(value.replace(/x$/, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error('is not a positive factor like 60x, or max');
  return n;
}

export const newsSourceConfig = defineConfig({
  source: setting<NewsSourceSpec>('NEWS_SOURCE', {
    default: { kind: 'none' },
    defaultText: '`none`',
    doc: '`none`; `file:PATH` (JSON lines or CSV by extension, or `file:jsonl:PATH` / `file:csv:PATH`: title, optional body, source, url, published time in ISO-8601 or epoch ms); `rss:URL[,URL]` (RSS 2.0 and Atom feeds, polled)',
    parse: parseNewsSource,
  }),
  replaySpeed: setting<number | null>('NEWS_REPLAY_SPEED', {
    default: null,
    defaultText: '`max`',
    doc: 'pace of a news file replay by published time: `Nx` real time or `max`',
    parse: parseSpeed,
  }),
  pollIntervalMs: settings.duration('NEWS_POLL_INTERVAL', {
    default: 60_000,
    min: 1_000,
    doc: 'how often each `rss:` feed is polled (conditional GET); errors back off exponentially from here, up to 16 times it',
  }),
});

export function parseNewsSourceConfig(env: Readonly<Record<string, string | undefined>>): NewsSourceConfig {
  return newsSourceConfig.compile(env);
}
