import { defineSource, emit, topics, type SourceDefinition } from '../../pipeline/index.ts';
import type { NewsSourceConfig } from './config.ts';
import { pollFeed } from './feed-poller.ts';
import { SeenIds } from '../../market/news-id.ts';
import { replayNewsFile } from './news-replay.ts';

/** Item ids remembered across polls of all feeds: far more than feeds list at once (tens to hundreds each). */
export const SEEN_IDS = 50_000;

/**
 * The news-source worker: NewsItem records onto `news` from a file (replayed) or RSS and Atom feeds (polled).
 * Build it with `parseNewsSourceConfig(process.env)`.
 */
export function createNewsSource(
  config: NewsSourceConfig,
  options: { random?: () => number; maxBackoffFactor?: number } = {},
): SourceDefinition {
  return defineSource({
    name: 'news-source',
    description: 'News headlines from files and RSS or Atom feeds.',
    outputs: [topics.news],
    async run(ctx) {
      const { source } = config;
      if (source.kind === 'none') {
        // Users may produce `news` with their own clients; this worker then has nothing to do.
        ctx.setReady(true);
        ctx.log.info('NEWS_SOURCE is none: no news read by this worker');
        return;
      }
      if (source.kind === 'file') {
        const result = await replayNewsFile(ctx, { ...source, speed: config.replaySpeed });
        ctx.log.info({ ...result, path: source.path }, 'news file replayed');
        return;
      }
      const seen = new SeenIds(SEEN_IDS);
      // Ready while at least one feed answered its latest poll: one dead feed of several is a log line, not an outage.
      const working = new Set<string>();
      await Promise.all(
        source.urls.map((url) =>
          pollFeed({
            url,
            intervalMs: config.pollIntervalMs,
            seen,
            signal: ctx.signal,
            now: ctx.now,
            log: ctx.log,
            ...options,
            emit: (items) => ctx.emit(items.map((item) => emit(topics.news, item))),
            onResult(ok) {
              if (ok) working.add(url);
              else working.delete(url);
              ctx.setReady(working.size > 0);
            },
          }),
        ),
      );
    },
  });
}
