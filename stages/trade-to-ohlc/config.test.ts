import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../pipeline/index.ts';
import { parseTradeToOhlcConfig } from './config.ts';

describe('trade-to-ohlc settings', () => {
  it('defaults to every timeframe, 2 s grace, flat gaps, no partials, repeats dropped', () => {
    expect(parseTradeToOhlcConfig({})).toMatchObject({
      timeframes: ['1m', '5m', '15m', '1h', '4h', '1d'],
      graceMs: 2000,
      gaps: 'flat',
      partialIntervalMs: null,
      keepRepeats: false,
    });
  });

  it('reads every variable', () => {
    expect(
      parseTradeToOhlcConfig({
        OHLC_TIMEFRAMES: '1h,1m',
        OHLC_GRACE: '500ms',
        OHLC_GAPS: 'omit',
        OHLC_PARTIAL_INTERVAL: '5s',
        OHLC_KEEP_REPEATS: 'true',
      }),
    ).toMatchObject({
      timeframes: ['1m', '1h'],
      graceMs: 500,
      gaps: 'omit',
      partialIntervalMs: 5000,
      keepRepeats: true,
    });
  });

  it('names the variable of a bad value', () => {
    for (const [variable, value] of [
      ['OHLC_TIMEFRAMES', '2m'],
      ['OHLC_GRACE', 'later'],
      ['OHLC_GAPS', 'fill'],
      ['OHLC_PARTIAL_INTERVAL', '-1'],
      ['OHLC_KEEP_REPEATS', 'maybe'],
    ] as const) {
      let caught: unknown;
      try {
        parseTradeToOhlcConfig({ [variable]: value });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).variable).toBe(variable);
      expect((caught as ConfigError).message.startsWith(variable)).toBe(true);
    }
  });
});
