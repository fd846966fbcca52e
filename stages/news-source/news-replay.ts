import { emit, topics, type Output, type SourceContext } from '../../pipeline/index.ts';
import { ReplayPacer } from '../../market/replay-pacer.ts';
import { newsOfFile, type NewsFileFormat } from '../../market/files/news-file.ts';

const BATCH = 500;
/** Bad records logged one by one; past this, only counted (and the count logged at the end). */
const LOGGED_BAD = 10;

/**
 * Replays a news file onto `news` in file order, paced by published time (`speed`; null = as fast as the bus
 * acknowledges). A record that is not a news item is logged with its line and skipped.
 */
export async function replayNewsFile(
  ctx: SourceContext,
  options: { path: string; format: NewsFileFormat; speed: number | null },
): Promise<{ sent: number; bad: number }> {
  const pacer = new ReplayPacer(options.speed, ctx.now);
  let batch: Output[] = [];
  let sent = 0;
  let bad = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const out = batch;
    batch = [];
    await ctx.emit(out);
  };
  ctx.setReady(true);
  for await (const row of newsOfFile(options.path, options.format)) {
    if (ctx.signal.aborted) break;
    if ('error' in row) {
      bad += 1;
      if (bad <= LOGGED_BAD)
        ctx.log.warn({ path: options.path, line: row.line, reason: row.error }, 'news record skipped');
      continue;
    }
    // Send what is due before sleeping, so a paced replay never holds items back.
    if (pacer.delayFor(row.item.publishedAt) > 0) {
      await flush();
      await pacer.wait(row.item.publishedAt, ctx.signal);
      if (ctx.signal.aborted) break;
    }
    batch.push(emit(topics.news, row.item));
    sent += 1;
    if (batch.length >= BATCH) await flush();
  }
  if (!ctx.signal.aborted) await flush();
  if (bad > LOGGED_BAD) ctx.log.warn({ path: options.path, bad }, 'news records skipped in all');
  return { sent, bad };
}
