import { emit, topics, type Output, type SourceContext, type Trade } from '../../pipeline/index.ts';
import { FEED_STATUS_HEADER } from '../../schemas/feed-status.ts';
import { fileFormats, type TradeFormat } from '../../market/files/formats.ts';
import { readLines } from '../../market/files/line-reader.ts';
import { ReplayPacer } from './replay-pacer.ts';
import { loopShiftMs, loopedTrade } from './sample-loop.ts';

const BATCH = 500;

/** Trades of a file, in line order, read as a stream. */
export async function* tradesOfFile(path: string, formatName: string, exchange = 'file'): AsyncGenerator<Trade> {
  const format = fileFormats[formatName] as TradeFormat;
  const parse = format.parser({ symbol: null, exchange });
  for await (const { line, lineNumber } of readLines(path)) {
    const trade = parse(line, lineNumber);
    if (trade) yield trade;
  }
}

/** First and last trade time of a file: one streaming pass, for the loop shift. */
async function spanOf(path: string, format: string): Promise<{ first: number; last: number } | null> {
  let first: number | null = null;
  let last = 0;
  for await (const t of tradesOfFile(path, format)) {
    if (first === null) first = t.timestamp;
    last = Math.max(last, t.timestamp);
  }
  return first === null ? null : { first, last };
}

/**
 * Replays a trade file onto `trades`, paced by `speed` (null = as fast as the bus acknowledges), in batches.
 * With `loop`, starts over forever, each loop shifted later by the file's span so time keeps moving.
 */
export async function replayFile(
  ctx: SourceContext,
  options: { path: string; format: string; speed: number | null; loop: boolean; exchange?: string; maxLoops?: number },
): Promise<number> {
  const span = options.loop ? await spanOf(options.path, options.format) : null;
  const shift = span ? loopShiftMs(span.first, span.last) : 0;
  const pacer = new ReplayPacer(options.speed, ctx.now);
  let sent = 0;
  let batch: Output[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const out = batch;
    batch = [];
    await ctx.emit(out);
  };
  ctx.setReady(true);
  const lastOf = new Map<string, Trade>();
  for (let loop = 0; !ctx.signal.aborted; loop += 1) {
    if (options.maxLoops !== undefined && loop >= options.maxLoops) break;
    for await (const raw of tradesOfFile(options.path, options.format, options.exchange)) {
      if (ctx.signal.aborted) break;
      const trade = loopedTrade(raw, loop, shift);
      const delay = pacer.delayFor(trade.timestamp);
      // Send what is due before sleeping, so a paced replay never holds trades back.
      if (delay > 0) {
        await flush();
        await pacer.wait(trade.timestamp, ctx.signal);
        if (ctx.signal.aborted) break;
      }
      batch.push(emit(topics.trades, trade));
      lastOf.set(trade.symbol, trade);
      sent += 1;
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    if (!options.loop || span === null) break;
    ctx.log.info({ loop: loop + 1, sent }, 'sample replayed; starting over, shifted later');
  }
  await flush();
  // The end of a file is the end of event time: each symbol's open windows may close (an `end` marker).
  if (!options.loop && !ctx.signal.aborted && lastOf.size > 0) {
    await ctx.emit([...lastOf.values()].map((t) => emit(topics.trades, t, { [FEED_STATUS_HEADER]: 'end' })));
  }
  return sent;
}
