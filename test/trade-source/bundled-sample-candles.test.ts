import { describe, expect, it } from 'vitest';
import type { Candle, Output, SourceContext, StageLogger, Trade } from '../../pipeline/index.ts';
import { createTradeSource } from '../../stages/trade-source/source.ts';
import { parseTradeSourceConfig } from '../../stages/trade-source/source-config.ts';
import { defaultTradeToOhlcConfig } from '../../stages/trade-to-ohlc/config.ts';
import { applyTrade, initialSymbolState } from '../../stages/trade-to-ohlc/symbol-candles.ts';

// The default source (no configuration) feeding the candle aggregation: the bundled sample replays continuously.
// Even loops give Kraken's own hourly candle again; odd loops the same hour mirrored (returns negated), opening
// where the previous one closed, so no candle jumps at a loop boundary and the price does not drift.

const silent: StageLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('bundled sample through the candle aggregation', () => {
  it("gives Kraken's hourly candle on even loops, its mirror on odd ones, with no jump between them", async () => {
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

    const config = { ...defaultTradeToOhlcConfig, timeframes: ['1m' as const, '1h' as const] };
    const state = initialSymbolState('BTC/USD');
    const all: Candle[] = [];
    for (const t of trades) applyTrade(state, t, config, all);
    const candles = all.filter((c) => c.timeframe === '1h');
    expect(candles).toHaveLength(3);
    const [a, b, c] = candles as [Candle, Candle, Candle];
    expect([a.open, a.high, a.low, a.close, a.trades]).toEqual([10749.4, 11041.8, 10600, 11014.3, 2671]);
    expect({ ...c, start: c.start - 2 * 3_600_000, end: c.end - 2 * 3_600_000 }).toEqual(a);
    const mirror = (p: number) => (11014.3 * 10749.4) / p;
    expect(b.open).toBe(a.close);
    expect(b.close).toBeCloseTo(a.open, 9);
    expect(b.high).toBeCloseTo(mirror(a.low), 9);
    expect(b.low).toBeCloseTo(mirror(a.high), 9);
    expect(b.volume).toBeCloseTo(a.volume, 9);
    // Minute by minute, each candle opens within the previous one's range: no loop boundary makes a jump.
    const minutes = all.filter((m) => m.timeframe === '1m');
    expect(minutes.length).toBeGreaterThanOrEqual(180);
    for (let i = 1; i < minutes.length; i += 1) {
      const prev = minutes[i - 1]!;
      expect(Math.abs(Math.log(minutes[i]!.open / prev.close))).toBeLessThan(0.01);
    }
    const at = minutes.findIndex((m) => m.start === b.start);
    expect(minutes[at]!.open).toBe(minutes[at - 1]!.close);
    expect(state.counts.duplicates).toBe(3);
  });
});
