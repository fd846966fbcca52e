import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { errorMessage, timeframeMs, timeframes, type Candle, type Timeframe } from '../../pipeline/index.ts';
import { ohlcvCsvFormat, type CandleRow } from '../../market/files/formats.ts';
import { unifySymbol } from '../../market/symbols.ts';
import { applyCandle, initialIndicatorState, type IndicatorState } from './indicator-set.ts';

// `candleflow indicators --in candles.jsonl`: the indicators stage over a file of candles (JSON lines in the
// candle format), one FeatureVector JSON line per candle on stdout. Series of several symbols and timeframes
// may be interleaved; each keeps its own state, exactly as the stage keeps it per partition key.

export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `Usage: candleflow indicators --in FILE [--format json|ohlcv-csv] [--symbol S] [--timeframe TF]

Reads candles (JSON lines with symbol, timeframe, start, end, open, high, low, close, volume and optionally
quoteVolume, vwap, trades, buyVolume, final; or a plain OHLCV CSV with a header) and writes one feature vector per candle as a JSON line: symbol,
timeframe, start, end, close and the 20 indicators (null during their warm-up), with TA-Lib's definitions.
A candle with the same symbol, timeframe and start as the previous one of its series corrects it.

Options:
  --in FILE         candle file (.gz is read through gunzip), or - for stdin
  --format F        json (default) or ohlcv-csv (open_time,open,high,low,close,volume; epoch s/ms or ISO-8601)
  --symbol S        ohlcv-csv without a symbol column: the symbol of its rows
  --timeframe TF    ohlcv-csv: the rows' timeframe (default: the smallest step among its first 100 rows)
  --help            show this help
`;

const REQUIRED_NUMBERS = ['start', 'end', 'open', 'high', 'low', 'close', 'volume'] as const;
const NULLABLE_NUMBERS = ['quoteVolume', 'vwap', 'trades', 'buyVolume'] as const;

/** A candle from one parsed JSON line, or a message saying what is wrong with it. */
export function candleFromJson(value: unknown): Candle | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const o = value as Record<string, unknown>;
  if (typeof o.symbol !== 'string' || o.symbol === '') return 'symbol must be a non-empty string';
  if (typeof o.timeframe !== 'string' || !(timeframes as readonly string[]).includes(o.timeframe)) {
    return `timeframe must be one of ${timeframes.join(', ')}, got ${JSON.stringify(o.timeframe)}`;
  }
  for (const field of REQUIRED_NUMBERS) {
    if (typeof o[field] !== 'number' || !Number.isFinite(o[field]))
      return `${field} must be a number, got ${JSON.stringify(o[field])}`;
  }
  for (const field of NULLABLE_NUMBERS) {
    const v = o[field];
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
      return `${field} must be a number or null, got ${JSON.stringify(v)}`;
    }
  }
  if (o.final !== undefined && typeof o.final !== 'boolean')
    return `final must be a boolean, got ${JSON.stringify(o.final)}`;
  const num = (field: (typeof REQUIRED_NUMBERS)[number]) => o[field] as number;
  const nullable = (field: (typeof NULLABLE_NUMBERS)[number]) => (o[field] ?? null) as number | null;
  return {
    symbol: o.symbol,
    timeframe: o.timeframe,
    start: num('start'),
    end: num('end'),
    open: num('open'),
    high: num('high'),
    low: num('low'),
    close: num('close'),
    volume: num('volume'),
    quoteVolume: nullable('quoteVolume'),
    vwap: nullable('vwap'),
    trades: nullable('trades'),
    buyVolume: nullable('buyVolume'),
    final: (o.final ?? true) as boolean,
  };
}

