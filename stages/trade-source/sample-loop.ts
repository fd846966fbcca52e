import type { Trade } from '../../pipeline/index.ts';

const HOUR = 3_600_000;

/**
 * How far each loop of a sample shifts its trades: its span rounded up to whole hours, so that every loop
 * starts on the same minute of an hour and candles of all timeframes up to 1h line up loop after loop.
 */
export function loopShiftMs(firstMs: number, lastMs: number): number {
  return Math.max(HOUR, Math.ceil((lastMs - firstMs + 1) / HOUR) * HOUR);
}

/** A sample trade as replayed in loop `loop` (0-based): later in time, and with an id of its own if it has one. */
export function loopedTrade(trade: Trade, loop: number, shiftMs: number): Trade {
  if (loop === 0) return trade;
  return {
    ...trade,
    timestamp: trade.timestamp + loop * shiftMs,
    tradeId: trade.tradeId === null ? null : `${trade.tradeId}~${loop}`,
  };
}
