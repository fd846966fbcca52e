import { emit, topics, type Output, type SourceContext, type Trade } from '../../pipeline/index.ts';
import { FEED_STATUS_HEADER } from '../../schemas/feed-status.ts';
import { fileFormats, type CandleRow } from '../../market/files/formats.ts';
import { symbolFromFileName } from '../../market/symbols.ts';
import { tradesFromCandles } from './candle-trades.ts';
import { readLines } from '../../market/files/line-reader.ts';
import { ReplayPacer } from '../../market/replay-pacer.ts';
import { loopShiftMs, loopedTrade, REPLAY_HEADER, replayMark, type SampleSpan } from './sample-loop.ts';

const BATCH = 500;

/** Trades of a file, in line order, read as a stream; a candle file's candles replayed as trades. */
export async function* tradesOfFile(path: string, formatName: string, exchange = 'file'): AsyncGenerator<Trade> {
  const format = fileFormats[formatName]!;
  if (format.kind === 'candles') {
    const parse = format.parser({ symbol: symbolFromFileName(path), exchange });
    yield* tradesFromCandles(rowsOf(path, parse), `${exchange}-candles`);
    return;
  }
  const parse = format.parser({ symbol: null, exchange });
  for await (const { line, lineNumber } of readLines(path)) {
    const trade = parse(line, lineNumber);
    if (trade) yield trade;
  }
}

async function* rowsOf(
  path: string,
  parse: (line: string, lineNumber: number) => CandleRow | null,
): AsyncGenerator<CandleRow> {
  for await (const { line, lineNumber } of readLines(path)) {
    const row = parse(line, lineNumber);
    if (row) yield row;
  }
}

/** First and last trade of a file (time and price, in time order): one streaming pass, for the loops. */
async function spanOf(path: string, format: string): Promise<SampleSpan | null> {
  let span: SampleSpan | null = null;
  for await (const t of tradesOfFile(path, format)) {
    if (span === null) span = { first: t.timestamp, last: t.timestamp, firstPrice: t.price, lastPrice: t.price };
    if (t.timestamp < span.first) [span.first, span.firstPrice] = [t.timestamp, t.price];
    if (t.timestamp >= span.last) [span.last, span.lastPrice] = [t.timestamp, t.price];
  }
  return span;
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
      const trade = loopedTrade(raw, loop, shift, span ?? undefined);
      const delay = pacer.delayFor(trade.timestamp);
      // Send what is due before sleeping, so a paced replay never holds trades back.
      if (delay > 0) {
        await flush();
        await pacer.wait(trade.timestamp, ctx.signal);
        if (ctx.signal.aborted) break;
      }
      // A looped sample says so on every record: whoever reads `trades` can tell a replay from a market.
      batch.push(
        options.loop ? emit(topics.trades, trade, { [REPLAY_HEADER]: replayMark(loop) }) : emit(topics.trades, trade),
      );
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
