import { ConfigError } from '../../pipeline/index.ts';
import type { ExchangeTrade, TradeExchange } from './live-feed.ts';

// Builds a ccxt exchange for the live feed. ccxt is loaded on demand: it is large and only live sources
// need it.

export interface CcxtOptions {
  /** Use fetchTrades polling even where the exchange has a websocket. */
  pollOnly?: boolean;
  /** Adjusts the ccxt instance before use (tests point its urls at a local server). */
  configure?: (exchange: Record<string, any>) => void;
}

export async function createCcxtExchange(id: string, options: CcxtOptions = {}): Promise<TradeExchange> {
  const ccxt = (await import('ccxt')).default as unknown as Record<string, any> & { pro: Record<string, any> };
  const Pro = options.pollOnly ? undefined : ccxt.pro[id];
  const Rest = ccxt[id];
  const Ctor = Pro ?? Rest;
  if (typeof Ctor !== 'function') throw new ConfigError('SOURCE', `ccxt has no exchange "${id}"`);
  const ex = new Ctor({ enableRateLimit: true }) as Record<string, any>;
  if (id === 'binance' || id === 'binanceus') {
    // Spot only, and the aggregate-trade stream on the websocket: its ids are the ids fetchTrades returns
    // (aggTrades), so a backfill overlapping the live stream is de-duplicated by id.
    ex.options.fetchMarkets = { ...(ex.options.fetchMarkets ?? {}), types: ['spot'] };
    ex.options.watchTrades = { ...(ex.options.watchTrades ?? {}), name: 'aggTrade' };
    ex.options.watchTradesForSymbols = { ...(ex.options.watchTradesForSymbols ?? {}), name: 'aggTrade' };
  }
  options.configure?.(ex);
  // ccxt refuses plain ws:// urls (a local exchange stand-in) until its http agent is loaded.
  if (JSON.stringify(ex.urls?.api ?? {}).includes('"ws://') && typeof ex.loadHttpProxyAgent === 'function') {
    await ex.loadHttpProxyAgent();
  }
  const canWatch = Pro !== undefined && ex.has?.watchTrades === true;
  return {
    id: String(ex.id ?? id),
    fetchTrades: (symbol, since, limit) => ex.fetchTrades(symbol, since, limit) as Promise<ExchangeTrade[]>,
    ...(canWatch ? { watchTrades: (symbol: string) => ex.watchTrades(symbol) as Promise<ExchangeTrade[]> } : {}),
    close: async () => {
      if (typeof ex.close === 'function') await ex.close();
    },
  };
}
