import { describe, expect, it } from 'vitest';
import type { Output, SourceContext, Trade } from '../../pipeline/index.ts';
import { SymbolFeed, type TradeExchange } from './live-feed.ts';

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
