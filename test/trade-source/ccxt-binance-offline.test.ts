import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Output, SourceContext, StageLogger, Trade } from '../../pipeline/index.ts';
import { FEED_STATUS_HEADER } from '../../schemas/feed-status.ts';
import { createCcxtExchange } from '../../stages/trade-source/ccxt-exchange.ts';
import { runLiveFeed } from '../../stages/trade-source/live-feed.ts';

// The real ccxt binance client against a local stand-in for Binance: REST (exchangeInfo, aggTrades) and the
// websocket aggTrade stream, speaking Binance's message layouts (as in its public API documentation; written
// by hand, since this machine has no internet to record from). The stream drops in the middle; the feed must
// say so, backfill the gap over REST and deliver every trade exactly once.

const exchangeInfo = {
  timezone: 'UTC',
  serverTime: 0,
  rateLimits: [],
  exchangeFilters: [],
  symbols: [
    {
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      baseAssetPrecision: 8,
      quoteAsset: 'USDT',
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'MARKET'],
      icebergAllowed: true,
      ocoAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      permissions: [],
      permissionSets: [['SPOT']],
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000.00', tickSize: '0.01' },
        { filterType: 'LOT_SIZE', minQty: '0.00001', maxQty: '9000.00', stepSize: '0.00001' },
      ],
    },
  ],
};

interface AggTrade {
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
  M: boolean;
}

const base = Date.now() - 60_000;
const history: AggTrade[] = Array.from({ length: 30 }, (_, i) => ({
  a: 1001 + i,
  p: (60_000 + i * 1.5).toFixed(2),
  q: (0.001 * (i + 1)).toFixed(5),
  f: 5000 + i,
  l: 5000 + i,
  T: base + i * 1_000,
  m: i % 3 === 0,
  M: true,
}));
const wsMessage = (t: AggTrade): string => JSON.stringify({ e: 'aggTrade', E: t.T + 5, s: 'BTCUSDT', ...t });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function fakeBinance(): Promise<{
  port: number;
  restCalls: string[];
  subscriptions: string[];
  connections: () => number;
}> {
  const restCalls: string[] = [];
  const subscriptions: string[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/api/v3/exchangeInfo') {
      res.end(JSON.stringify({ ...exchangeInfo, serverTime: Date.now() }));
    } else if (url.pathname === '/api/v3/aggTrades') {
      restCalls.push(url.search);
      const start = Number(url.searchParams.get('startTime') ?? 0);
      const end = Number(url.searchParams.get('endTime') ?? Number.MAX_SAFE_INTEGER);
      const limit = Number(url.searchParams.get('limit') ?? 500);
      // The exchange's history at reconnection time: trades up to the 20th have happened.
      res.end(
        JSON.stringify(
          history
            .slice(0, 20)
            .filter((t) => t.T >= start && t.T <= end)
            .slice(0, limit),
        ),
      );
    } else {
      res.statusCode = 404;
      res.end('{"code":-1,"msg":"not found"}');
    }
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket: WebSocket) => {
    connections += 1;
    const connection = connections;
    socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as { method: string; params: string[]; id: number };
      if (request.method !== 'SUBSCRIBE') return;
      subscriptions.push(...request.params);
      socket.send(JSON.stringify({ result: null, id: request.id }));
      if (connection === 1) {
        // Trades 1..10 live, then the connection drops without a close frame.
        for (const t of history.slice(0, 10)) socket.send(wsMessage(t));
        setTimeout(() => socket.terminate(), 100);
      } else {
        // After the reconnect the stream resumes with the 19th trade: 19 and 20 overlap the backfill.
        setTimeout(() => {
          for (const t of history.slice(18)) socket.send(wsMessage(t));
        }, 200);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { port: (server.address() as AddressInfo).port, restCalls, subscriptions, connections: () => connections };
}

function pointAt(port: number) {
  const local = (u: string): string =>
    u.replace(/^https:\/\/[^/]+/, `http://127.0.0.1:${port}`).replace(/^wss:\/\/[^/]+/, `ws://127.0.0.1:${port}`);
  const rewrite = (node: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string') node[k] = local(v);
      else if (v && typeof v === 'object') rewrite(v as Record<string, unknown>);
    }
  };
  return (ex: Record<string, any>): void => rewrite(ex.urls.api as Record<string, unknown>);
}

