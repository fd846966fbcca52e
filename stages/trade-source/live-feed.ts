import { setTimeout as sleep } from 'node:timers/promises';
import { emit, errorMessage, topics, type Output, type SourceContext, type Trade } from '../../pipeline/index.ts';
import { FEED_STATUS_HEADER } from '../../schemas/feed-status.ts';

// Live trades from an exchange through ccxt: the websocket (ccxt.pro watchTrades) where the exchange has one,
// else fetchTrades polling. When the connection drops the feed tells trade-to-ohlc (a `down` marker, so no
// window closes and no flat candle is invented for the outage), then on reconnect fetches the gap with
// fetchTrades since the last trade it saw, drops what it already sent (by trade id), and says `up` again.

/** The part of a ccxt trade we read. */
export interface ExchangeTrade {
  id?: string | undefined;
  timestamp?: number | undefined;
  symbol?: string | undefined;
  side?: string | undefined;
  price?: number | undefined;
  amount?: number | undefined;
}

/** The part of a ccxt exchange we use, so tests and other clients can stand in. */
export interface TradeExchange {
  id: string;
  fetchTrades(symbol: string, since?: number, limit?: number): Promise<ExchangeTrade[]>;
  /** Present when the exchange streams trades: resolves with the trades since the previous call. */
  watchTrades?: (symbol: string) => Promise<ExchangeTrade[]>;
  close?: () => Promise<unknown>;
}

export interface LiveFeedOptions {
  pollIntervalMs: number;
  /** Longest pause between reconnection attempts. */
  maxBackoffMs?: number;
  /** Trades per fetchTrades page. */
  pageSize?: number;
  /** Called whenever a feed's state changes (a trade sent, down, up): the source derives readiness from it. */
  onChange?: () => void;
}

const HOUR = 3_600_000;
/** Ids are kept this long behind the newest trade to drop the overlap of a backfill with the live stream. */
const ID_MEMORY_MS = 15 * 60_000;

export function toTrade(exchange: string, symbol: string, t: ExchangeTrade): Trade | null {
  if (typeof t.timestamp !== 'number' || typeof t.price !== 'number' || typeof t.amount !== 'number') return null;
  if (!(t.price > 0) || !(t.amount >= 0)) return null;
  return {
    exchange,
    symbol: t.symbol ?? symbol,
    tradeId: t.id === undefined || t.id === null || t.id === '' ? null : String(t.id),
    price: t.price,
    quantity: t.amount,
    side: t.side === 'buy' || t.side === 'sell' ? t.side : null,
    timestamp: t.timestamp,
  };
}

/** One symbol's feed: what it sent last and which ids it already sent. */
export class SymbolFeed {
  lastTrade: Trade | null = null;
  down = false;
  private readonly sentIds = new Map<string, number>();
  /**
   * (time, price, amount, side) of trades sent -> their id or null. Some exchanges stream trades without the
   * ids their REST API gives (Kraken's websocket v1): an overlap is then recognised by these fields.
   */
  private readonly sentShapes = new Map<string, { id: string | null; ts: number }>();
  private readonly stats = { sent: 0, dropped: 0, outages: 0 };

  constructor(
    private readonly exchange: TradeExchange,
    readonly symbol: string,
    private readonly ctx: SourceContext,
    private readonly options: LiveFeedOptions,
  ) {}

  get counts(): Readonly<{ sent: number; dropped: number; outages: number }> {
    return this.stats;
  }

  /** Sends the trades not sent before, oldest first; returns how many were new. */
  async send(raw: readonly ExchangeTrade[]): Promise<number> {
    const fresh: Trade[] = [];
    for (const r of raw) {
      const trade = toTrade(this.exchange.id, this.symbol, r);
      if (!trade) continue;
      const shape = `${trade.timestamp}|${trade.price}|${trade.quantity}|${trade.side ?? ''}`;
      const twin = this.sentShapes.get(shape);
      const seen =
        trade.tradeId !== null
          ? this.sentIds.has(trade.tradeId) || (twin !== undefined && twin.id === null)
          : twin !== undefined;
      if (seen) {
        this.stats.dropped += 1;
        // The id-less twin now has its id: a second trade of the same shape with another id is a trade.
        if (trade.tradeId !== null && twin?.id === null) {
          this.sentIds.set(trade.tradeId, trade.timestamp);
          this.sentShapes.set(shape, { id: trade.tradeId, ts: trade.timestamp });
        }
        continue;
      }
      if (trade.tradeId !== null) this.sentIds.set(trade.tradeId, trade.timestamp);
      this.sentShapes.set(shape, { id: trade.tradeId, ts: trade.timestamp });
      fresh.push(trade);
    }
    if (fresh.length === 0) return 0;
    fresh.sort((a, b) => a.timestamp - b.timestamp);
    await this.ctx.emit(fresh.map((t) => emit(topics.trades, t)));
    this.stats.sent += fresh.length;
    const last = fresh[fresh.length - 1]!;
    const first = this.lastTrade === null;
    if (!this.lastTrade || last.timestamp >= this.lastTrade.timestamp) this.lastTrade = last;
    this.forgetOldIds();
    if (first) this.options.onChange?.();
    return fresh.length;
  }

