import { InputError } from '../../pipeline/index.ts';
import type { Trade } from '../../schemas/types.ts';
import { booleanField, looksLikeHeader, numberField, positiveField, requireColumns, timestampField } from './fields.ts';
import { unifySymbol } from '../symbols.ts';
import { binanceKlinesFormat, krakenOhlcvtFormat, ohlcvCsvFormat } from './candle-formats.ts';
import { needSymbol, type FileFormat, type TradeFormat } from './format-types.ts';

export type { CandleFormat, CandleRow, FileFormat, ParseContext, TradeFormat } from './format-types.ts';
export { binanceKlinesFormat, krakenOhlcvtFormat, ohlcvCsvFormat } from './candle-formats.ts';

// Pure line parsers for the file layouts `candleflow candles` and the file source read. A parser gets one line
// and its 1-based number and returns a record, or null for a header or blank line; a bad line throws
// InputError with its line number.

function sideField(text: string | undefined, lineNumber: number): Trade['side'] {
  const t = (text ?? '').trim().toLowerCase();
  if (t === 'buy' || t === 'b') return 'buy';
  if (t === 'sell' || t === 's') return 'sell';
  if (t === '') return null;
  throw new InputError(`line ${lineNumber}: side "${text}" is not buy or sell`);
}

/** `timestamp,symbol,price,quantity,side[,trade_id]`; with a header, columns are found by name. */
export const csvFormat: TradeFormat = {
  kind: 'trades',
  name: 'csv',
  parser(ctx) {
    let columns = { timestamp: 0, symbol: 1, price: 2, quantity: 3, side: 4, id: 5 as number | -1 };
    return (line, lineNumber) => {
      if (line.trim() === '') return null;
      const fields = line.split(',');
      if (lineNumber === 1 && looksLikeHeader(fields)) {
        const names = fields.map((f) => f.trim().toLowerCase());
        const find = (...options: string[]): number => names.findIndex((n) => options.includes(n));
        const found = {
          timestamp: find('timestamp', 'time', 'time_ms'),
          symbol: find('symbol', 'pair'),
          price: find('price'),
          quantity: find('quantity', 'amount', 'qty', 'size'),
          side: find('side'),
          id: find('trade_id', 'tradeid', 'id'),
        };
        for (const required of ['timestamp', 'price', 'quantity'] as const) {
          if (found[required] < 0) throw new InputError(`line 1: header has no ${required} column`);
        }
        if (found.symbol < 0 && ctx.symbol === null)
          throw new InputError('line 1: header has no symbol column: give --symbol');
        columns = found;
        return null;
      }
      requireColumns(
        fields,
        Math.max(columns.timestamp, columns.price, columns.quantity) + 1,
        'timestamp,symbol,price,quantity,side',
        lineNumber,
      );
      const symbol = ctx.symbol ?? unifySymbol(fields[columns.symbol] ?? '');
      if (symbol === '') throw new InputError(`line ${lineNumber}: empty symbol`);
      const id = columns.id >= 0 ? (fields[columns.id] ?? '').trim() : '';
      return {
        exchange: ctx.exchange,
        symbol,
        tradeId: id === '' ? null : id,
        price: positiveField(fields, columns.price, 'price', lineNumber),
        quantity: positiveField(fields, columns.quantity, 'quantity', lineNumber),
        side: columns.side >= 0 ? sideField(fields[columns.side], lineNumber) : null,
        timestamp: timestampField(fields, columns.timestamp, 'timestamp', lineNumber),
      };
    };
  },
};

/** Binance aggTrades dump: agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]. */
export const binanceAggTradesFormat: TradeFormat = {
  kind: 'trades',
  name: 'binance-aggtrades',
  parser(ctx) {
    const symbol = needSymbol(ctx, 'binance-aggtrades');
    return (line, lineNumber) => {
      if (line.trim() === '') return null;
      const fields = line.split(',');
      if (lineNumber === 1 && looksLikeHeader(fields)) return null;
      requireColumns(
        fields,
        7,
        'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker',
        lineNumber,
      );
      numberField(fields, 0, 'agg_trade_id', lineNumber);
      // The buyer being the maker means the seller took: a sell.
      const buyerMaker = booleanField(fields, 6, 'is_buyer_maker', lineNumber);
      return {
        exchange: ctx.exchange,
        symbol,
        tradeId: fields[0]!.trim(),
        price: positiveField(fields, 1, 'price', lineNumber),
        quantity: positiveField(fields, 2, 'quantity', lineNumber),
        side: buyerMaker ? 'sell' : 'buy',
        timestamp: timestampField(fields, 5, 'transact_time', lineNumber),
      };
    };
  },
};

/** Binance trades dump: id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]. */
export const binanceTradesFormat: TradeFormat = {
  kind: 'trades',
  name: 'binance-trades',
  parser(ctx) {
    const symbol = needSymbol(ctx, 'binance-trades');
    return (line, lineNumber) => {
      if (line.trim() === '') return null;
      const fields = line.split(',');
      if (lineNumber === 1 && looksLikeHeader(fields)) return null;
      requireColumns(fields, 6, 'id,price,qty,quote_qty,time,is_buyer_maker', lineNumber);
      numberField(fields, 0, 'id', lineNumber);
      const buyerMaker = booleanField(fields, 5, 'is_buyer_maker', lineNumber);
      return {
        exchange: ctx.exchange,
        symbol,
        tradeId: fields[0]!.trim(),
        price: positiveField(fields, 1, 'price', lineNumber),
        quantity: positiveField(fields, 2, 'qty', lineNumber),
        side: buyerMaker ? 'sell' : 'buy',
        timestamp: timestampField(fields, 4, 'time', lineNumber),
      };
    };
  },
};

export const fileFormats: Record<string, FileFormat> = {
  csv: csvFormat,
  'binance-aggtrades': binanceAggTradesFormat,
  'binance-trades': binanceTradesFormat,
  'kraken-ohlcvt': krakenOhlcvtFormat,
  'binance-klines': binanceKlinesFormat,
  'ohlcv-csv': ohlcvCsvFormat,
};
export const fileFormatNames = Object.keys(fileFormats);
