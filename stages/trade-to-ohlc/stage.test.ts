import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  topics,
  type Candle,
  type HandleContext,
  type StageDefinition,
  type TickContext,
  type TopicSpec,
  type Trade,
} from '../../pipeline/index.ts';
import { input, StageUnderTest } from '../../pipeline/testing/run-stage.ts';
import { FEED_STATUS_HEADER } from '../../schemas/feed-status.ts';
import { csvFormat } from '../../market/files/formats.ts';
import { defaultTradeToOhlcConfig, type TradeToOhlcConfig } from './config.ts';
import { createTradeToOhlcStage } from './stage.ts';
import { initialSymbolState, type SymbolCandleState } from './symbol-candles.ts';

// The stage on the real runner: restarts restore state from the changelog, ticks run at the injected clock.

const running: StageUnderTest<SymbolCandleState>[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

class Harness {
  private constructor(private run: StageUnderTest<SymbolCandleState>) {}

  static async start(stage: StageDefinition<Trade, SymbolCandleState>, clock: { now: number }): Promise<Harness> {
    const run = await new StageUnderTest<SymbolCandleState>(stage, { now: () => clock.now }).start();
    running.push(run);
    return new Harness(run);
  }

  send(trades: Trade | readonly Trade[], headers?: Record<string, string>): Promise<void> {
    return this.run.send(
      (Array.isArray(trades) ? trades : [trades]).map((t: Trade) => input(topics.trades, t, headers)),
    );
  }

  /** Reasons of the records dead-lettered as invalid. */
  rejected(): string[] {
    return this.run.deadLetters.filter((d) => d.code === 'CF_ERR_VALIDATION').map((d) => d.message);
  }

  get late(): number {
    return this.run.deadLetters.filter((d) => d.code === 'CF_ERR_LATE').length;
  }

  tick = () => this.run.tick();
  flush = () => this.run.flush();

  /** A new worker (a fresh stage instance) on the same bus, restoring every key's state from the changelog. */
  async restart(config: TradeToOhlcConfig): Promise<Harness> {
    await this.run.restart(createTradeToOhlcStage(config));
    return this;
  }

  /** Candles of a topic by symbol, timeframe and start: partitions interleave in arrival order. */
  candles(topic: TopicSpec = topics.candles): Candle[] {
    return this.run
      .values<Candle>(topic)
      .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.timeframe.localeCompare(b.timeframe) || a.start - b.start);
  }
}

function krakenTrades(): Trade[] {
  const path = fileURLToPath(
    new URL('../../test/fixtures/trades/kraken_XBTUSD_20190701_00h_generic.csv', import.meta.url),
  );
  const parse = csvFormat.parser({ symbol: null, exchange: 'kraken' });
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((line, i) => parse(line, i + 1))
    .filter((t): t is Trade => t !== null);
}

/** A time of day to replay synthetic trades at (trades before 2009 are refused as too old). */
const T_REPLAY = Date.UTC(2024, 0, 1);

const config: TradeToOhlcConfig = { ...defaultTradeToOhlcConfig, timeframes: ['1m', '5m', '1h'] };