  private forgetOldIds(): void {
    if (this.sentShapes.size < 10_000 || !this.lastTrade) return;
    const horizon = this.lastTrade.timestamp - ID_MEMORY_MS;
    for (const [id, ts] of this.sentIds) if (ts < horizon) this.sentIds.delete(id);
    for (const [shape, { ts }] of this.sentShapes) if (ts < horizon) this.sentShapes.delete(shape);
  }

  private async marker(status: 'down' | 'up'): Promise<void> {
    if (!this.lastTrade) return;
    const out: Output = emit(topics.trades, this.lastTrade, { [FEED_STATUS_HEADER]: status });
    await this.ctx.emit([out]);
  }

  /** One warning per failure streak (the first failure); the retries of the streak log at debug level only. */
  async markDown(err: unknown): Promise<void> {
    if (this.down) {
      this.ctx.log.debug({ symbol: this.symbol, exchange: this.exchange.id, err: errorMessage(err) }, 'still down');
      return;
    }
    this.down = true;
    this.stats.outages += 1;
    this.ctx.log.warn(
      { symbol: this.symbol, exchange: this.exchange.id, err: errorMessage(err) },
      this.lastTrade
        ? 'trade feed down; will backfill on reconnect'
        : 'trade feed cannot connect; retrying with backoff',
    );
    this.options.onChange?.();
    await this.marker('down');
  }

  /** Back only once a trade has arrived since the feed started: a connection that gives nothing is not a feed. */
  async markUp(): Promise<void> {
    if (!this.down || this.lastTrade === null) return;
    this.down = false;
    this.ctx.log.info({ symbol: this.symbol, exchange: this.exchange.id }, 'trade feed back, gap backfilled');
    this.options.onChange?.();
    await this.marker('up');
  }

  /** Fetches everything since the last trade sent, page by page, until the exchange has nothing new: how many. */
  async backfill(): Promise<number> {
    if (!this.lastTrade) return 0;
    let total = 0;
    const pageSize = this.options.pageSize ?? 1000;
    let since = this.lastTrade.timestamp;
    for (let page = 0; page < 10_000 && !this.ctx.signal.aborted; page += 1) {
      const trades = await this.exchange.fetchTrades(this.symbol, since, pageSize);
      const fresh = await this.send(trades);
      total += fresh;
      const newest = trades.reduce((m, t) => Math.max(m, t.timestamp ?? 0), 0);
      if (fresh === 0 || newest <= since) {
        // Some exchanges (Binance) answer one hour after `since` at most: step over a quiet hour.
        if (trades.length === 0 && since + HOUR < this.ctx.now()) {
          since += HOUR;
          continue;
        }
        return total;
      }
      since = newest;
    }
    return total;
  }

  /** Streams over the websocket until aborted; on any error: down, backoff, backfill, up. */
  async watch(): Promise<void> {
    const watchTrades = this.exchange.watchTrades!;
    const initial = Math.min(500, this.options.maxBackoffMs ?? 500);
    let backoff = initial;
    while (!this.ctx.signal.aborted) {
      try {
        // Subscribe first, then backfill: trades that arrive meanwhile wait in ccxt's cache, none fall between.
        const next = watchTrades(this.symbol);
        next.catch(() => undefined);
        // Back once trades arrived again: the backfill's (the gap) or, failing those, the stream's.
        if (this.down && (await this.backfill()) > 0) await this.markUp();
        await this.send(await next);
        await this.markUp();
        backoff = initial;
      } catch (err) {
        if (this.ctx.signal.aborted) return;
        await this.markDown(err);
        await sleep(backoff, undefined, { signal: this.ctx.signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 30_000);
      }
    }
  }

  /** Polls fetchTrades since the last trade sent; polling is its own backfill. */
  async poll(): Promise<void> {
    let backoff = this.options.pollIntervalMs;
    while (!this.ctx.signal.aborted) {
      try {
        if (this.lastTrade) await this.backfill();
        else await this.send(await this.exchange.fetchTrades(this.symbol));
        await this.markUp();
        backoff = this.options.pollIntervalMs;
      } catch (err) {
        if (this.ctx.signal.aborted) return;
        await this.markDown(err);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 30_000);
      }
      await sleep(backoff, undefined, { signal: this.ctx.signal }).catch(() => undefined);
    }
  }
}

/** Runs one feed per symbol until ctx.signal aborts. */
export async function runLiveFeed(
  exchange: TradeExchange,
  symbols: readonly string[],
  ctx: SourceContext,
  options: LiveFeedOptions,
): Promise<SymbolFeed[]> {
  // Ready means trades flow: not before the first trade, and not while every feed is down.
  const feeds: SymbolFeed[] = [];
  const onChange = (): void => ctx.setReady(feeds.some((f) => f.lastTrade !== null && !f.down));
  feeds.push(...symbols.map((s) => new SymbolFeed(exchange, s, ctx, { ...options, onChange })));
  ctx.setReady(false);
  // Closing the exchange rejects a pending watchTrades, so a feed waiting on a quiet market stops at once.
  const stop = (): void => void exchange.close?.().catch(() => undefined);
  ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.all(feeds.map((f) => (exchange.watchTrades ? f.watch() : f.poll())));
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    await exchange.close?.().catch(() => undefined);
  }
  return feeds;
}
