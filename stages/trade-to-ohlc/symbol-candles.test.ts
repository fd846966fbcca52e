import { describe, expect, it } from 'vitest';
import { LateRecordError, type Candle, type Trade } from '../../pipeline/index.ts';
import { compareTradeIds } from './candle-window.ts';
import { defaultTradeToOhlcConfig, type TradeToOhlcConfig } from './config.ts';
import {
  applyTrade,
  closeDue,
  flushAll,
  initialSymbolState,
  partialCandles,
  type SymbolCandleState,
} from './symbol-candles.ts';
import { rememberedCount } from './trade-dedup.ts';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
const config = (over: Partial<TradeToOhlcConfig> = {}): TradeToOhlcConfig => ({
  ...defaultTradeToOhlcConfig,
  timeframes: ['1m'],
  ...over,
});

function trade(ms: number, price: number, quantity = 1, over: Partial<Trade> = {}): Trade {
  return {
    exchange: 'test',
    symbol: 'BTC/USD',
    tradeId: null,
    price,
    quantity,
    side: null,
    timestamp: T0 + ms,
    ...over,
  };
}

function run(
  trades: Trade[],
  cfg: TradeToOhlcConfig,
  state = initialSymbolState('BTC/USD'),
): { candles: Candle[]; late: number; state: SymbolCandleState } {
  const candles: Candle[] = [];
  let late = 0;
  for (const t of trades) {
    try {
      applyTrade(state, t, cfg, candles);
    } catch (err) {
      if (!(err instanceof LateRecordError)) throw err;
      late += 1;
    }
  }
  flushAll(state, cfg, candles);
  return { candles, late, state };
}

describe('candle windows', () => {
  it('stamps start and end on UTC-aligned windows and closes a window once event time reaches end + grace', () => {
    const state = initialSymbolState('BTC/USD');
    const out: Candle[] = [];
    const cfg = config();
    applyTrade(state, trade(10_000, 100, 2, { side: 'buy' }), cfg, out);
    applyTrade(state, trade(50_000, 110, 1, { side: 'sell' }), cfg, out);
    applyTrade(state, trade(61_999, 120), cfg, out);
    expect(out).toEqual([]);
    applyTrade(state, trade(62_000, 130), cfg, out);
    expect(out).toEqual([
      {
        symbol: 'BTC/USD',
        timeframe: '1m',
        start: T0,
        end: T0 + 60_000,
        open: 100,
        high: 110,
        low: 100,
        close: 110,
        volume: 3,
        quoteVolume: 310,
        vwap: 310 / 3,
        trades: 2,
        buyVolume: 2,
        final: true,
      },
    ]);
  });

  it('orders open and close by (timestamp, trade id), ids numerically when both are integers', () => {
    expect(compareTradeIds('9', '10')).toBeLessThan(0);
    expect(compareTradeIds('b', 'a10')).toBeGreaterThan(0);
    const { candles } = run(
      [
        trade(1_000, 101, 1, { tradeId: '10' }),
        trade(1_000, 100, 1, { tradeId: '9' }),
        trade(5_000, 105, 1, { tradeId: '12' }),
        trade(5_000, 104, 1, { tradeId: '11' }),
      ],
      config(),
    );
    expect(candles[0]).toMatchObject({ open: 100, close: 105, trades: 4 });
  });

  it('keeps line order for equal timestamps without ids', () => {
    const { candles } = run([trade(1_000, 1), trade(1_000, 2), trade(1_000, 3)], config());
    expect(candles[0]).toMatchObject({ open: 1, close: 3 });
  });

  it('leaves buyVolume null when no trade says its side', () => {
    const { candles } = run([trade(1_000, 1), trade(2_000, 2)], config());
    expect(candles[0]!.buyVolume).toBeNull();
  });
});

describe('late trades', () => {
  it('rejects a trade whose window closed, before changing anything but the late count', () => {
    const state = initialSymbolState('BTC/USD');
    const out: Candle[] = [];
    applyTrade(state, trade(1_000, 100), config(), out);
    applyTrade(state, trade(62_000, 101), config(), out);
    const before = JSON.stringify({ ...state, counts: null });
    expect(() => applyTrade(state, trade(59_000, 99), config(), out)).toThrow(LateRecordError);
    expect(JSON.stringify({ ...state, counts: null })).toBe(before);
    expect(state.counts.late).toBe(1);
  });

  it('accepts a trade of the previous window within the grace', () => {
    const { candles, late } = run([trade(1_000, 100), trade(61_000, 101), trade(59_500, 90)], config());
    expect(late).toBe(0);
    expect(candles[0]).toMatchObject({ low: 90, close: 90, trades: 2 });
  });
});

describe('duplicates', () => {
  it('applies the same trade id once', () => {
    const t = trade(1_000, 100, 1, { tradeId: '7' });
    const { candles, state } = run([t, { ...t }, trade(2_000, 101, 1, { tradeId: '8' })], config());
    expect(candles[0]!.trades).toBe(2);
    expect(state.counts.duplicates).toBe(1);
  });

  it('applies an id-less row identical in time, price, quantity and side once, unless repeats are kept', () => {
    const rows = [
      trade(1_000, 100, 1, { side: 'buy' }),
      trade(1_000, 100, 1, { side: 'buy' }),
      trade(1_000, 100, 1, { side: 'sell' }),
    ];
    expect(run(rows, config()).candles[0]!.trades).toBe(2);
    expect(run(rows, config({ keepRepeats: true })).candles[0]!.trades).toBe(3);
  });

  it('forgets ids once their window can no longer receive trades', () => {
    const state = initialSymbolState('BTC/USD');
    const out: Candle[] = [];
    for (let i = 0; i < 1000; i += 1)
      applyTrade(state, trade(i * 1_000, 100, 1, { tradeId: String(i) }), config({ timeframes: ['1m', '1h'] }), out);
    // Only the ids of the open 1m window (plus the one still in its grace) remain.
    expect(rememberedCount(state.dedup)).toBeLessThanOrEqual(62);
  });
});

