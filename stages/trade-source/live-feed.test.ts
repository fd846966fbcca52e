import { describe, expect, it } from 'vitest';
import type { Output, SourceContext, Trade } from '../../pipeline/index.ts';
import { runLiveFeed, SymbolFeed, type TradeExchange } from './live-feed.ts';

function feed(): { f: SymbolFeed; sent: Trade[] } {
  const sent: Trade[] = [];
  const ctx: SourceContext = {
    async emit(outputs: readonly Output[]) {
      for (const o of outputs) sent.push(o.value as Trade);
    },
    signal: new AbortController().signal,
    now: () => 0,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    setReady() {},
  };
  const exchange: TradeExchange = { id: 'kraken', fetchTrades: async () => [] };
  return { f: new SymbolFeed(exchange, 'BTC/USD', ctx, { pollIntervalMs: 1000 }), sent };
}

describe('live feed de-duplication', () => {
  it('drops a trade it sent before, by id', async () => {
    const { f, sent } = feed();
    await f.send([
      { id: '1', timestamp: 10, price: 5, amount: 1, side: 'buy' },
      { id: '2', timestamp: 11, price: 5, amount: 1, side: 'buy' },
    ]);
    await f.send([
      { id: '2', timestamp: 11, price: 5, amount: 1, side: 'buy' },
      { id: '3', timestamp: 12, price: 6, amount: 1, side: 'sell' },
    ]);
    expect(sent.map((t) => t.tradeId)).toEqual(['1', '2', '3']);
  });

  it('recognises a streamed trade without id in a backfill with ids by its fields', async () => {
    const { f, sent } = feed();
    await f.send([{ timestamp: 10, price: 5, amount: 1, side: 'buy' }]);
    await f.send([
      { id: '77', timestamp: 10, price: 5, amount: 1, side: 'buy' },
      { id: '78', timestamp: 10, price: 5, amount: 1, side: 'buy' },
    ]);
    // 77 is the streamed trade again; 78 is a distinct trade of the same shape.
    expect(sent.map((t) => t.tradeId)).toEqual([null, '78']);
  });

  it('keeps distinct trades that share time, price, amount and side when both have ids', async () => {
    const { f, sent } = feed();
    await f.send([
      { id: '1', timestamp: 10, price: 5, amount: 1, side: 'buy' },
      { id: '2', timestamp: 10, price: 5, amount: 1, side: 'buy' },
    ]);
    expect(sent).toHaveLength(2);
  });
});

describe('a live feed that cannot connect', () => {
  it('stays not ready and logs one line per failure streak until a trade arrives; only then is it back', async () => {
    const abort = new AbortController();
    const logs: string[] = [];
    const ready: boolean[] = [];
    const sent: Trade[] = [];
    const ctx: SourceContext = {
      async emit(outputs: readonly Output[]) {
        for (const o of outputs) if (!o.headers) sent.push(o.value as Trade);
      },
      signal: abort.signal,
      now: () => Date.now(),
      log: {
        debug() {},
        info: (_o: unknown, msg?: string) => void logs.push(`info ${msg}`),
        warn: (_o: unknown, msg?: string) => void logs.push(`warn ${msg}`),
        error() {},
      },
      setReady: (r: boolean) => void ready.push(r),
    };
    let calls = 0;
    const exchange: TradeExchange = {
      id: 'kraken',
      fetchTrades: async () => [],
      watchTrades: async () => {
        calls += 1;
        if (calls <= 6) throw new Error('getaddrinfo ENOTFOUND ws.kraken.com');
        if (calls === 7) return [{ id: '1', timestamp: Date.now(), price: 5, amount: 1, side: 'buy' }];
        abort.abort();
        throw new Error('closed');
      },
    };
    await runLiveFeed(exchange, ['BTC/USD'], ctx, { pollIntervalMs: 1000, maxBackoffMs: 2 });
    expect(sent).toHaveLength(1);
    // Six failures in a row: one warning; the trade: one "back"; never ready before it.
    expect(logs).toEqual([
      'warn trade feed cannot connect; retrying with backoff',
      'info trade feed back, gap backfilled',
    ]);
    expect(ready[0]).toBe(false);
    expect(ready.indexOf(true)).toBe(ready.length - 1);
  });
});
