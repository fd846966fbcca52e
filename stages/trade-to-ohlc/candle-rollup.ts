import { InputError, LateRecordError, timeframeMs, type Candle, type Timeframe } from '../../pipeline/index.ts';
import { flatCandle } from './candle-window.ts';
import type { GapPolicy } from './config.ts';

// Candles of a shorter timeframe rolled up into longer ones (1m -> 5m, 15m, ...), for sources that publish
// candles instead of trades (Kraken OHLCVT files, Binance klines). Plain JSON state and pure functions, like
// the trade aggregation. Input candles are complete records, so a candle starting at s proves the input has
// reached s: every output window ending at or before s closes (no grace). Input candles that traded nothing
// (volume 0: an exchange's flat filler) only move time on; the gap policy decides what empty windows become.

export interface RollupConfig {
  timeframes: Timeframe[];
  gaps: GapPolicy;
}

interface RollupWindow {
  start: number;
  end: number;
  open: number;
  openStart: number;
  high: number;
  low: number;
  close: number;
  closeStart: number;
  volume: number;
  quoteVolume: number | null;
  trades: number | null;
  buyVolume: number | null;
}

interface RollupFrame {
  open: RollupWindow[];
  nextStart: number | null;
  lastClose: number | null;
  lastSided: boolean;
}

export interface RollupState {
  symbol: string;
  frames: Record<string, RollupFrame>;
  closedBefore: number | null;
  watermark: number | null;
  /** Starts of input candles already applied to windows still open (a repeated candle is applied once). */
  seen: number[];
  counts: { applied: number; duplicates: number; late: number };
}

export function initialRollupState(symbol: string): RollupState {
  return {
    symbol,
    frames: {},
    closedBefore: null,
    watermark: null,
    seen: [],
    counts: { applied: 0, duplicates: 0, late: 0 },
  };
}

function floorTo(t: number, lengthMs: number): number {
  return Math.floor(t / lengthMs) * lengthMs;
}

/** Checks that every output timeframe is a whole multiple of the input's. */
export function checkRollup(inputMs: number, config: RollupConfig): void {
  for (const tf of config.timeframes) {
    if (timeframeMs[tf] < inputMs || timeframeMs[tf] % inputMs !== 0) {
      throw new InputError(`timeframe ${tf} is not a multiple of the input candles' ${inputMs / 60_000}m`);
    }
  }
}

function sum(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

export function applyCandle(
  state: RollupState,
  candle: Candle,
  config: RollupConfig,
  out: Candle[],
): 'applied' | 'duplicate' {
  if (state.closedBefore !== null && candle.start < state.closedBefore) {
    state.counts.late += 1;
    throw new LateRecordError(
      `late: ${candle.symbol} ${candle.timeframe} candle at ${new Date(candle.start).toISOString()} arrived after its window closed`,
    );
  }
  if (state.seen.includes(candle.start)) {
    state.counts.duplicates += 1;
    return 'duplicate';
  }
  if (candle.volume > 0) {
    state.seen.push(candle.start);
    for (const tf of config.timeframes) {
      const lengthMs = timeframeMs[tf];
      let frame = state.frames[tf];
      if (!frame) {
        frame = { open: [], nextStart: null, lastClose: null, lastSided: false };
        state.frames[tf] = frame;
      }
      const start = floorTo(candle.start, lengthMs);
      let i = frame.open.length - 1;
      while (i >= 0 && frame.open[i]!.start > start) i -= 1;
      const w = i >= 0 && frame.open[i]!.start === start ? frame.open[i]! : undefined;
      if (!w) {
        frame.open.splice(i + 1, 0, {
          start,
          end: start + lengthMs,
          open: candle.open,
          openStart: candle.start,
          high: candle.high,
          low: candle.low,
          close: candle.close,
          closeStart: candle.start,
          volume: candle.volume,
          quoteVolume: candle.quoteVolume,
          trades: candle.trades,
          buyVolume: candle.buyVolume,
        });
      } else {
        if (candle.start < w.openStart) {
          w.open = candle.open;
          w.openStart = candle.start;
        }
        if (candle.start > w.closeStart) {
          w.close = candle.close;
          w.closeStart = candle.start;
        }
        if (candle.high > w.high) w.high = candle.high;
        if (candle.low < w.low) w.low = candle.low;
        w.volume += candle.volume;
        w.quoteVolume = sum(w.quoteVolume, candle.quoteVolume);
        w.trades = sum(w.trades, candle.trades);
        // null means no trade said its side: like the trade aggregation, null only when none did.
        w.buyVolume = w.buyVolume === null ? candle.buyVolume : w.buyVolume + (candle.buyVolume ?? 0);
      }
      if (frame.nextStart === null) frame.nextStart = start;
    }
    state.counts.applied += 1;
  }
  if (state.watermark === null || candle.start > state.watermark) {
    state.watermark = candle.start;
    closeRollupThrough(state, candle.start, config, true, out);
  }
  return 'applied';
}

function emitFlats(
  symbol: string,
  tf: Timeframe,
  frame: RollupFrame,
  lengthMs: number,
  until: number,
  out: Candle[],
): void {
  if (frame.lastClose === null || frame.nextStart === null) return;
  while (frame.nextStart < until) {
    out.push(flatCandle(symbol, tf, frame.nextStart, lengthMs, frame.lastClose, frame.lastSided));
    frame.nextStart += lengthMs;
  }
}

export function closeRollupThrough(
  state: RollupState,
  boundary: number,
  config: RollupConfig,
  flatAfterLast: boolean,
  out: Candle[],
): void {
  const closedBefore = floorTo(boundary, timeframeMs[config.timeframes[0]!]);
  if (state.closedBefore !== null && closedBefore <= state.closedBefore) return;
  state.closedBefore = closedBefore;
  const flat = config.gaps === 'flat';
  for (const tf of config.timeframes) {
    const frame = state.frames[tf];
    if (!frame) continue;
    const lengthMs = timeframeMs[tf];
    while (frame.open.length > 0 && frame.open[0]!.end <= boundary) {
      const w = frame.open.shift()!;
      if (flat) emitFlats(state.symbol, tf, frame, lengthMs, w.start, out);
      out.push({
        symbol: state.symbol,
        timeframe: tf,
        start: w.start,
        end: w.end,
        open: w.open,
        high: w.high,
        low: w.low,
        close: w.close,
        volume: w.volume,
        quoteVolume: w.quoteVolume,
        vwap: w.quoteVolume !== null && w.volume > 0 ? w.quoteVolume / w.volume : null,
        trades: w.trades,
        buyVolume: w.buyVolume,
        final: true,
      });
      frame.lastClose = w.close;
      frame.lastSided = w.buyVolume !== null;
      frame.nextStart = w.end;
    }
    if (flat && flatAfterLast) {
      const limit = frame.open.length > 0 ? frame.open[0]!.start : floorTo(boundary, lengthMs);
      emitFlats(state.symbol, tf, frame, lengthMs, Math.min(limit, floorTo(boundary, lengthMs)), out);
    }
  }
  state.seen = state.seen.filter((s) => s >= closedBefore);
}

export function flushRollup(state: RollupState, config: RollupConfig, out: Candle[]): void {
  let boundary = Number.NEGATIVE_INFINITY;
  for (const frame of Object.values(state.frames)) for (const w of frame.open) boundary = Math.max(boundary, w.end);
  if (Number.isFinite(boundary)) closeRollupThrough(state, boundary, config, false, out);
}
