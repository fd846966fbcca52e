import type { Trade } from '../../pipeline/index.ts';

const HOUR = 3_600_000;

/** Header on every looped sample trade: which loop it is and how its prices were derived from the file's. */
export const REPLAY_HEADER = 'candleflow-replay';

/**
 * How far each loop of a sample shifts its trades: its span rounded up to whole hours, so that every loop
 * starts on the same minute of an hour and candles of all timeframes up to 1h line up loop after loop.
 */
export function loopShiftMs(firstMs: number, lastMs: number): number {
  return Math.max(HOUR, Math.ceil((lastMs - firstMs + 1) / HOUR) * HOUR);
}

/** What a loop needs to know of the file: its first and last trade (time and price, in time order). */
export interface SampleSpan {
  first: number;
  last: number;
  firstPrice: number;
  lastPrice: number;
}

/**
 * A sample trade as replayed in loop `loop` (0-based): later in time, with an id of its own if it has one, and
 * priced so the replay is continuous. Even loops are the file's own prices; odd loops are the same trades with
 * their returns negated (each price reflected in log space, `lastPrice * firstPrice / price`, and the taker side
 * swapped), so they open where the previous loop closed and close where the file opens: no jump at a loop
 * boundary, and no drift however long it runs (scaling each loop to the last close would compound the file's
 * return, 2.5 % an hour for the bundled sample, without bound).
 */
export function loopedTrade(trade: Trade, loop: number, shiftMs: number, span?: SampleSpan): Trade {
  if (loop === 0) return trade;
  const mirrored = loop % 2 === 1 && span !== undefined;
  return {
    ...trade,
    timestamp: trade.timestamp + loop * shiftMs,
    tradeId: trade.tradeId === null ? null : `${trade.tradeId}~${loop}`,
    price: mirrored ? (span.lastPrice * span.firstPrice) / trade.price : trade.price,
    side: mirrored && trade.side !== null ? (trade.side === 'buy' ? 'sell' : 'buy') : trade.side,
  };
}

/** The replay header's value: the loop, and whether its prices are the file's or mirrored. */
export function replayMark(loop: number): string {
  return `loop=${loop};prices=${loop % 2 === 1 ? 'mirrored' : 'file'}`;
}
