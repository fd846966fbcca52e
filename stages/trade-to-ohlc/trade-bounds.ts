import { ValidationError, type Trade } from '../../pipeline/index.ts';
import type { TradeToOhlcConfig } from './config.ts';

// How much work one trade may cause. A trade's timestamp decides how many windows close and how many flat
// candles fill the gap before it: one trade stamped in 2100 would close every minute until then. So a trade must
// lie near the wall clock (no trade is executed in the future) and near its symbol's event time (a trade a week
// ahead of the stream is a broken clock, and taking it would make every later real trade late). Schema-level
// bounds (not before 2009, not after 2099) are in schemas/validate.ts and hold for every stage.

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function hours(ms: number): string {
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/**
 * Why this trade must not be applied to this symbol's candles (dead-lettered with reason `future`), or null.
 * `nowMs` is the wall clock.
 */
export function tradeTimeProblem(
  state: { watermark: number | null },
  trade: Pick<Trade, 'symbol' | 'tradeId' | 'timestamp'>,
  config: TradeToOhlcConfig,
  nowMs: number,
): ValidationError | null {
  const ts = trade.timestamp;
  if (ts > nowMs + config.maxClockSkewMs) {
    return new ValidationError(
      `future: ${trade.symbol} trade ${trade.tradeId ?? '(no id)'} at ${iso(ts)} is ${hours(ts - nowMs)} ahead of the wall clock (OHLC_MAX_CLOCK_SKEW)`,
      'future',
    );
  }
  const watermark = state.watermark;
  if (watermark !== null && ts - watermark > config.maxJumpMs && nowMs - ts > config.maxClockSkewMs) {
    return new ValidationError(
      `future: ${trade.symbol} trade ${trade.tradeId ?? '(no id)'} at ${iso(ts)} is ${hours(ts - watermark)} ahead of the symbol's latest trade at ${iso(watermark)} (OHLC_MAX_JUMP)`,
      'future',
    );
  }
  return null;
}
