import { LateRecordError, timeframeMs, type Candle, type Timeframe, type Trade } from '../../pipeline/index.ts';
import { addTrade, flatCandle, openWindow, windowCandle, type OpenWindow } from './candle-window.ts';
import type { TradeToOhlcConfig } from './config.ts';
import { claim, forgetBefore, initialDedupState, type DedupState } from './trade-dedup.ts';

// The candles of one symbol: plain JSON data plus pure functions over it. The stage (Kafka) and the
// `candleflow candles` command run exactly these functions, so both give the same candles for the same trades
// in the same order, and a state restored from its JSON continues exactly where it stopped.

export interface FrameState {
  timeframe: Timeframe;
  lengthMs: number;
  /** Open windows, oldest first: more than one only while an older one waits out its grace. */
  open: OpenWindow[];
  /** Start of the next window to be emitted (end of the last emitted one); null before the first trade. */
  nextStart: number | null;
  /** Close of the last emitted candle: the level of flat gap candles. */
  lastClose: number | null;
  /** Whether the last emitted candle knew taker sides (flat candles then say buyVolume 0, else null). */
  lastSided: boolean;
}

export interface SymbolCandleState {
  symbol: string;
  /** One per configured timeframe, shortest first (an array: the hot path indexes it, no key look-ups). */
  frames: FrameState[];
  /** Highest trade time seen (event time); null before the first trade. */
  watermark: number | null;
  /**
   * Every window of the shortest timeframe starting before this is closed: a trade before it is late. The
   * windows of longer timeframes close on the same boundaries or later, so this one number decides.
   */
  closedBefore: number | null;
  dedup: DedupState;
  /** Set while the trade source reports the exchange feed disconnected: the wall clock then closes nothing. */
  feedDown: boolean;
  /**
   * Trades of this symbol's partition were deleted before they were read (ON_INPUT_LOST=continue): until the
   * next trade, empty windows are a hole in what was read, not quiet trading, and get no flat candles.
   */
  inputLost?: boolean;
  /** Wall-clock arrival minus event time of the latest trade: how far behind the present the stream was. */
  lastLagMs: number | null;
  counts: { applied: number; duplicates: number; late: number };
}

export type TradeOutcome = 'applied' | 'duplicate';

export function initialSymbolState(symbol: string): SymbolCandleState {
  return {
    symbol,
    frames: [],
    watermark: null,
    closedBefore: null,
    dedup: initialDedupState(),
    feedDown: false,
    lastLagMs: null,
    counts: { applied: 0, duplicates: 0, late: 0 },
  };
}

/**
 * The frames in the configured order. Built on the first trade; rebuilt (keeping what matches) only when a
 * restored state was made under other timeframes.
 */
function framesOf(state: SymbolCandleState, config: TradeToOhlcConfig): FrameState[] {
  const frames = state.frames;
  const tfs = config.timeframes;
  if (frames.length === tfs.length) {
    let same = true;
    for (let i = 0; i < tfs.length; i += 1) if (frames[i]!.timeframe !== tfs[i]) same = false;
    if (same) return frames;
  }
  state.frames = tfs.map(
    (tf) =>
      frames.find((f) => f.timeframe === tf) ?? {
        timeframe: tf,
        lengthMs: timeframeMs[tf],
        open: [],
        nextStart: null,
        lastClose: null,
        lastSided: false,
      },
  );
  return state.frames;
}

function floorTo(t: number, lengthMs: number): number {
  return Math.floor(t / lengthMs) * lengthMs;
}

function describe(trade: Trade): string {
  return `${trade.symbol} trade ${trade.tradeId ?? '(no id)'} at ${new Date(trade.timestamp).toISOString()}`;
}

/**
 * Applies one trade and returns the candles that closed because event time moved on (in timeframe order, then
 * start). Throws LateRecordError, before changing anything but the late count, when the trade's window was
 * already emitted. `arrivalMs` (wall clock) is only recorded for the live-mode catch-up test.
 */
export function applyTrade(
  state: SymbolCandleState,
  trade: Trade,
  config: TradeToOhlcConfig,
  out: Candle[],
  arrivalMs?: number,
): TradeOutcome {
  if (state.closedBefore !== null && trade.timestamp < state.closedBefore) {
    state.counts.late += 1;
    throw new LateRecordError(
      `late: ${describe(trade)} is before ${new Date(state.closedBefore).toISOString()}, where its window already closed`,
    );
  }
  const frames = framesOf(state, config);
  const timestamp = trade.timestamp;
  const shortestMs = frames[0]!.lengthMs;
  if (arrivalMs !== undefined) state.lastLagMs = arrivalMs - timestamp;
  if (!claim(state.dedup, trade, config.keepRepeats, timestamp - (timestamp % shortestMs))) {
    state.counts.duplicates += 1;
    return 'duplicate';
  }
  for (let f = 0; f < frames.length; f += 1) {
    const frame = frames[f]!;
    const lengthMs = frame.lengthMs;
    const start = floorTo(timestamp, lengthMs);
    const open = frame.open;
    const last = open.length - 1;
    if (last >= 0 && open[last]!.start === start) {
      addTrade(open[last]!, trade);
    } else {
      let i = last;
      while (i >= 0 && open[i]!.start > start) i -= 1;
      const found = i >= 0 ? open[i]! : undefined;
      if (found && found.start === start) addTrade(found, trade);
      else open.splice(i + 1, 0, openWindow(start, lengthMs, trade));
    }
    if (frame.nextStart === null) frame.nextStart = start;
  }
  state.counts.applied += 1;
  if (state.watermark === null || timestamp > state.watermark) {
    state.watermark = timestamp;
    const boundary = timestamp - config.graceMs;
    // Most trades close nothing: skip the call unless the boundary reached the next shortest window's end.
    if (state.closedBefore === null || boundary >= state.closedBefore + shortestMs) {
      closeThrough(state, boundary, config, true, out);
      if (state.inputLost) delete state.inputLost;
    }
  }
  return 'applied';
}

