import { describe, expect, it } from 'vitest';
import { validateRecord } from './validate.ts';

const candle = {
  symbol: 'BTC/USD', timeframe: '1h', start: 1561939200000, end: 1561942800000, open: 10749.4, high: 11041.8, low: 10600,
  close: 11014.3, volume: 903.65604099, quoteVolume: null, vwap: null, trades: 2671, buyVolume: null, final: true,
};

describe('validateRecord', () => {
  it('accepts a real candle', () => expect(validateRecord('Candle', candle)).toBeNull());
  it.each([
    [{ timeframe: '2m' }, /timeframe must be one of 1m, 5m, 15m, 1h, 4h, 1d \(got "2m"\)/],
    [{ high: 10000 }, /high 10000 is below low 10600/],
    [{ close: NaN }, /close must be a finite number/],
    [{ end: 1561939260000 }, /end - start must be 3600000 ms/],
    [{ start: 1561939260000, end: 1561942860000 }, /aligned/],
    [{ symbol: 'btcusd' }, /symbol must look like BASE\/QUOTE/],
    [{ volume: -1 }, /volume must be >= 0/],
  ])('names what is wrong with %o', (patch, message) => {
    expect(validateRecord('Candle', { ...candle, ...patch })).toMatch(message);
  });
});