describe('ccxt live feed, offline against a local Binance', () => {
  it('streams over the websocket, survives a drop, backfills the gap over REST and delivers every trade once', async () => {
    const { port, restCalls, subscriptions, connections } = await fakeBinance();
    const exchange = await createCcxtExchange('binance', { configure: pointAt(port) });
    expect(exchange.watchTrades).toBeDefined();
    const abort = new AbortController();
    const sent: Output[] = [];
    const silent: StageLogger = { debug() {}, info() {}, warn() {}, error() {} };
    const ctx: SourceContext = {
      async emit(outputs) {
        sent.push(...outputs);
        if (sent.some((o) => (o.value as Trade).tradeId === '1030' && !o.headers)) abort.abort();
      },
      signal: abort.signal,
      now: () => Date.now(),
      log: silent,
      setReady() {},
    };
    const timer = setTimeout(() => abort.abort(), 20_000);
    const feeds = await runLiveFeed(exchange, ['BTC/USDT'], ctx, { pollIntervalMs: 200, maxBackoffMs: 500 });
    clearTimeout(timer);

    const events = sent.map((o) => (o.headers ? `${o.headers[FEED_STATUS_HEADER]}` : (o.value as Trade).tradeId));
    const ids = history.map((t) => String(t.a));
    expect(events).toEqual([...ids.slice(0, 10), 'down', ...ids.slice(10, 20), 'up', ...ids.slice(20)]);
    const trades = sent.filter((o) => !o.headers).map((o) => o.value as Trade);
    expect(trades[0]).toEqual({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      tradeId: '1001',
      price: 60_000,
      quantity: 0.001,
      side: 'sell',
      timestamp: base,
    });
    expect(trades[1]!.side).toBe('buy');
    // The markers carry the last trade seen before the drop, a valid record that is never applied.
    expect((sent[10]!.value as Trade).tradeId).toBe('1010');
    expect(restCalls[0]).toContain(`startTime=${history[9]!.T}`);
    expect(connections()).toBe(2);
    // The aggregate-trade stream: its ids are the ids of the REST backfill.
    expect(subscriptions).toEqual(['btcusdt@aggTrade', 'btcusdt@aggTrade']);
    expect(feeds[0]!.counts).toMatchObject({ sent: 30, outages: 1 });
    expect(feeds[0]!.counts.dropped).toBeGreaterThanOrEqual(3);
  });

  it('polls fetchTrades where there is no websocket, marking the feed down while REST fails', async () => {
    const { port } = await fakeBinance();
    let failing = false;
    const exchange = await createCcxtExchange('binance', {
      pollOnly: true,
      configure: (ex) => {
        pointAt(port)(ex);
        const fetch = ex.fetchTrades.bind(ex);
        ex.fetchTrades = (...args: unknown[]) => (failing ? Promise.reject(new Error('ECONNRESET')) : fetch(...args));
      },
    });
    expect(exchange.watchTrades).toBeUndefined();
    const abort = new AbortController();
    const sent: Output[] = [];
    let polls = 0;
    const ctx: SourceContext = {
      async emit(outputs) {
        sent.push(...outputs);
        polls += 1;
        if (polls === 1) failing = true;
        if (outputs.some((o) => o.headers?.[FEED_STATUS_HEADER] === 'down')) failing = false;
        if (outputs.some((o) => o.headers?.[FEED_STATUS_HEADER] === 'up')) abort.abort();
      },
      signal: abort.signal,
      now: () => Date.now(),
      log: { debug() {}, info() {}, warn() {}, error() {} },
      setReady() {},
    };
    const timer = setTimeout(() => abort.abort(), 20_000);
    await runLiveFeed(exchange, ['BTC/USDT'], ctx, { pollIntervalMs: 100, maxBackoffMs: 200 });
    clearTimeout(timer);
    const events = sent.map((o) => (o.headers ? o.headers[FEED_STATUS_HEADER] : 'trade'));
    expect(events[events.length - 2]).toBe('down');
    expect(events[events.length - 1]).toBe('up');
    const ids = sent.filter((o) => !o.headers).map((o) => (o.value as Trade).tradeId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('ccxt exchanges the source supports', () => {
  it('builds binance, kraken and coinbase with a websocket, and without one when polling', async () => {
    for (const id of ['binance', 'kraken', 'coinbase']) {
      const streaming = await createCcxtExchange(id);
      expect([streaming.id, typeof streaming.watchTrades]).toEqual([id, 'function']);
      await streaming.close?.();
      const polling = await createCcxtExchange(id, { pollOnly: true });
      expect(polling.watchTrades).toBeUndefined();
    }
    await expect(createCcxtExchange('no-such-exchange')).rejects.toThrow(/SOURCE ccxt has no exchange/);
  });
});

describe('a ccxt live feed whose exchange cannot be reached', () => {
  it('is never ready, logs one warning for the whole failure streak and never says the feed is back', async () => {
    // A port nothing listens on: every websocket connect is refused, as with no network.
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const exchange = await createCcxtExchange('binance', { configure: pointAt(port) });
    const abort = new AbortController();
    const lines: string[] = [];
    const ready: boolean[] = [];
    let retries = 0;
    const log: StageLogger = {
      debug: (_o: unknown, msg?: string) => {
        if (msg === 'still down' && ++retries >= 4) abort.abort();
      },
      info: (_o: unknown, msg?: string) => void lines.push(`info ${msg}`),
      warn: (_o: unknown, msg?: string) => void lines.push(`warn ${msg}`),
      error: (_o: unknown, msg?: string) => void lines.push(`error ${msg}`),
    };
    const ctx: SourceContext = {
      async emit() {},
      signal: abort.signal,
      now: () => Date.now(),
      log,
      setReady: (r: boolean) => void ready.push(r),
    };
    const timer = setTimeout(() => abort.abort(), 20_000);
    await runLiveFeed(exchange, ['BTC/USDT'], ctx, { pollIntervalMs: 200, maxBackoffMs: 50 });
    clearTimeout(timer);
    expect(retries).toBeGreaterThanOrEqual(4);
    expect(lines).toEqual(['warn trade feed cannot connect; retrying with backoff']);
    expect(ready).not.toContain(true);
  });
});
