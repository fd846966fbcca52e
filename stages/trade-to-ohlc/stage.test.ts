import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  LateRecordError,
  topics,
  type Candle,
  type HandleContext,
  type Output,
  type StageDefinition,
  type StageLogger,
  type TickContext,
  type Trade,
} from '../../pipeline/index.ts';
import { FEED_STATUS_HEADER } from '../../schemas/feed-status.ts';
import { csvFormat } from '../../market/files/formats.ts';
import { defaultTradeToOhlcConfig, type TradeToOhlcConfig } from './config.ts';
import { createTradeToOhlcStage } from './stage.ts';
import type { SymbolCandleState } from './symbol-candles.ts';

// A minimal stand-in for the runner: keyed state in a Map, and a changelog written as the runner writes it: a
// handled record's key always, a tick's or flush's keys only when reported with setState. A restart restores
// from that changelog, so a change a tick made without reporting it would show up as a different candle.

const silent: StageLogger = { debug() {}, info() {}, warn() {}, error() {} };

class Harness {
  states = new Map<string, SymbolCandleState>();
  changelog = new Map<string, string>();
  outputs: Output[] = [];
  late = 0;
  /** Keys the last tick or flush reported changed. */
  reported: string[] = [];
  constructor(
    public stage: StageDefinition<Trade, SymbolCandleState>,
    public clock: { now: number },
  ) {}

  async send(trade: Trade, headers: Record<string, string> = {}): Promise<void> {
    const key = trade.symbol;
    let state = this.states.get(key) ?? this.stage.state!.initial(key);
    const ctx: HandleContext<SymbolCandleState> = {
      state,
      key,
      now: () => this.clock.now,
      log: silent,
      setState: (next) => {
        state = next;
      },
    };
    try {
      const out = await this.stage.handle!(
        { topic: 'trades', partition: 0, offset: 0, key, headers, value: trade },
        ctx,
      );
      this.outputs.push(...(out ?? []));
    } catch (err) {
      if (!(err instanceof LateRecordError)) throw err;
      this.late += 1;
    }
    this.states.set(key, ctx.state === state ? state : ctx.state);
    this.changelog.set(key, JSON.stringify(this.states.get(key)));
  }

  private tickContext(): TickContext<SymbolCandleState> {
    this.reported = [];
    return {
      keys: () => [...this.states.keys()],
      state: (key) => this.states.get(key)!,
      setState: (key, next) => {
        this.states.set(key, next);
        if (!this.reported.includes(key)) this.reported.push(key);
      },
      now: () => this.clock.now,
      log: silent,
    };
  }

  /** Like the runner after a tick or flush: writes the reported keys, as they are once it returned. */
  private persistReported(): void {
    for (const key of this.reported) this.changelog.set(key, JSON.stringify(this.states.get(key)));
  }

  async tick(): Promise<void> {
    this.outputs.push(...((await this.stage.tick!.run(this.tickContext())) ?? []));
    this.persistReported();
  }

  flush(): void {
    this.outputs.push(...(this.stage.flush!(this.tickContext()) ?? []));
    this.persistReported();
  }

  /** A new worker that restores every key's state from the changelog. */
  restart(config: TradeToOhlcConfig): Harness {
    const next = new Harness(createTradeToOhlcStage(config), this.clock);
    for (const [key, json] of this.changelog) next.states.set(key, JSON.parse(json) as SymbolCandleState);
    next.changelog = new Map(this.changelog);
    next.outputs = this.outputs;
    next.late = this.late;
    return next;
  }

  candles(topic = topics.candles): Candle[] {
    return this.outputs.filter((o) => o.topic === topic).map((o) => o.value as Candle);
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

const config: TradeToOhlcConfig = { ...defaultTradeToOhlcConfig, timeframes: ['1m', '5m', '1h'] };

describe('trade-to-ohlc stage', () => {
  it('replays history with ticks in between and gives exactly the candles of a straight run', async () => {
    const trades = krakenTrades();
    const clock = { now: Date.UTC(2026, 0, 1) };
    const straight = new Harness(createTradeToOhlcStage(config), clock);
    for (const t of trades) await straight.send(t);
    straight.flush();

    // Killed and restarted every 500 trades, ticking in between: the wall clock must not close anything.
    let worker = new Harness(createTradeToOhlcStage(config), clock);
    for (const [i, t] of trades.entries()) {
      await worker.send(t);
      if (i % 100 === 0) await worker.tick();
      if (i % 500 === 499) worker = worker.restart(config);
    }
    worker.flush();
    expect(worker.candles()).toEqual(straight.candles());
    const hour = straight.candles().find((c) => c.timeframe === '1h')!;
    expect([hour.open, hour.high, hour.low, hour.close, hour.trades]).toEqual([10749.4, 11041.8, 10600, 11014.3, 2671]);
    expect(straight.candles().filter((c) => c.timeframe === '1m')).toHaveLength(60);
  });

  it('throws LateRecordError for a trade after its window closed, so the runner dead-letters it', async () => {
    const clock = { now: 0 };
    const h = new Harness(createTradeToOhlcStage(config), clock);
    const t = (ms: number): Trade => ({
      exchange: 'x',
      symbol: 'ETH/USD',
      tradeId: String(ms),
      price: 1,
      quantity: 1,
      side: 'buy',
      timestamp: ms,
    });
    await h.send(t(10_000));
    await h.send(t(70_000));
    await h.send(t(50_000));
    expect(h.late).toBe(1);
  });

  it('in live mode closes idle windows on time, but not while the feed is down', async () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const clock = { now: t0 + 10_100 };
    let h = new Harness(createTradeToOhlcStage({ ...config, timeframes: ['1m'] }), clock);
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
    expect(h.reported).toEqual(['BTC/USD']); // ETH's state did not change: nothing to write

    // After a restart the worker waits until it has seen a live trade before the wall clock counts again.
    h = h.restart({ ...config, timeframes: ['1m'] });
    clock.now = t0 + 122_000;
    await h.tick();
    expect(h.candles()).toHaveLength(1);
    expect(h.reported).toEqual([]);
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
    const h = new Harness(
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
    expect(h.reported).toEqual([]); // partial candles are read from the state, not written to it
    clock.now += 1_000;
    await h.tick();
    expect(h.candles(topics.candlesPartial)).toHaveLength(2);
  });

  it('reports a window the wall clock closed with nothing to emit, so a restart still refuses its late trades', async () => {
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const omit: TradeToOhlcConfig = { ...config, timeframes: ['1m'], gaps: 'omit' };
    const clock = { now: t0 + 10_100 };
    const trade = (id: string, at: number): Trade => ({
      exchange: 'kraken',
      symbol: 'BTC/USD',
      tradeId: id,
      price: 100,
      quantity: 1,
      side: 'buy',
      timestamp: t0 + at,
    });
    const run = async (restartAfterTicks: boolean) => {
      let h = new Harness(createTradeToOhlcStage(omit), clock);
      clock.now = t0 + 10_100;
      await h.send(trade('1', 10_000));
      clock.now = t0 + 62_000;
      await h.tick(); // closes minute 0 and emits it
      clock.now = t0 + 122_000;
      await h.tick(); // closes minute 1, empty and omitted: no candle, but the state moved on
      const second = h.reported;
      if (restartAfterTicks) h = h.restart(omit);
      await h.send(trade('2', 70_000)); // in minute 1: late
      return { second, late: h.late, candles: h.candles() };
    };
    const straight = await run(false);
    expect(straight.second).toEqual(['BTC/USD']);
    expect(straight.late).toBe(1);
    expect(await run(true)).toEqual(straight);
  });
});