describe('trade-to-ohlc stage', () => {
  it('replays history with ticks in between and gives exactly the candles of a straight run', async () => {
    const trades = krakenTrades();
    const clock = { now: Date.UTC(2026, 0, 1) };
    const straight = await Harness.start(createTradeToOhlcStage(config), clock);
    await straight.send(trades);
    await straight.flush();

    // Restarted every 500 trades, ticking every 100: the wall clock must not close anything of a replay.
    const worker = await Harness.start(createTradeToOhlcStage(config), clock);
    for (let i = 0; i < trades.length; i += 100) {
      await worker.send(trades.slice(i, i + 100));
      await worker.tick();
      if (i % 500 === 400) await worker.restart(config);
    }
    await worker.flush();
    expect(worker.candles()).toEqual(straight.candles());
    const hour = straight.candles().find((c) => c.timeframe === '1h')!;
    expect([hour.open, hour.high, hour.low, hour.close, hour.trades]).toEqual([10749.4, 11041.8, 10600, 11014.3, 2671]);
    expect(straight.candles().filter((c) => c.timeframe === '1m')).toHaveLength(60);
  });

  it('dead-letters a trade that comes after its window closed as late', async () => {
    const clock = { now: T_REPLAY };
    const h = await Harness.start(createTradeToOhlcStage(config), clock);
    const t = (ms: number): Trade => ({
      exchange: 'x',
      symbol: 'ETH/USD',
      tradeId: String(ms),
      price: 1,
      quantity: 1,
      side: 'buy',
      timestamp: T_REPLAY + ms,
    });
    await h.send(t(10_000));
    await h.send(t(70_000));
    await h.send(t(50_000));
    expect(h.late).toBe(1);
  });

  it('in live mode closes idle windows on time, but not while the feed is down', async () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const clock = { now: t0 + 10_100 };
    const h = await Harness.start(createTradeToOhlcStage({ ...config, timeframes: ['1m'] }), clock);
    const btc: Trade = {
      exchange: 'kraken',
      symbol: 'BTC/USD',
      tradeId: '1',
      price: 100,
      quantity: 1,
      side: 'buy',
      timestamp: t0 + 10_000,
    };
    const eth: Trade = { ...btc, symbol: 'ETH/USD', price: 5 };
    await h.send(btc);
    await h.send(eth);
    await h.send(eth, { [FEED_STATUS_HEADER]: 'down' });
    clock.now = t0 + 62_000;
    await h.tick();
    expect(h.candles().map((c) => [c.symbol, c.start - t0])).toEqual([['BTC/USD', 0]]);

    // After a restart the worker waits until it has seen a live trade before the wall clock counts again.
    await h.restart({ ...config, timeframes: ['1m'] });
    clock.now = t0 + 122_000;
    await h.tick();
    expect(h.candles()).toHaveLength(1);
    clock.now = t0 + 122_100;
    await h.send({ ...btc, tradeId: '2', timestamp: t0 + 122_000 });
    await h.send({ ...eth, tradeId: '2', timestamp: t0 + 125_000 }, { [FEED_STATUS_HEADER]: 'up' });
    clock.now = t0 + 182_000;
    await h.tick();
    // The marker that says the feed is up is not a trade: ETH's window holds only its first trade.
    expect(h.candles().map((c) => [c.symbol, (c.start - t0) / 60_000, c.volume])).toEqual([
      ['BTC/USD', 0, 1],
      ['BTC/USD', 1, 0],
      ['BTC/USD', 2, 1],
      ['ETH/USD', 0, 1],
      ['ETH/USD', 1, 0],
      ['ETH/USD', 2, 0],
    ]);
  });

  it('emits the open windows on candles.partial at the configured interval', async () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const clock = { now: t0 + 1_000 };
    const h = await Harness.start(
      createTradeToOhlcStage({ ...config, timeframes: ['1m', '5m'], partialIntervalMs: 1_000 }),
      clock,
    );
    await h.send({
      exchange: 'kraken',
      symbol: 'BTC/USD',
      tradeId: '1',
      price: 100,
      quantity: 2,
      side: 'buy',
      timestamp: t0 + 500,
    });
    await h.tick();
    expect(h.candles(topics.candlesPartial)).toMatchObject([
      { timeframe: '1m', start: t0, volume: 2, final: false },
      { timeframe: '5m', start: t0, volume: 2, final: false },
    ]);
    clock.now += 1_000;
    await h.tick();
    expect(h.candles(topics.candlesPartial)).toHaveLength(2);
  });

  it('reports to the runner exactly the states its tick changed, so only those are written', async () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const now = { ms: t0 + 10_100 };
    const stage = createTradeToOhlcStage({ ...config, timeframes: ['1m'], partialIntervalMs: 1_000 });
    const states = new Map<string, SymbolCandleState>();
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const send = async (symbol: string, at: number, headers: Record<string, string> = {}) => {
      const state = states.get(symbol) ?? initialSymbolState(symbol);
      states.set(symbol, state);
      const ctx: HandleContext<SymbolCandleState> = {
        state,
        key: symbol,
        now: () => now.ms,
        log: silent,
        setState() {},
      };
      const trade: Trade = {
        exchange: 'kraken',
        symbol,
        tradeId: String(at),
        price: 1,
        quantity: 1,
        side: 'buy',
        timestamp: t0 + at,
      };
      await stage.handle!({ topic: 'trades', partition: 0, offset: 0, key: symbol, headers, value: trade }, ctx);
    };
    const tick = async () => {
      const reported: string[] = [];
      const ctx: TickContext<SymbolCandleState> = {
        keys: () => states.keys(),
        state: (key) => states.get(key)!,
        setState: (key) => void reported.push(key),
        now: () => now.ms,
        log: silent,
      };
      await stage.tick!.run(ctx);
      return reported;
    };
    await send('BTC/USD', 10_000);
    await send('ETH/USD', 10_000);
    await send('ETH/USD', 10_000, { [FEED_STATUS_HEADER]: 'down' });
    expect(await tick()).toEqual([]); // partial candles are read from the states, not written to them
    now.ms = t0 + 62_000;
    expect(await tick()).toEqual(['BTC/USD']); // BTC's minute closed; ETH's waits for its feed
    expect(await tick()).toEqual([]);
  });

  it('writes a window the wall clock closed with nothing to emit, so a restart still refuses its late trades', async () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const omit: TradeToOhlcConfig = { ...config, timeframes: ['1m'], gaps: 'omit' };
    const trade = (id: string, at: number): Trade => ({
      exchange: 'kraken',
      symbol: 'BTC/USD',
      tradeId: id,
      price: 100,
      quantity: 1,
      side: 'buy',
      timestamp: t0 + at,
    });
    const run = async (restart: boolean) => {
      const clock = { now: t0 + 10_100 };
      const h = await Harness.start(createTradeToOhlcStage(omit), clock);
      await h.send(trade('1', 10_000));
      clock.now = t0 + 62_000;
      await h.tick(); // closes minute 0 and emits it
      clock.now = t0 + 122_000;
      await h.tick(); // closes minute 1, empty and omitted: no candle, but the state moved on
      if (restart) await h.restart(omit);
      await h.send(trade('2', 70_000)); // in minute 1: late
      return { late: h.late, candles: h.candles() };
    };
    const straight = await run(false);
    expect(straight.late).toBe(1);
    expect(await run(true)).toEqual(straight);
  });
});

describe('trade-to-ohlc symbols', () => {
  it('unifies an exchange spelling on the trades topic like the file reader does, and still refuses nonsense', async () => {
    const trade = (symbol: string, ms: number): Trade => ({
      exchange: 'binance',
      symbol,
      tradeId: String(ms),
      price: 100,
      quantity: 1,
      side: 'buy',
      timestamp: T_REPLAY + ms,
    });
    const h = await Harness.start(createTradeToOhlcStage({ ...config, timeframes: ['1m'] }), { now: T_REPLAY });
    await h.send([trade('BTCUSDT', 1_000), trade('btc-usdt', 2_000), trade('BTC/USDT', 70_000), trade('??', 3_000)]);
    await h.flush();
    expect(h.candles().map((c) => [c.symbol, c.start - T_REPLAY, c.trades])).toEqual([
      ['BTC/USDT', 0, 2],
      ['BTC/USDT', 60_000, 1],
    ]);
    expect(h.rejected()).toEqual([expect.stringMatching(/symbol "\?\?" is not BASE\/QUOTE/)]);
  });
});
