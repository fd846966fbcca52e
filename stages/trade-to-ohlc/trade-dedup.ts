import type { Trade } from '../../pipeline/index.ts';

// Which trades were already applied, remembered only while a repeat could still be applied: once the window
// a trade fell in has closed, a repeat of it is late anyway.
//
// Exchanges number the trades of a market with growing integers, so integer ids take a fast path with no
// hashing: the highest id applied, plus the ranges of lower ids not seen yet (gaps, usually none). A new id
// above the highest is new; an id below it is new only inside a gap. Gaps are forgotten with their window:
// an id that old can only belong to a late trade (ids grow with time). Other keys (text ids, and the
// (time, price, quantity, side) identity of trades without id) go in plain per-window lists, with a Set
// index beside them that is never persisted and is rebuilt on first use after a restore from JSON.

export interface DedupState {
  /** Highest integer trade id applied; null before the first. */
  maxId: number | null;
  /** Flat triples [lo, hi, windowStart]: integer ids below maxId not applied yet. */
  gaps: number[];
  /** window start (as a string key) -> other dedup keys applied in that window */
  byWindow: Record<string, string[]>;
}

export function initialDedupState(): DedupState {
  return { maxId: null, gaps: [], byWindow: {} };
}

interface Index {
  keys: Set<string>;
  lastSlot: number;
  lastList: string[] | null;
}

const indexes = new WeakMap<DedupState, Index>();

function indexOf(state: DedupState): Index {
  let index = indexes.get(state);
  if (!index) {
    const keys = new Set<string>();
    for (const list of Object.values(state.byWindow)) for (const key of list) keys.add(key);
    index = { keys, lastSlot: Number.NaN, lastList: null };
    indexes.set(state, index);
  }
  return index;
}

/** The id as a number when it is a plain integer that a double holds exactly; else -1. */
export function integerId(id: string): number {
  const n = id.length;
  if (n === 0 || n > 15) return -1;
  let value = 0;
  for (let i = 0; i < n; i += 1) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

/** The (time, price, quantity, side) identity of a trade without id. */
export function repeatKey(trade: Trade): string {
  return `#${trade.timestamp}|${trade.price}|${trade.quantity}|${trade.side ?? ''}`;
}

function claimInteger(state: DedupState, id: number, windowStart: number): boolean {
  const max = state.maxId;
  if (max === null || id > max) {
    // Before the first id nothing was seen: every lower id is a gap too (trades may arrive out of order).
    const from = max === null ? 0 : max + 1;
    if (id > from) state.gaps.push(from, id - 1, windowStart);
    state.maxId = id;
    return true;
  }
  const gaps = state.gaps;
  for (let i = gaps.length - 3; i >= 0; i -= 3) {
    const lo = gaps[i]!;
    const hi = gaps[i + 1]!;
    if (id < lo || id > hi) continue;
    const w = gaps[i + 2]!;
    const parts: number[] = [];
    if (lo <= id - 1) parts.push(lo, id - 1, w);
    if (id + 1 <= hi) parts.push(id + 1, hi, w);
    gaps.splice(i, 3, ...parts);
    return true;
  }
  return false;
}

function claimKey(state: DedupState, key: string, windowStart: number): boolean {
  const index = indexOf(state);
  if (index.keys.has(key)) return false;
  index.keys.add(key);
  let list = index.lastSlot === windowStart ? index.lastList : null;
  if (!list) {
    const slot = String(windowStart);
    list = state.byWindow[slot] ?? (state.byWindow[slot] = []);
    index.lastSlot = windowStart;
    index.lastList = list;
  }
  list.push(key);
  return true;
}

/**
 * Records the trade as applied and returns true, or returns false when it was applied before. Without an id
 * and with `keepRepeats`, every row counts as new.
 */
export function claim(state: DedupState, trade: Trade, keepRepeats: boolean, windowStart: number): boolean {
  const id = trade.tradeId;
  if (id !== null) {
    const n = integerId(id);
    return n >= 0 ? claimInteger(state, n, windowStart) : claimKey(state, id, windowStart);
  }
  return keepRepeats ? true : claimKey(state, repeatKey(trade), windowStart);
}

/**
 * Forgets what was remembered for windows starting before `closedBefore`; gaps only before `gapsBefore`
 * (one window earlier: a missing id may belong to a trade just across a window boundary).
 */
export function forgetBefore(state: DedupState, closedBefore: number, gapsBefore = closedBefore): void {
  const gaps = state.gaps;
  if (gaps.length > 0 && gaps[2]! < gapsBefore) {
    let keep = 0;
    for (let i = 0; i < gaps.length; i += 3) {
      if (gaps[i + 2]! >= gapsBefore) {
        gaps[keep] = gaps[i]!;
        gaps[keep + 1] = gaps[i + 1]!;
        gaps[keep + 2] = gaps[i + 2]!;
        keep += 3;
      }
    }
    gaps.length = keep;
  }
  let index: Index | undefined;
  for (const slot in state.byWindow) {
    if (Number(slot) < closedBefore) {
      index ??= indexOf(state);
      for (const key of state.byWindow[slot]!) index.keys.delete(key);
      if (index.lastList === state.byWindow[slot]) index.lastList = null;
      delete state.byWindow[slot];
    }
  }
}

/** How many keys and gaps are remembered (for tests of the memory bound). */
export function rememberedCount(state: DedupState): number {
  return indexOf(state).keys.size + state.gaps.length / 3;
}
