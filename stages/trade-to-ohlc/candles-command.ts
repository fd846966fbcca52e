import { parseArgs } from 'node:util';
import { CandleflowError, InputError, LateRecordError, timeframeMs, type Candle } from '../../pipeline/index.ts';
// The command reads the trade source's file layouts; the stage itself (stage.ts) never imports another stage.
import { fileFormatNames, fileFormats, type CandleRow } from '../../market/files/formats.ts';
import { readLines } from '../../market/files/line-reader.ts';
import { symbolFromFileName, unifySymbol } from '../../market/symbols.ts';
import { applyCandle, checkRollup, flushRollup, initialRollupState, type RollupState } from './candle-rollup.ts';
import { defaultTradeToOhlcConfig, parseGapPolicy, parseTimeframeList, type TradeToOhlcConfig } from './config.ts';
import { parseDuration } from './duration.ts';
import { checkValues } from '../../schemas/validate.ts';
import { tradeTimeProblem } from './trade-bounds.ts';
import { applyTrade, flushAll, initialSymbolState, type SymbolCandleState } from './symbol-candles.ts';

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const usage = `Usage: candleflow candles --in FILE --format FORMAT [options]

Aggregates a file of trades (or candles) into candles with the same code the trade-to-ohlc stage runs, in line
order, and writes one JSON object per candle to stdout. Every open window closes at the end of the file.

  --in FILE             input file (.gz is read through gunzip)
  --format FORMAT       ${fileFormatNames.join(' | ')}
  --symbol S            symbol for layouts without one (Binance, Kraken OHLCVT), or an override
  --timeframes LIST     comma-separated, default ${defaultTradeToOhlcConfig.timeframes.join(',')}
  --grace DURATION      a window closes when event time reaches its end + grace (default 2s)
  --gaps flat|omit      empty windows between two trades: flat at the previous close (default) or left out
  --keep-repeats        apply rows without a trade id that repeat an earlier row exactly (default: once)
  --input-timeframe TF  length of the input candles (candle layouts; default: read from the file)
  --help                this text

Exit status: 0 done, 1 bad input file, 2 bad arguments or a missing or unreadable file.`;

class ArgumentError extends Error {}

function fileMissing(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'ENOTDIR';
}

const outputFields = [
  'symbol',
  'timeframe',
  'start',
  'end',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'quoteVolume',
  'vwap',
  'trades',
  'buyVolume',
] as const;

export function candleJson(c: Candle): string {
  return `{"symbol":${JSON.stringify(c.symbol)},"timeframe":"${c.timeframe}","start":${c.start},"end":${c.end},"open":${c.open},"high":${c.high},"low":${c.low},"close":${c.close},"volume":${c.volume},"quoteVolume":${c.quoteVolume},"vwap":${c.vwap},"trades":${c.trades},"buyVolume":${c.buyVolume}}`;
}
void outputFields;

interface Options {
  path: string;
  format: string;
  symbol: string | null;
  config: TradeToOhlcConfig;
  inputTimeframeMs: number | null;
}

function parseOptions(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        in: { type: 'string' },
        format: { type: 'string' },
        symbol: { type: 'string' },
        timeframes: { type: 'string' },
        grace: { type: 'string' },
        gaps: { type: 'string' },
        'keep-repeats': { type: 'boolean' },
        'input-timeframe': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new ArgumentError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (!v.in) throw new ArgumentError('--in is required');
  if (!v.format) throw new ArgumentError('--format is required');
  if (!Object.hasOwn(fileFormats, v.format)) {
    throw new ArgumentError(`--format "${v.format}" is not one of ${fileFormatNames.join(', ')}`);
  }
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new ArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
  const config: TradeToOhlcConfig = {
    ...defaultTradeToOhlcConfig,
    timeframes: [...defaultTradeToOhlcConfig.timeframes],
  };
  if (v.timeframes !== undefined) config.timeframes = wrap(() => parseTimeframeList(v.timeframes!, '--timeframes'));
  if (v.grace !== undefined) config.graceMs = wrap(() => parseDuration(v.grace!, '--grace'));
  if (v.gaps !== undefined) config.gaps = wrap(() => parseGapPolicy(v.gaps!, '--gaps'));
  config.keepRepeats = v['keep-repeats'] ?? false;
  let inputTimeframeMs: number | null = null;
  if (v['input-timeframe'] !== undefined)
    inputTimeframeMs = wrap(() => parseDuration(v['input-timeframe']!, '--input-timeframe'));
  if (inputTimeframeMs === 0) throw new ArgumentError('--input-timeframe must be longer than 0');
  if (v.symbol !== undefined && v.symbol.trim() === '') throw new ArgumentError('--symbol is empty');
  // One rule for every way a symbol comes in (flag, file, topic): exchange spellings become ccxt's BASE/QUOTE.
  return {
    path: v.in,
    format: v.format,
    symbol: v.symbol === undefined ? null : unifySymbol(v.symbol),
    config,
    inputTimeframeMs,
  };
}