/**
 * Closes every window whose end is at or before `boundary`, emitting flat candles for the empty windows in
 * between when gaps are flat (and, with `flatAfterLast`, for empty windows after the last trade). A stretch of
 * empty windows longer than `maxGapWindows` windows of the shortest timeframe is a feed gap and gets no flat
 * candle at all, so the work of one call is bounded whatever the timestamps.
 */
export function closeThrough(
  state: SymbolCandleState,
  boundary: number,
  config: TradeToOhlcConfig,
  flatAfterLast: boolean,
  out: Candle[],
): void {
  const frames = framesOf(state, config);
  const shortestMs = frames[0]!.lengthMs;
  const closedBefore = floorTo(boundary, shortestMs);
  if (state.closedBefore !== null && closedBefore <= state.closedBefore) return;
  state.closedBefore = closedBefore;
  const flat = config.gaps === 'flat';
  const maxGapMs = state.inputLost ? 0 : config.maxGapWindows * shortestMs;
  for (const frame of frames) {
    const tf = frame.timeframe;
    const lengthMs = frame.lengthMs;
    const open = frame.open;
    while (open.length > 0 && open[0]!.end <= boundary) {
      const w = open.shift()!;
      if (flat) emitFlats(state.symbol, tf, frame, lengthMs, w.start, maxGapMs, out);
      const candle = windowCandle(state.symbol, tf, w, true);
      out.push(candle);
      frame.lastClose = w.close;
      frame.lastSided = candle.buyVolume !== null;
      frame.nextStart = w.end;
    }
    if (flat && flatAfterLast) {
      const limit = open.length > 0 ? open[0]!.start : floorTo(boundary, lengthMs);
      // A feed gap before a newer trade's window: the next candle is that window's.
      if (open.length > 0 && frame.nextStart !== null && limit - frame.nextStart > maxGapMs) frame.nextStart = limit;
      else emitFlats(state.symbol, tf, frame, lengthMs, Math.min(limit, floorTo(boundary, lengthMs)), maxGapMs, out);
    }
  }
  forgetBefore(state.dedup, closedBefore, closedBefore - frames[0]!.lengthMs);
}

function emitFlats(
  symbol: string,
  tf: Timeframe,
  frame: FrameState,
  lengthMs: number,
  until: number,
  maxGapMs: number,
  out: Candle[],
): void {
  if (frame.lastClose === null || frame.nextStart === null) return;
  // A feed gap: the next candle is the window `until` starts, with nothing invented in between.
  if (until - frame.nextStart > maxGapMs) {
    frame.nextStart = until;
    return;
  }
  while (frame.nextStart < until) {
    out.push(flatCandle(symbol, tf, frame.nextStart, lengthMs, frame.lastClose, frame.lastSided));
    frame.nextStart += lengthMs;
  }
}

/** Whether the wall clock may close this symbol's windows now (live mode). */
export function wallClockMayClose(state: SymbolCandleState, config: TradeToOhlcConfig): boolean {
  return !state.feedDown && state.lastLagMs !== null && state.lastLagMs <= config.graceMs + config.liveSlackMs;
}

/**
 * Live mode: closes the windows that the wall clock says are over, even with no further trade, but only when
 * the stream is caught up with the present and the feed is not down (then the windows wait for the backfill).
 */
export function closeDue(state: SymbolCandleState, nowMs: number, config: TradeToOhlcConfig, out: Candle[]): void {
  if (!wallClockMayClose(state, config)) return;
  closeThrough(state, nowMs - config.graceMs, config, true, out);
}

/** End of a bounded input: every open window closes; no flat candles after the last trade. */
export function flushAll(state: SymbolCandleState, config: TradeToOhlcConfig, out: Candle[]): void {
  // The latest open end rather than infinity: the state stays JSON (Infinity would become null).
  let boundary = Number.NEGATIVE_INFINITY;
  for (const frame of state.frames) for (const w of frame.open) boundary = Math.max(boundary, w.end);
  if (Number.isFinite(boundary)) closeThrough(state, boundary, config, false, out);
}

/** The open windows so far, for candles.partial. */
export function partialCandles(state: SymbolCandleState, config: TradeToOhlcConfig): Candle[] {
  const out: Candle[] = [];
  for (const frame of framesOf(state, config)) {
    for (const w of frame.open) out.push(windowCandle(state.symbol, frame.timeframe, w, false));
  }
  return out;
}
