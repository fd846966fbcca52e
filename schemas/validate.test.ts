import { describe, expect, it } from 'vitest';
import { LATEST_EVENT_TIME, checkValues, validateRecord, validateValues } from './validate.ts';

const candle = {
  symbol: 'BTC/USD',
  timeframe: '1m',
  start: 0,
  end: 60_000,
  open: 10,
  high: 12,
  low: 9,
  close: 11,
  volume: 1,
  quoteVolume: null,
  vwap: null,
  trades: null,
  buyVolume: null,
  final: true,
};

describe('validateRecord', () => {
  it('accepts a valid record', () => {
    expect(validateRecord('Candle', candle)).toBeNull();
  });

  it.each([
    [{ timeframe: '2m' }, /timeframe "2m"/],
    [{ close: Number.POSITIVE_INFINITY }, /close must be a finite number/],
    [{ high: 8 }, /high 8 is below low 9/],
    [{ close: 13 }, /within \[low, high\]/],
    [{ symbol: 'BTCUSD' }, /not BASE\/QUOTE/],
    [{ start: 1.5 }, /start must be an integer/],
    [{ trades: 'many' }, /trades is "many"/],
    [{ volume: -1 }, /volume must not be negative/],
    [{ final: undefined }, /final must be a boolean/],
    [{ end: 120_000 }, /end - start must be 60000 ms for 1m/],
    [{ start: 30_000, end: 90_000 }, /start must be aligned to the 1m window/],
    [{ symbol: 'btc/usd' }, /not BASE\/QUOTE/],
  ])('refuses %o', (change, message) => {
    expect(validateRecord('Candle', { ...candle, ...change })).toMatch(message);
  });

  it('checks enums and arrays from the Avro schema', () => {
    const signal = {
      symbol: 'BTC/USD',
      timeframe: '1m',
      timestamp: 0,
      action: 'buy',
      targetPosition: 0.5,
      price: 1,
      expectedReturn: 0,
      confidence: 0.5,
      riskChecks: [],
      modelName: 'm',
      modelVersion: '1',
    };
    expect(validateRecord('Signal', signal)).toBeNull();
    expect(validateRecord('Signal', { ...signal, action: 'short' })).toMatch(/action must be one of buy, sell, hold/);
    expect(validateRecord('Signal', { ...signal, riskChecks: [1] })).toMatch(/riskChecks\[0\] must be a string/);
    expect(validateRecord('Signal', { ...signal, targetPosition: 2 })).toMatch(/targetPosition 2 is outside \[-1, 1\]/);
  });
});

describe('validateValues (the runner hot path: types already checked by Avro)', () => {
  it('still refuses NaN, which Avro encodes happily', () => {
    expect(validateValues('Candle', { ...candle, vwap: Number.NaN })).toMatch(/vwap must be a finite number/);
  });
  it('accepts a real Kraken hourly candle', () => {
    expect(
      validateValues('Candle', {
        ...candle,
        timeframe: '1h',
        start: 1561939200000,
        end: 1561942800000,
        open: 10749.4,
        high: 11041.8,
        low: 10600,
        close: 11014.3,
        volume: 903.65604099,
        trades: 2671,
      }),
    ).toBeNull();
  });
});

describe('bounds every record meets (no record may cause unbounded work)', () => {
  const trade = {
    exchange: 'kraken',
    symbol: 'BTC/USD',
    tradeId: '1',
    price: 10_000,
    quantity: 1,
    side: 'buy',
    timestamp: Date.UTC(2019, 6, 1),
  };
  it('accepts a real trade', () => {
    expect(checkValues('Trade', trade)).toBeNull();
  });
  it.each([
    [{ timestamp: 0 }, 'too-old', /before 2009-01-03/],
    [{ timestamp: Date.UTC(2100, 5, 1) }, 'future', /timestamp .* is after 2100-01-01/],
    [{ tradeId: 'x'.repeat(10_000) }, 'too-large', /tradeId is 10000 characters long/],
    [{ price: -1 }, 'invalid', /price must be positive/],
  ])('refuses %o as %s', (change, reason, message) => {
    const problem = checkValues('Trade', { ...trade, ...change });
    expect(problem?.reason).toBe(reason);
    expect(problem?.message).toMatch(message);
  });
  it('bounds arrays and the time of every record', () => {
    const news = { id: 'n', source: 's', title: 't', body: null, url: null, symbols: [], publishedAt: 1 };
    expect(checkValues('NewsItem', news)).toBeNull();
    expect(checkValues('NewsItem', { ...news, symbols: Array(101).fill('BTC/USD') })?.reason).toBe('too-large');
    expect(checkValues('NewsItem', { ...news, body: 'b'.repeat(50_000) })).toBeNull();
    expect(
      checkValues('Candle', { ...candle, start: LATEST_EVENT_TIME, end: LATEST_EVENT_TIME + 60_000 })?.reason,
    ).toBe('future');
  });
});
