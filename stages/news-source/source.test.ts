import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NewsItem, Output, SourceContext, StageLogger } from '../../pipeline/index.ts';
import { parseNewsSourceConfig } from './config.ts';
import { createNewsSource } from './source.ts';

const fixture = fileURLToPath(
  new URL('../../test/fixtures/news/cryptonews_headlines_20231218-19.csv', import.meta.url),
);

function collector(): {
  ctx: SourceContext;
  batches: NewsItem[][];
  topics: Set<string>;
  ready: boolean[];
  logs: string[];
} {
  const batches: NewsItem[][] = [];
  const topics = new Set<string>();
  const ready: boolean[] = [];
  const logs: string[] = [];
  const log: StageLogger = {
    debug() {},
    info: (_o: object | string, msg?: string) => logs.push(msg ?? String(_o)),
    warn: (_o: object | string, msg?: string) => logs.push(msg ?? String(_o)),
    error() {},
  };
  const ctx: SourceContext = {
    async emit(outputs: readonly Output[]) {
      for (const o of outputs) topics.add(o.topic.name);
      batches.push(outputs.map((o) => o.value as NewsItem));
    },
    signal: new AbortController().signal,
    now: () => Date.now(),
    log,
    setReady: (r) => ready.push(r),
  };
  return { ctx, batches, topics, ready, logs };
}

describe('news source', () => {
  it('replays a news file onto `news` at once by default', async () => {
    const c = collector();
    await createNewsSource(parseNewsSourceConfig({ NEWS_SOURCE: `file:${fixture}` })).run(c.ctx);
    expect(c.topics).toEqual(new Set(['news']));
    expect(c.batches.map((b) => b.length)).toEqual([50]);
    expect(c.ready).toEqual([true]);
    expect(c.logs).toEqual(['news file replayed']);
  });

  it('paced, sends each published time as it falls due, in file order', async () => {
    const all = collector();
    await createNewsSource(parseNewsSourceConfig({ NEWS_SOURCE: `file:csv:${fixture}` })).run(all.ctx);
    const c = collector();
    // A clock that stands still makes every later published time due later: each is sent on its own, never
    // held back behind the next. An hour of event time per millisecond keeps the real sleeps short.
    c.ctx.now = () => 0;
    const config = parseNewsSourceConfig({ NEWS_SOURCE: `file:csv:${fixture}`, NEWS_REPLAY_SPEED: '3600000x' });
    await createNewsSource(config).run(c.ctx);
    expect(c.batches.flat()).toEqual(all.batches.flat());
    expect(c.batches.length).toBeGreaterThan(1);
    for (const batch of c.batches) expect(new Set(batch.map((i) => i.publishedAt)).size).toBe(1);
  });

  it('with NEWS_SOURCE=none, is ready and reads nothing (users may produce `news` themselves)', async () => {
    const c = collector();
    await createNewsSource(parseNewsSourceConfig({})).run(c.ctx);
    expect(c.batches).toEqual([]);
    expect(c.ready).toEqual([true]);
  });
});
