import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LateRecordError, timeframeMs, type Candle, type Timeframe, type Trade } from '../../pipeline/index.ts';
import { applyCandle, flushRollup, initialRollupState } from './candle-rollup.ts';
import { defaultTradeToOhlcConfig, type GapPolicy, type TradeToOhlcConfig } from './config.ts';
import { applyTrade, flushAll, initialSymbolState } from './symbol-candles.ts';

// Prices are whole numbers and quantities multiples of 1/8, so every sum is exact in floating point and
// candles can be compared with toEqual whatever the order the trades were added in.

const T0 = Date.UTC(2024, 2, 1, 0, 0, 0);
const GRACE = 2_000;

const tradesArb = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 0, max: 90_000 }),
      price: fc.integer({ min: 1, max: 1_000 }),
      eighths: fc.integer({ min: 1, max: 80 }),
      side: fc.constantFrom<Trade['side']>('buy', 'sell', null),
    }),
    { minLength: 1, maxLength: 120 },
  )
  .map((rows) => {
    let t = T0;
    return rows.map((r, i): Trade => {
      t += r.gap;
      return {
        exchange: 'test',
        symbol: 'BTC/USD',
        tradeId: String(i + 1),
        price: r.price,
        quantity: r.eighths / 8,
        side: r.side,
        timestamp: t,
      };
    });
  });

function cfg(timeframes: Timeframe[], gaps: GapPolicy = 'flat'): TradeToOhlcConfig {
  return { ...defaultTradeToOhlcConfig, timeframes, gaps, graceMs: GRACE };
}

function aggregate(trades: readonly Trade[], config: TradeToOhlcConfig): { candles: Candle[]; late: Trade[] } {
  const state = initialSymbolState('BTC/USD');
  const candles: Candle[] = [];
  const late: Trade[] = [];
  for (const t of trades) {
    try {
      applyTrade(state, t, config, candles);
    } catch (err) {
      if (!(err instanceof LateRecordError)) throw err;
      late.push(t);
    }
  }
  flushAll(state, config, candles);
  return { candles, late };
}

const byKey = (a: Candle, b: Candle): number =>
  timeframeMs[a.timeframe as Timeframe] - timeframeMs[b.timeframe as Timeframe] || a.start - b.start;

describe('candle properties', () => {
  it('any arrival order within the grace gives the same candles', () => {
    fc.assert(
      fc.property(
        tradesArb,
        fc.array(fc.integer({ min: 0, max: GRACE }), { minLength: 120, maxLength: 120 }),
        fc.array(fc.nat(119), { maxLength: 10 }),
        (trades, jitter, repeats) => {
          const config = cfg(['1m', '5m', '15m']);
          const inOrder = aggregate(trades, config).candles.sort(byKey);
          // Each trade arrives up to the grace after its time; some arrive twice.
          const arrivals = [...trades, ...repeats.filter((i) => i < trades.length).map((i) => ({ ...trades[i]! }))]
            .map((t, i) => ({ t, at: t.timestamp + jitter[i % jitter.length]! }))
            .sort((a, b) => a.at - b.at)
            .map((a) => a.t);
          const shuffled = aggregate(arrivals, config);
          expect(shuffled.late).toEqual([]);
          expect(shuffled.candles.sort(byKey)).toEqual(inOrder);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rolled-up candles equal candles computed directly from the trades', () => {
    fc.assert(
      fc.property(tradesArb, fc.constantFrom<GapPolicy>('flat', 'omit'), (trades, gaps) => {
        const targets: Timeframe[] = ['5m', '15m', '1h'];
        const direct = aggregate(trades, cfg(targets, gaps)).candles.sort(byKey);
        const minutes = aggregate(trades, cfg(['1m'], gaps)).candles;
        const rollupConfig = { timeframes: targets, gaps };
        const state = initialRollupState('BTC/USD');
        const rolled: Candle[] = [];
        for (const m of minutes) applyCandle(state, m, rollupConfig, rolled);
        flushRollup(state, rollupConfig, rolled);
        expect(rolled.sort(byKey)).toEqual(direct);
      }),
      { numRuns: 200 },
    );
  });

  it('loses nothing: candle volumes add up to the quantities of all trades but the late ones', () => {
    fc.assert(
      fc.property(
        tradesArb,
        fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 120, maxLength: 120 }),
        (trades, delay) => {
          const config = cfg(['1m', '1h']);
          const arrivals = trades
            .map((t, i) => ({ t, at: t.timestamp + delay[i]! }))
            .sort((a, b) => a.at - b.at)
            .map((a) => a.t);
          const { candles, late } = aggregate(arrivals, config);
          const total = trades.reduce((s, t) => s + t.quantity, 0) - late.reduce((s, t) => s + t.quantity, 0);
          const count = trades.length - late.length;
          for (const tf of config.timeframes) {
            const mine = candles.filter((c) => c.timeframe === tf);
            expect(mine.reduce((s, c) => s + c.volume, 0)).toBe(total);
            expect(mine.reduce((s, c) => s + c.trades!, 0)).toBe(count);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
