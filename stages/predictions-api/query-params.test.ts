import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { decodeCursor, encodeCursor, parseRange, parseSymbol, parseTime } from './query-params.ts';

function parameterOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiError && err.statusCode === 400 ? err.parameter : `unexpected ${String(err)}`;
  }
  return undefined;
}

describe('query parameters', () => {
  it('reads times as epoch ms or ISO-8601, UTC when no offset is given', () => {
    const t = Date.UTC(2019, 6, 1, 12, 30);
    expect(parseTime(String(t), 'from')).toBe(t);
    expect(parseTime('2019-07-01T12:30:00Z', 'from')).toBe(t);
    expect(parseTime('2019-07-01T12:30', 'from')).toBe(t);
    expect(parseTime('2019-07-01 12:30:00.000', 'from')).toBe(t);
    expect(parseTime('2019-07-01T14:30:00+02:00', 'from')).toBe(t);
    expect(parseTime('2019-07-01', 'from')).toBe(Date.UTC(2019, 6, 1));
    expect(parameterOf(() => parseTime('1.5', 'to'))).toBe('to');
    expect(parameterOf(() => parseTime('2019-02-30T00:00:00Z', 'to'))).toBe('to');
    expect(parameterOf(() => parseTime('2019-07-01T25:00:00Z', 'to'))).toBe('to');
    expect(parameterOf(() => parseTime('2019-99-01', 'from'))).toBe('from');
  });

  it('refuses from after to, naming from', () => {
    expect(parseRange('1000', '1000')).toEqual({ from: 1000, to: 1000 });
    expect(parameterOf(() => parseRange('2000', '1000'))).toBe('from');
  });

  it('normalizes BASE-QUOTE and lower case to BASE/QUOTE', () => {
    expect(parseSymbol('btc-usd')).toBe('BTC/USD');
    expect(parseSymbol('1INCH/USDT')).toBe('1INCH/USDT');
    for (const bad of ['BTC', 'BTC/', 'BTC/USD/EUR', 'BTC_USD', 'BTC USD', ''])
      expect(
        parameterOf(() => parseSymbol(bad)),
        bad,
      ).toBe('symbol');
  });

  it('round-trips cursors and refuses forged ones', () => {
    expect(decodeCursor(encodeCursor({ time: 5, tiebreak: 'm' }))).toEqual({ time: 5, tiebreak: 'm' });
    expect(decodeCursor(encodeCursor({ time: 5 }))).toEqual({ time: 5 });
    for (const bad of [
      'x',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1.5]').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
    ]) {
      expect(parameterOf(() => decodeCursor(bad))).toBe('cursor');
    }
  });
});
