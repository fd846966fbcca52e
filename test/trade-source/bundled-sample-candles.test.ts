import { describe, expect, it } from 'vitest';
import type { Candle, Output, SourceContext, StageLogger, Trade } from '../../pipeline/index.ts';
import { createTradeSource } from '../../stages/trade-source/source.ts';
import { parseTradeSourceConfig } from '../../stages/trade-source/source-config.ts';
import { defaultTradeToOhlcConfig } from '../../stages/trade-to-ohlc/config.ts';
import { applyTrade, initialSymbolState } from '../../stages/trade-to-ohlc/symbol-candles.ts';

// The default source (no configuration) feeding the candle aggregation: every loop of the bundled sample
// gives Kraken's own hourly candle again, one hour later.

const silent: StageLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('bundled sample through the candle aggregation', () => {
  it('gives the same hourly candle each loop, an hour apart', async () => {
    const abort = new AbortController();
    const trades: Trade[] = [];
    const ctx: SourceContext = {
      async emit(outputs: readonly Output[]) {
        for (const o of outputs) trades.push(o.value as Trade);
        if (trades.length >= 2672 * 3 + 1) abort.abort();
      },
      signal: abort.signal,
      now: () => Date.now(),
      log: silent,
      setReady() {},
    };
    await createTradeSource({ ...parseTradeSourceConfig({}), replaySpeed: null }).run(ctx);

    const config = { ...defaultTradeToOhlcConfig, timeframes: ['1h' as const] };
    const state = initialSymbolState('BTC/USD');
    const candles: Candle[] = [];
    for (const t of trades) applyTrade(state, t, config, candles);
    expect(candles).toHaveLength(3);
    candles.forEach((c, i) => {
      expect({ ...c, start: c.start - i * 3_600_000, end: c.end - i * 3_600_000 }).toEqual(candles[0]);
    });
    const [a] = candles as [Candle];
    expect([a.open, a.high, a.low, a.close, a.trades]).toEqual([10749.4, 11041.8, 10600, 11014.3, 2671]);
    expect(state.counts.duplicates).toBe(3);
  });
});