/** Writes with backpressure: resolves when the stream can take more. */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> | undefined {
  if (stream.write(text)) return undefined;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}

const PROGRESS_EVERY_MS = 5_000;
/** Rejected lines named on stderr before the count alone says how many more. */
const MAX_REJECTS_SHOWN = 10;

/** `candleflow candles`: returns the exit status. */
export async function runCandlesCommand(argv: string[], io: CommandIo): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(argv);
  } catch (err) {
    io.stderr.write(
      `candleflow candles: ${err instanceof Error ? err.message : String(err)} (see candleflow candles --help)\n`,
    );
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  const started = Date.now();
  let lastProgress = started;
  const stats = { lines: 0, records: 0, duplicates: 0, late: 0, rejected: 0, candles: 0 };
  let buffer: string[] = [];
  const out: Candle[] = [];
  const drainOut = async (): Promise<void> => {
    for (const c of out) buffer.push(candleJson(c));
    stats.candles += out.length;
    out.length = 0;
    if (buffer.length >= 512) {
      const text = `${buffer.join('\n')}\n`;
      buffer = [];
      await write(io.stdout, text);
    }
  };
  const format = fileFormats[options.format]!;
  const symbol = options.symbol ?? (format.name.startsWith('binance') ? symbolFromFileName(options.path) : null);
  const ctx = { symbol, exchange: 'file' };
  try {
    if (format.kind === 'trades') {
      const parse = format.parser(ctx);
      const states = new Map<string, SymbolCandleState>();
      for await (const { line, lineNumber } of readLines(options.path)) {
        stats.lines = lineNumber;
        const trade = parse(line, lineNumber);
        if (trade === null) continue;
        stats.records += 1;
        let state = states.get(trade.symbol);
        if (!state) {
          state = initialSymbolState(trade.symbol);
          states.set(trade.symbol, state);
        }
        // The stage's bounds: a trade the worker would dead-letter is left out and counted.
        const problem =
          checkValues('Trade', trade as unknown as Record<string, unknown>) ??
          tradeTimeProblem(state, trade, options.config, started);
        if (problem) {
          stats.rejected += 1;
          if (stats.rejected <= MAX_REJECTS_SHOWN)
            io.stderr.write(
              `candleflow candles: line ${lineNumber} left out (${problem.reason}): ${problem.message}\n`,
            );
          continue;
        }
        try {
          if (applyTrade(state, trade, options.config, out) === 'duplicate') stats.duplicates += 1;
        } catch (err) {
          if (!(err instanceof LateRecordError)) throw err;
          stats.late += 1;
        }
        if (out.length > 0) await drainOut();
        if ((lineNumber & 0xffff) === 0 && Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = Date.now();
          io.stderr.write(`candleflow candles: ${stats.records} trades read, ${stats.candles} candles written...\n`);
        }
      }
      for (const state of states.values()) flushAll(state, options.config, out);
    } else {
      await runCandleInput(options, format.parser(ctx), out, stats, drainOut, (line) =>
        io.stderr.write(`candleflow candles: ${line}\n`),
      );
    }
    await drainOut();
    if (buffer.length > 0) await write(io.stdout, `${buffer.join('\n')}\n`);
  } catch (err) {
    if (buffer.length > 0) await write(io.stdout, `${buffer.join('\n')}\n`);
    const message = err instanceof CandleflowError ? err.message : err instanceof Error ? err.message : String(err);
    io.stderr.write(`candleflow candles: ${options.path}: ${message}\n`);
    // A file that is not there (or not readable) is a wrong command line; a bad line in it is a failed run.
    return fileMissing(err) ? 2 : 1;
  }
  const kind = format.kind === 'trades' ? 'trades' : 'candles';
  io.stderr.write(
    `candleflow candles: ${stats.records} ${kind} read, ${stats.duplicates} duplicates, ${stats.late} late, ${stats.rejected} rejected, ${stats.candles} candles written (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return 0;
}

function timeframeLabel(lengthMs: number): string {
  const known = Object.entries(timeframeMs).find(([, ms]) => ms === lengthMs);
  return known ? known[0] : `${lengthMs / 60_000}m`;
}

/** Candle layouts: rows roll up into the requested timeframes; the input length is given or read from the rows. */
async function runCandleInput(
  options: Options,
  parse: (line: string, lineNumber: number) => CandleRow | null,
  out: Candle[],
  stats: { lines: number; records: number; duplicates: number; late: number; rejected: number },
  drainOut: () => Promise<void>,
  report: (line: string) => void,
): Promise<void> {
  const wallClock = Date.now();
  const config = { timeframes: options.config.timeframes, gaps: options.config.gaps };
  let lengthMs = options.inputTimeframeMs;
  // Kraken's files do not say their interval: the smallest step among the first rows tells it.
  const pending: CandleRow[] = [];
  const states = new Map<string, RollupState>();
  const apply = (row: CandleRow): void => {
    const length = lengthMs!;
    let state = states.get(row.symbol);
    if (!state) {
      state = initialRollupState(row.symbol);
      states.set(row.symbol, state);
    }
    if (row.start % length !== 0)
      throw new InputError(
        `candle at ${new Date(row.start).toISOString()} is not aligned to ${timeframeLabel(length)}`,
      );
    const { lengthMs: _ignored, ...fields } = row;
    void _ignored;
    const candle: Candle = { ...fields, timeframe: timeframeLabel(length), end: row.start + length, final: true };
    // The stage's bounds for trades hold for candle rows too: one row stamped in 2100 must not fill 80 years.
    const problem =
      checkValues('Candle', candle as unknown as Record<string, unknown>) ??
      tradeTimeProblem(state, { symbol: row.symbol, tradeId: null, timestamp: row.start }, options.config, wallClock);
    if (problem) {
      stats.rejected += 1;
      if (stats.rejected <= MAX_REJECTS_SHOWN)
        report(`candle at ${row.start} left out (${problem.reason}): ${problem.message}`);
      return;
    }
    try {
      if (applyCandle(state, candle, config, out) === 'duplicate') stats.duplicates += 1;
    } catch (err) {
      if (!(err instanceof LateRecordError)) throw err;
      stats.late += 1;
    }
  };
  const settle = (): void => {
    if (lengthMs !== null) return;
    let step = Number.POSITIVE_INFINITY;
    for (let i = 1; i < pending.length; i += 1) {
      const d = pending[i]!.start - pending[i - 1]!.start;
      if (d > 0 && d < step) step = d;
    }
    if (!Number.isFinite(step))
      throw new InputError("cannot tell the candles' timeframe from the file: give --input-timeframe");
    lengthMs = step;
  };
  const start = (): void => {
    settle();
    checkRollup(lengthMs!, config);
    for (const row of pending) apply(row);
    pending.length = 0;
  };
  let started = false;
  for await (const { line, lineNumber } of readLines(options.path)) {
    stats.lines = lineNumber;
    const row = parse(line, lineNumber);
    if (row === null) continue;
    stats.records += 1;
    if (!started) {
      if (lengthMs === null && row.lengthMs !== null) lengthMs = row.lengthMs;
      pending.push(row);
      if (lengthMs !== null || pending.length >= 1000) {
        start();
        started = true;
      }
      continue;
    }
    apply(row);
    if (out.length > 0) await drainOut();
  }
  if (!started && pending.length > 0) start();
  for (const state of states.values()) flushRollup(state, config, out);
}
