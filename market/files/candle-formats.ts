import { InputError } from '../../pipeline/index.ts';
import { looksLikeHeader, numberField, positiveField, requireColumns, timestampField } from './fields.ts';
import { unifySymbol } from '../symbols.ts';
import { needSymbol, type CandleFormat, type CandleRow } from './format-types.ts';

// Candle layouts: exchanges' own files, and the plain OHLCV CSV that Freqtrade, ccxt scripts and the models'
// dataset write.

/** Kraken's OHLCVT files: unix_seconds,open,high,low,close,volume,count, no header, empty intervals omitted. */
export const krakenOhlcvtFormat: CandleFormat = {
  kind: 'candles',
  name: 'kraken-ohlcvt',
  parser(ctx) {
    const symbol = needSymbol(ctx, 'kraken-ohlcvt');
    return (line, lineNumber) => {
      if (line.trim() === '') return null;
      const fields = line.split(',');
      if (lineNumber === 1 && looksLikeHeader(fields)) return null;
      requireColumns(fields, 7, 'unix_seconds,open,high,low,close,volume,count', lineNumber);
      const seconds = numberField(fields, 0, 'unix_seconds', lineNumber);
      return {
        symbol,
        start: seconds * 1000,
        open: positiveField(fields, 1, 'open', lineNumber),
        high: positiveField(fields, 2, 'high', lineNumber),
        low: positiveField(fields, 3, 'low', lineNumber),
        close: positiveField(fields, 4, 'close', lineNumber),
        volume: positiveField(fields, 5, 'volume', lineNumber),
        quoteVolume: null,
        vwap: null,
        trades: positiveField(fields, 6, 'count', lineNumber),
        buyVolume: null,
        lengthMs: null,
      };
    };
  },
};

/**
 * Binance kline dump: open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,
 * taker_buy_quote_volume,ignore.
 */
export const binanceKlinesFormat: CandleFormat = {
  kind: 'candles',
  name: 'binance-klines',
  parser(ctx) {
    const symbol = needSymbol(ctx, 'binance-klines');
    return (line, lineNumber) => {
      if (line.trim() === '') return null;
      const fields = line.split(',');
      if (lineNumber === 1 && looksLikeHeader(fields)) return null;
      requireColumns(
        fields,
        11,
        'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume',
        lineNumber,
      );
      const start = timestampField(fields, 0, 'open_time', lineNumber);
      const closeTime = timestampField(fields, 6, 'close_time', lineNumber);
      const volume = positiveField(fields, 5, 'volume', lineNumber);
      const quoteVolume = positiveField(fields, 7, 'quote_volume', lineNumber);
      return {
        symbol,
        start,
        open: positiveField(fields, 1, 'open', lineNumber),
        high: positiveField(fields, 2, 'high', lineNumber),
        low: positiveField(fields, 3, 'low', lineNumber),
        close: positiveField(fields, 4, 'close', lineNumber),
        volume,
        quoteVolume,
        vwap: volume > 0 ? quoteVolume / volume : null,
        trades: positiveField(fields, 8, 'count', lineNumber),
        buyVolume: positiveField(fields, 9, 'taker_buy_volume', lineNumber),
        lengthMs: closeTime - start + 1,
      };
    };
  },
};

/** Epoch ms from epoch seconds, milliseconds or microseconds (told apart by size), or an ISO-8601 time. */
function candleTime(fields: readonly string[], index: number, name: string, lineNumber: number): number {
  const text = (fields[index] ?? '').trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Before 5138 AD in seconds, before 5138 AD in ms: the three units' plausible ranges do not overlap.
    if (n < 1e11) return Math.round(n * 1000);
    if (n < 1e14) return Math.floor(n);
    return Math.floor(n / 1000);
  }
  return timestampField(fields, index, name, lineNumber);
}

/**
 * Plain OHLCV CSV with a header naming its columns: a time (`open_time`, `time`, `timestamp`, `date` or
 * `datetime`: the candle's open, epoch s / ms / µs or ISO-8601), `open`, `high`, `low`, `close`, `volume`, and
 * optionally `symbol` (else --symbol), `trades` (or `count`), `quote_volume`. The timeframe is read from the rows.
 */
export const ohlcvCsvFormat: CandleFormat = {
  kind: 'candles',
  name: 'ohlcv-csv',
  parser(ctx) {
    let columns: Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'symbol' | 'trades' | 'quote', number>;
    let ready = false;
    return (line, lineNumber): CandleRow | null => {
      if (line.trim() === '') return null;
      const fields = line.split(',');
      if (!ready) {
        if (!looksLikeHeader(fields))
          throw new InputError(`line ${lineNumber}: ohlcv-csv needs a header (open_time,open,high,low,close,volume)`);
        const names = fields.map((f) => f.trim().toLowerCase().replace(/^"|"$/g, ''));
        const find = (...options: string[]): number => names.findIndex((n) => options.includes(n));
        columns = {
          time: find('open_time', 'time', 'timestamp', 'date', 'datetime', 'open_time_ms'),
          open: find('open'),
          high: find('high'),
          low: find('low'),
          close: find('close'),
          volume: find('volume'),
          symbol: find('symbol', 'pair'),
          trades: find('trades', 'count', 'number_of_trades'),
          quote: find('quote_volume', 'quote_asset_volume'),
        };
        for (const required of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
          if (columns[required] < 0)
            throw new InputError(
              `line ${lineNumber}: header has no ${required === 'time' ? 'open_time' : required} column`,
            );
        }
        if (columns.symbol < 0 && ctx.symbol === null)
          throw new InputError(`line ${lineNumber}: header has no symbol column: give --symbol`);
        ready = true;
        return null;
      }
      const c = columns!;
      requireColumns(fields, Math.max(c.time, c.open, c.high, c.low, c.close, c.volume) + 1, 'the header', lineNumber);
      const symbol = ctx.symbol ?? unifySymbol(fields[c.symbol] ?? '');
      if (symbol === '') throw new InputError(`line ${lineNumber}: empty symbol`);
      const volume = positiveField(fields, c.volume, 'volume', lineNumber);
      const quoteVolume = c.quote >= 0 ? positiveField(fields, c.quote, 'quote_volume', lineNumber) : null;
      return {
        symbol,
        start: candleTime(fields, c.time, 'open_time', lineNumber),
        open: positiveField(fields, c.open, 'open', lineNumber),
        high: positiveField(fields, c.high, 'high', lineNumber),
        low: positiveField(fields, c.low, 'low', lineNumber),
        close: positiveField(fields, c.close, 'close', lineNumber),
        volume,
        quoteVolume,
        vwap: quoteVolume !== null && volume > 0 ? quoteVolume / volume : null,
        trades: c.trades >= 0 ? positiveField(fields, c.trades, 'trades', lineNumber) : null,
        buyVolume: null,
        lengthMs: null,
      };
    };
  },
};
