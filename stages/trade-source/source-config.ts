import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, defineConfig, setting, settings } from '../../pipeline/index.ts';
import { fileFormats, ohlcvCsvFormat } from '../../market/files/formats.ts';
import { symbolFromFileName } from '../../market/symbols.ts';

/** The bundled sample of real Kraken trades the source replays when nothing is configured. */
export const bundledSamplePath = fileURLToPath(
  new URL('../../data-samples/trades/kraken_XBTUSD_20190701_00h_generic.csv', import.meta.url),
);

export type SourceSpec =
  | { kind: 'sample'; path: string }
  | { kind: 'file'; format: string; path: string }
  | { kind: 'ccxt'; exchange: string; symbols: string[] };

export interface TradeSourceConfig {
  source: SourceSpec;
  /** Event time runs this many times faster than the wall clock; null = as fast as the bus takes it. */
  replaySpeed: number | null;
  /** ccxt only: poll interval where the exchange has no websocket (or it is disabled). */
  pollIntervalMs: number;
}

/** Default pace of the bundled sample: one minute of trades every second, so 1m candles show up at once. */
export const SAMPLE_REPLAY_SPEED = 60;

/** An ohlcv-csv file's header must parse and name a symbol (or the file name must): checked before anything starts. */
function checkCandleHeader(path: string): void {
  if (path.endsWith('.gz')) return; // read as a stream at start; a bad header then stops the source
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const header = buffer.subarray(0, n).toString('utf8').split(/\r?\n/)[0] ?? '';
    ohlcvCsvFormat.parser({ symbol: symbolFromFileName(path), exchange: 'file' })(header, 1);
  } catch (err) {
    throw new ConfigError(
      'SOURCE',
      `${path}: ${(err as Error).message} (or name the file PAIR-..., e.g. BTCUSDT-1m.csv)`,
    );
  } finally {
    closeSync(fd);
  }
}

function parseSource(text: string | undefined): SourceSpec {
  const value = (text ?? '').trim();
  if (value === '' || value === 'sample') return { kind: 'sample', path: bundledSamplePath };
  const [kind, ...rest] = value.split(':');
  if (kind === 'file') {
    const format = rest[0] ?? '';
    const path = rest.slice(1).join(':');
    const known = fileFormats[format];
    if (!known)
      throw new ConfigError(
        'SOURCE',
        `file format "${format}" is not one of ${Object.keys(fileFormats).join(', ')} (file:FORMAT:PATH)`,
      );
    if (known.kind !== 'trades' && format !== 'ohlcv-csv')
      throw new ConfigError(
        'SOURCE',
        `file format ${format} holds candles: convert it with candleflow candles, or use ohlcv-csv (replayed as trades)`,
      );
    if (path === '') throw new ConfigError('SOURCE', 'names no file (file:FORMAT:PATH)');
    // A source that cannot open its input is a setting to fix, not a worker that reports ready with nothing flowing.
    try {
      accessSync(path, constants.R_OK);
      if (!statSync(path).isFile()) throw new Error('not a file');
    } catch (err) {
      throw new ConfigError(
        'SOURCE',
        `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    if (format === 'ohlcv-csv') checkCandleHeader(path);
    return { kind: 'file', format, path };
  }
  if (kind === 'ccxt') {
    const exchange = (rest[0] ?? '').toLowerCase();
    const symbols = rest
      .slice(1)
      .join(':')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (exchange === '') throw new ConfigError('SOURCE', 'names no exchange (ccxt:EXCHANGE:BASE/QUOTE,...)');
    if (symbols.length === 0) throw new ConfigError('SOURCE', 'names no symbol (ccxt:EXCHANGE:BASE/QUOTE,...)');
    for (const s of symbols)
      if (!/^[A-Z0-9]+\/[A-Z0-9]+$/.test(s)) throw new ConfigError('SOURCE', `symbol "${s}" is not BASE/QUOTE`);
    return { kind: 'ccxt', exchange, symbols };
  }
  throw new ConfigError('SOURCE', `"${value}" is not sample, file:FORMAT:PATH or ccxt:EXCHANGE:SYMBOLS`);
}

function parseSpeed(text: string | undefined, source: SourceSpec): number | null {
  const value = (text ?? '').trim().toLowerCase();
  if (value === '') return source.kind === 'sample' ? SAMPLE_REPLAY_SPEED : null;
  if (value === 'max' || value === '0') return null;
  const n = Number(value.replace(/x$/, ''));
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError('REPLAY_SPEED', `"${text}" is not a positive factor like 60x, or max`);
  return n;
}

export const tradeSourceConfig = defineConfig(
  {
    source: setting('SOURCE', {
      default: { kind: 'sample', path: bundledSamplePath } as SourceSpec,
      defaultText: 'bundled sample',
      doc: '`sample`; `file:FORMAT:PATH` (formats as for `candles`); `ccxt:EXCHANGE:BTC/USD,ETH/USD` (binance, kraken, coinbase, ...)',
      parse: parseSource,
    }),
    replaySpeed: setting<string | undefined>('REPLAY_SPEED', {
      default: undefined,
      defaultText: '`60x` for the sample, `max` for files',
      parse: (t) => t,
      doc: 'replay pace: `Nx` real time or `max`; default `60x` for the sample, `max` for files',
    }),
    pollIntervalMs: settings.int('SOURCE_POLL_INTERVAL', {
      default: 2_000,
      min: 100,
      doc: 'ms between REST polls of an exchange without websocket trades',
    }),
  },
  ({ source, replaySpeed, pollIntervalMs }): TradeSourceConfig => ({
    source,
    replaySpeed: parseSpeed(replaySpeed, source),
    pollIntervalMs,
  }),
);

export function parseTradeSourceConfig(env: Readonly<Record<string, string | undefined>>): TradeSourceConfig {
  return tradeSourceConfig.compile(env);
}
