import type { Candle, Trade } from '../../pipeline/index.ts';

// One open window of one symbol and timeframe, as plain JSON data: the runtime persists it in the stage's
// changelog and a restarted worker continues from exactly these numbers.

export interface OpenWindow {
  start: number;
  end: number;
  open: number;
  openTs: number;
  openId: string | null;
  high: number;
  low: number;
  close: number;
  closeTs: number;
  closeId: string | null;
  volume: number;
  quoteVolume: number;
  trades: number;
  buyVolume: number;
  /** Trades whose taker side was known; 0 makes buyVolume null. */
  sided: number;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function stripZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i += 1;
  return i === 0 ? s : s.slice(i);
}

/** Orders two trade ids: numerically when both are integer strings (any length), else as strings. */
export function compareTradeIds(a: string, b: string): number {
  if (a === b) return 0;
  if (isDigits(a) && isDigits(b)) {
    const x = stripZeros(a);
    const y = stripZeros(b);
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders trades by (timestamp, trade id); without an id on either side they tie (arrival order decides). */
export function compareTradeOrder(tsA: number, idA: string | null, tsB: number, idB: string | null): number {
  if (tsA !== tsB) return tsA - tsB;
  if (idA === null || idB === null) return 0;
  return compareTradeIds(idA, idB);
}

export function openWindow(start: number, lengthMs: number, trade: Trade): OpenWindow {
  const sided = trade.side === null ? 0 : 1;
  return {
    start,
    end: start + lengthMs,
    open: trade.price,
    openTs: trade.timestamp,
    openId: trade.tradeId,
    high: trade.price,
    low: trade.price,
    close: trade.price,
    closeTs: trade.timestamp,
    closeId: trade.tradeId,
    volume: trade.quantity,
    quoteVolume: trade.price * trade.quantity,
    trades: 1,
    buyVolume: trade.side === 'buy' ? trade.quantity : 0,
    sided,
  };
}

export function addTrade(w: OpenWindow, trade: Trade): void {
  const { price, quantity, timestamp, tradeId } = trade;
  // Open keeps the earliest arrival among ties, close the latest: a file without ids keeps its line order.
  if (
    timestamp < w.openTs ||
    (timestamp === w.openTs && compareTradeOrder(timestamp, tradeId, w.openTs, w.openId) < 0)
  ) {
    w.open = price;
    w.openTs = timestamp;
    w.openId = tradeId;
  }
  if (
    timestamp > w.closeTs ||
    (timestamp === w.closeTs && compareTradeOrder(timestamp, tradeId, w.closeTs, w.closeId) >= 0)
  ) {
    w.close = price;
    w.closeTs = timestamp;
    w.closeId = tradeId;
  }
  if (price > w.high) w.high = price;
  if (price < w.low) w.low = price;
  w.volume += quantity;
  w.quoteVolume += price * quantity;
  w.trades += 1;
  if (trade.side !== null) {
    w.sided += 1;
    if (trade.side === 'buy') w.buyVolume += quantity;
  }
}

export function windowCandle(symbol: string, timeframe: string, w: OpenWindow, final: boolean): Candle {
  return {
    symbol,
    timeframe,
    start: w.start,
    end: w.end,
    open: w.open,
    high: w.high,
    low: w.low,
    close: w.close,
    volume: w.volume,
    quoteVolume: w.quoteVolume,
    vwap: w.volume > 0 ? w.quoteVolume / w.volume : null,
    trades: w.trades,
    buyVolume: w.sided > 0 ? w.buyVolume : null,
    final,
  };
}

/** An empty window between two trades: flat at the previous close, nothing traded. */
export function flatCandle(
  symbol: string,
  timeframe: string,
  start: number,
  lengthMs: number,
  previousClose: number,
  sided: boolean,
): Candle {
  return {
    symbol,
    timeframe,
    start,
    end: start + lengthMs,
    open: previousClose,
    high: previousClose,
    low: previousClose,
    close: previousClose,
    volume: 0,
    quoteVolume: 0,
    vwap: null,
    trades: 0,
    buyVolume: sided ? 0 : null,
    final: true,
  };
}
