import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../pipeline/index.ts';
import { parseNewsSourceConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'news-config-'));
const file = (name: string): string => {
  const path = join(dir, name);
  writeFileSync(path, '');
  return path;
};

describe('news source settings', () => {
  it('reads nothing by default, at most 60s between polls, files as fast as the bus takes them', () => {
    expect(parseNewsSourceConfig({})).toEqual({ source: { kind: 'none' }, replaySpeed: null, pollIntervalMs: 60_000 });
  });

  it('takes a file format from the extension or from the setting, like SOURCE=file:FORMAT:PATH', () => {
    const jsonl = file('a.jsonl');
    const csv = file('b.csv');
    const gz = file('c.ndjson.gz');
    const odd = file('d:e.txt');
    expect(parseNewsSourceConfig({ NEWS_SOURCE: `file:${jsonl}` }).source).toEqual({
      kind: 'file',
      format: 'jsonl',
      path: jsonl,
    });
    expect(parseNewsSourceConfig({ NEWS_SOURCE: `file:${csv}` }).source).toEqual({
      kind: 'file',
      format: 'csv',
      path: csv,
    });
    expect(parseNewsSourceConfig({ NEWS_SOURCE: `file:${gz}` }).source).toMatchObject({ format: 'jsonl' });
    expect(parseNewsSourceConfig({ NEWS_SOURCE: `file:csv:${odd}` }).source).toEqual({
      kind: 'file',
      format: 'csv',
      path: odd,
    });
    expect(parseNewsSourceConfig({ NEWS_SOURCE: `file:jsonl:${csv}` }).source).toMatchObject({ format: 'jsonl' });
  });

  it('polls a list of http(s) feeds, each once', () => {
    const config = parseNewsSourceConfig({
      NEWS_SOURCE: 'rss:https://example.com/feed.xml, http://localhost:8080/atom,https://example.com/feed.xml',
      NEWS_POLL_INTERVAL: '5m',
      NEWS_REPLAY_SPEED: '120x',
    });
    expect(config).toEqual({
      source: { kind: 'rss', urls: ['https://example.com/feed.xml', 'http://localhost:8080/atom'] },
      pollIntervalMs: 300_000,
      replaySpeed: 120,
    });
  });

  it('names the variable of a bad value', () => {
    for (const [env, variable, message] of [
      [{ NEWS_SOURCE: 'ftp:x' }, 'NEWS_SOURCE', /not none/],
      [{ NEWS_SOURCE: 'file:' }, 'NEWS_SOURCE', /names no file/],
      [{ NEWS_SOURCE: 'file:/nope/news.csv' }, 'NEWS_SOURCE', /ENOENT/],
      [{ NEWS_SOURCE: `file:${file('x.txt')}` }, 'NEWS_SOURCE', /format/],
      [{ NEWS_SOURCE: `file:${dir}/` }, 'NEWS_SOURCE', /format|not a file/],
      [{ NEWS_SOURCE: 'rss:' }, 'NEWS_SOURCE', /names no feed/],
      [{ NEWS_SOURCE: 'rss:example.com/feed' }, 'NEWS_SOURCE', /not a URL/],
      [{ NEWS_SOURCE: 'rss:file:///etc/passwd' }, 'NEWS_SOURCE', /http/],
      [{ NEWS_REPLAY_SPEED: 'fast' }, 'NEWS_REPLAY_SPEED', /factor/],
      [{ NEWS_POLL_INTERVAL: '10ms' }, 'NEWS_POLL_INTERVAL', /at least/],
    ] as const) {
      let error: unknown;
      try {
        parseNewsSourceConfig(env);
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as ConfigError).message).toMatch(message);
    }
    expect(parseNewsSourceConfig({ NEWS_REPLAY_SPEED: 'max' }).replaySpeed).toBeNull();
  });
});