describe('gaps', () => {
  const rows = [trade(1_000, 100, 1, { side: 'buy' }), trade(3 * 60_000 + 1_000, 103, 1, { side: 'sell' })];

  it('fills empty windows between two trades flat at the previous close', () => {
    const { candles } = run(rows, config());
    expect(candles.map((c) => [c.start - T0, c.open, c.close, c.volume, c.trades, c.vwap, c.buyVolume])).toEqual([
      [0, 100, 100, 1, 1, 100, 1],
      [60_000, 100, 100, 0, 0, null, 0],
      [120_000, 100, 100, 0, 0, null, 0],
      [180_000, 103, 103, 1, 1, 103, 0],
    ]);
  });

  it('omits them with gaps omit', () => {
    expect(run(rows, config({ gaps: 'omit' })).candles.map((c) => c.start - T0)).toEqual([0, 180_000]);
  });

  it('makes no flat candles after the last trade at the end of the input', () => {
    expect(run([trade(1_000, 100)], config({ timeframes: ['1m', '5m'] })).candles).toHaveLength(2);
  });
});

describe('live mode', () => {
  it('closes an idle window by the wall clock when the stream is caught up', () => {
    const state = initialSymbolState('BTC/USD');
    const out: Candle[] = [];
    const cfg = config({ timeframes: ['1m', '5m'] });
    applyTrade(state, trade(30_000, 100), cfg, out, T0 + 30_200);
    closeDue(state, T0 + 61_999, cfg, out);
    expect(out).toEqual([]);
    closeDue(state, T0 + 62_000, cfg, out);
    expect(out.map((c) => [c.timeframe, c.start - T0, c.volume])).toEqual([['1m', 0, 1]]);
    // Idle minutes after that are flat, on time.
    closeDue(state, T0 + 182_000, cfg, out);
    expect(out.map((c) => [c.timeframe, c.start - T0, c.volume])).toEqual([
      ['1m', 0, 1],
      ['1m', 60_000, 0],
      ['1m', 120_000, 0],
    ]);
    expect(() => applyTrade(state, trade(170_000, 99), cfg, out, T0 + 182_500)).toThrow(LateRecordError);
  });

  it('does not close by the wall clock while replaying history', () => {
    const state = initialSymbolState('BTC/USD');
    const out: Candle[] = [];
    applyTrade(state, trade(30_000, 100), config(), out, T0 + 3_600_000);
    closeDue(state, T0 + 3_600_000, config(), out);
    expect(out).toEqual([]);
  });

  it('invents no flat candles and closes nothing while the feed is down', () => {
    const state = initialSymbolState('BTC/USD');
    const out: Candle[] = [];
    applyTrade(state, trade(30_000, 100), config(), out, T0 + 30_100);
    state.feedDown = true;
    closeDue(state, T0 + 600_000, config(), out);
    expect(out).toEqual([]);
    // The backfill arrives: trades of the outage are applied, not late.
    applyTrade(state, trade(70_000, 101), config(), out, T0 + 600_100);
    expect(out.map((c) => c.start - T0)).toEqual([0]);
  });
});

describe('state', () => {
  it('survives JSON serialisation mid-stream with identical output', () => {
    const cfg = config({ timeframes: ['1m', '5m', '1h'] });
    const rows: Trade[] = [];
    let ms = 0;
    for (let i = 0; i < 3000; i += 1) {
      ms += (i * 7919) % 4000;
      rows.push(trade(ms, 100 + ((i * 31) % 17), 0.5 + (i % 3), { tradeId: String(i), side: i % 2 ? 'buy' : 'sell' }));
      if (i % 97 === 0) rows.push({ ...rows[rows.length - 1]! });
    }
    const straight = run(rows, cfg).candles;
    for (const cut of [1, 500, 1777, rows.length - 1]) {
      const first = initialSymbolState('BTC/USD');
      const candles: Candle[] = [];
      for (const t of rows.slice(0, cut)) applyTrade(first, t, cfg, candles);
      const restored = JSON.parse(JSON.stringify(first)) as SymbolCandleState;
      const rest = run(rows.slice(cut), cfg, restored);
      expect([...candles, ...rest.candles]).toEqual(straight);
    }
  });

  it('reports the open windows as partial candles', () => {
    const state = initialSymbolState('BTC/USD');
    applyTrade(state, trade(1_000, 100), config(), []);
    expect(partialCandles(state, config())).toMatchObject([{ start: T0, final: false, close: 100 }]);
  });
});

describe('input lost before it was read (ON_INPUT_LOST=continue)', () => {
  it('fills no flat candles across the hole, and fills gaps again after the next trade', () => {
    const cfg = config({ gaps: 'flat' });
    const minutes = (candles: Candle[]) => candles.map((c) => (c.start - T0) / 60_000);
    const later = [trade(5 * 60_000 + 1_000, 101), trade(8 * 60_000 + 1_000, 102)];
    const read = (inputLost: boolean) => {
      const state = initialSymbolState('BTC/USD');
      const candles: Candle[] = [];
      applyTrade(state, trade(1_000, 100), cfg, candles);
      if (inputLost) state.inputLost = true;
      for (const t of later) applyTrade(state, t, cfg, candles);
      return { candles: minutes(candles), state };
    };
    expect(read(false).candles).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Minutes 1-4 were a hole in what was read; 6 is a quiet minute after it again.
    const across = read(true);
    expect(across.candles).toEqual([0, 5, 6]);
    expect(across.state.inputLost).toBeUndefined();
  });
});