export async function runIndicatorsCommand(argv: string[], io: CommandIo): Promise<number> {
  let input: string;
  let toCandles: CandleReader;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        in: { type: 'string' },
        format: { type: 'string' },
        symbol: { type: 'string' },
        timeframe: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
    if (values.in === undefined || values.in === '') throw new Error('missing --in FILE (use - for stdin)');
    input = values.in;
    const format = values.format ?? 'json';
    if (format !== 'json' && format !== 'ohlcv-csv') throw new Error(`--format "${format}" is not json or ohlcv-csv`);
    const timeframe = values.timeframe ?? null;
    if (timeframe !== null && !(timeframes as readonly string[]).includes(timeframe))
      throw new Error(`--timeframe "${timeframe}" is not one of ${timeframes.join(', ')}`);
    toCandles =
      format === 'json'
        ? jsonCandles()
        : csvCandles(values.symbol === undefined ? null : unifySymbol(values.symbol), timeframe as Timeframe | null);
  } catch (err) {
    io.stderr.write(`candleflow indicators: ${errorMessage(err)} (see candleflow indicators --help)\n`);
    return 2;
  }

  if (input !== '-') {
    try {
      const info = await stat(input);
      if (!info.isFile()) throw new Error('not a file');
    } catch (err) {
      io.stderr.write(`candleflow indicators: --in ${input}: ${errorMessage(err)}\n`);
      return 2;
    }
  }
  const source: NodeJS.ReadableStream =
    input === '-'
      ? io.stdin
      : input.endsWith('.gz')
        ? createReadStream(input).pipe(createGunzip())
        : createReadStream(input, { encoding: 'utf8' });

  const series = new Map<string, IndicatorState>();
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let lineNumber = 0;
  let pending = '';
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      for (const candle of toCandles(line, lineNumber)) pending += featuresLine(candle, lineNumber);
      if (pending.length >= 64 * 1024) {
        const flushed = io.stdout.write(pending);
        pending = '';
        if (!flushed) await once(io.stdout, 'drain');
      }
    }
    for (const candle of toCandles(null, lineNumber)) pending += featuresLine(candle, lineNumber);
  } catch (err) {
    if (pending !== '') io.stdout.write(pending);
    const message = errorMessage(err);
    io.stderr.write(`candleflow indicators: ${message.startsWith('line ') ? message : `--in ${input}: ${message}`}\n`);
    return 1;
  }
  if (pending !== '') io.stdout.write(pending);
  return 0;

  function featuresLine(candle: Candle, lineNumber: number): string {
    const key = `${candle.symbol}|${candle.timeframe}`;
    let state = series.get(key);
    if (!state) {
      state = initialIndicatorState();
      series.set(key, state);
    }
    try {
      return `${JSON.stringify(applyCandle(state, candle))}\n`;
    } catch (err) {
      throw new Error(`line ${lineNumber}: ${errorMessage(err)}`, { cause: err });
    }
  }
}

/** Turns a line into candles (null: the end of the input); a reader may hold rows back until it knows more. */
type CandleReader = (line: string | null, lineNumber: number) => Candle[];

function jsonCandles(): CandleReader {
  return (line, lineNumber) => {
    if (line === null) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      throw new Error(`line ${lineNumber}: not JSON (${errorMessage(err)})`, { cause: err });
    }
    const candle = candleFromJson(parsed);
    if (typeof candle === 'string') throw new Error(`line ${lineNumber}: ${candle}`);
    return [candle];
  };
}

/** ohlcv-csv rows; without --timeframe the first 100 rows are held until their smallest step tells it. */
function csvCandles(symbol: string | null, given: Timeframe | null): CandleReader {
  const parse = ohlcvCsvFormat.parser({ symbol, exchange: 'file' });
  let timeframe = given;
  const held: CandleRow[] = [];
  const toCandle = (row: CandleRow, tf: Timeframe): Candle => {
    const { lengthMs: _length, ...fields } = row;
    void _length;
    return { ...fields, timeframe: tf, end: row.start + timeframeMs[tf], final: true };
  };
  const settle = (): Candle[] => {
    let step = Number.POSITIVE_INFINITY;
    for (let i = 1; i < held.length; i += 1) {
      const d = held[i]!.start - held[i - 1]!.start;
      if (d > 0 && d < step) step = d;
    }
    const found = timeframes.find((tf) => timeframeMs[tf] === step);
    if (!found) throw new Error("cannot tell the candles' timeframe from the file: give --timeframe");
    timeframe = found;
    return held.splice(0).map((r) => toCandle(r, found));
  };
  return (line, lineNumber) => {
    const row = line === null ? null : parse(line, lineNumber);
    if (timeframe !== null) return row ? [toCandle(row, timeframe)] : [];
    if (row) held.push(row);
    if (held.length >= 100 || (line === null && held.length > 0)) return settle();
    return [];
  };
}
