import { describe, expect, it } from 'vitest';
import { InputError } from '../../pipeline/index.ts';
import {
  binanceAggTradesFormat,
  binanceKlinesFormat,
  binanceTradesFormat,
  csvFormat,
  fileFormats,
  krakenOhlcvtFormat,
  ohlcvCsvFormat,
} from './formats.ts';
import { symbolFromFileName, unifySymbol } from '../symbols.ts';

const ctx = { symbol: null, exchange: 'file' };

describe('csv trades', () => {
  it('reads epoch ms and ISO-8601 times, exponent quantities and unifies the symbol', () => {
    const parse = csvFormat.parser(ctx);
    expect(parse('timestamp,symbol,price,quantity,side', 1)).toBeNull();
    expect(parse('1561939203172,XBTUSD,10749.4,2.5e-7,sell', 2)).toEqual({
      exchange: 'file',
      symbol: 'BTC/USD',
      tradeId: null,
      price: 10749.4,
      quantity: 2.5e-7,
      side: 'sell',
      timestamp: 1561939203172,
    });
    expect(parse('2019-07-01T00:00:03.172Z,BTC/USD,1,1,', 3)).toMatchObject({ timestamp: 1561939203172, side: null });
  });

  it('finds columns by header name, trade id included', () => {
    const parse = csvFormat.parser(ctx);
    parse('side,quantity,price,symbol,timestamp,trade_id', 1);
    expect(parse('buy,2,3,ETHUSDT,1000,77', 2)).toMatchObject({
      symbol: 'ETH/USDT',
      price: 3,
      quantity: 2,
      side: 'buy',
      timestamp: 1000,
      tradeId: '77',
    });
  });

  it('rejects bad lines with their number', () => {
    const parse = csvFormat.parser(ctx);
    expect(() => parse('1000,BTCUSD,1', 4)).toThrow(/line 4: expected/);
    expect(() => parse('yesterday,BTCUSD,1,1,buy', 5)).toThrow(/line 5: timestamp/);
    expect(() => parse('1000,BTCUSD,-1,1,buy', 6)).toThrow(/line 6: price -1 is negative/);
    expect(() => parse('1000,BTCUSD,1,1,hold', 7)).toThrow(InputError);
  });
});

describe('Binance dumps', () => {
  const binance = { symbol: 'BTC/USDT', exchange: 'binance' };
  it('maps is_buyer_maker to the taker side and reads µs timestamps of newer dumps', () => {
    const agg = binanceAggTradesFormat.parser(binance);
    expect(agg('26129,0.01633102,4.70443515,27781,27781,1498793709153,True,True', 1)).toMatchObject({
      tradeId: '26129',
      price: 0.01633102,
      quantity: 4.70443515,
      side: 'sell',
      timestamp: 1498793709153,
    });
    const trades = binanceTradesFormat.parser(binance);
    expect(trades('id,price,qty,quote_qty,time,is_buyer_maker,is_best_match', 1)).toBeNull();
    expect(trades('5,100,2,200,1735689600123456,false,true', 2)).toMatchObject({
      side: 'buy',
      timestamp: 1735689600123,
    });
  });

  it('needs a symbol, which a dump file name gives', () => {
    expect(() => binanceTradesFormat.parser(ctx)).toThrow(/--symbol/);
    expect(symbolFromFileName('/data/BTCUSDT-aggTrades-2024-01-01.csv')).toBe('BTC/USDT');
  });

  it('reads klines with their length, quote and taker-buy volume', () => {
    const parse = binanceKlinesFormat.parser(binance);
    expect(
      parse(
        '1499040000000,0.01634790,0.80000000,0.01575800,0.01577100,148976.11427815,1499644799999,2434.19055334,308,1756.87402397,28.46694368,17928899.62484339',
        1,
      ),
    ).toMatchObject({
      start: 1499040000000,
      lengthMs: 604_800_000,
      trades: 308,
      buyVolume: 1756.87402397,
      quoteVolume: 2434.19055334,
    });
  });
});

describe('Kraken OHLCVT', () => {
  it('reads seconds into ms and has no quote volume', () => {
    const parse = krakenOhlcvtFormat.parser({ symbol: 'BTC/USD', exchange: 'kraken' });
    expect(parse('1561939200,10749.4,11041.8,10600.0,11014.3,903.65604099,2671', 1)).toMatchObject({
      start: 1561939200000,
      open: 10749.4,
      volume: 903.65604099,
      trades: 2671,
      quoteVolume: null,
      lengthMs: null,
    });
    expect(() => parse('1561939200,1,2,3', 9)).toThrow(/line 9: expected 7 columns/);
  });
});

describe('symbols', () => {
  it('unifies exchange pair names', () => {
    expect(unifySymbol('XBTUSD')).toBe('BTC/USD');
    expect(unifySymbol('btc-usdt')).toBe('BTC/USDT');
    expect(unifySymbol('ETH/BTC')).toBe('ETH/BTC');
    expect(unifySymbol('SOLUSDC')).toBe('SOL/USDC');
  });
});

describe('ohlcv-csv candles', () => {
  const row = { open: 10, high: 12, low: 9, close: 11, volume: 3 };
  it.each([
    ['open_time,open,high,low,close,volume', '2023-03-01 00:01:00+00:00,10,12,9,11,3'],
    ['time,open,high,low,close,volume', '1677628860,10,12,9,11,3'],
    ['timestamp,open,high,low,close,volume', '1677628860000,10,12,9,11,3'],
    ['date,volume,close,low,high,open', '2023-03-01T00:01:00Z,3,11,9,12,10'],
  ])('reads the header %s (times in epoch s, ms or ISO-8601)', (header, line) => {
    const parse = ohlcvCsvFormat.parser({ symbol: 'BTC/USDT', exchange: 'file' });
    expect(parse(header, 1)).toBeNull();
    expect(parse(line, 2)).toEqual({
      symbol: 'BTC/USDT',
      start: Date.UTC(2023, 2, 1, 0, 1),
      ...row,
      quoteVolume: null,
      vwap: null,
      trades: null,
      buyVolume: null,
      lengthMs: null,
    });
  });
  it('takes the symbol from a column, unified, and the trade count when there is one', () => {
    const parse = ohlcvCsvFormat.parser(ctx);
    parse('symbol,open_time,open,high,low,close,volume,trades', 1);
    expect(parse('XBTUSD,1677628860000,10,12,9,11,3,7', 2)).toMatchObject({ symbol: 'BTC/USD', trades: 7 });
  });
  it('names what is missing', () => {
    expect(() => ohlcvCsvFormat.parser(ctx)('open_time,open,high,low,close,volume', 1)).toThrow(/give --symbol/);
    expect(() => ohlcvCsvFormat.parser(ctx)('open_time,open,high,low,close', 1)).toThrow(/no volume column/);
    expect(() => ohlcvCsvFormat.parser(ctx)('1677628860000,10,12,9,11,3', 1)).toThrow(/needs a header/);
    expect(fileFormats['ohlcv-csv']?.kind).toBe('candles');
  });
});
