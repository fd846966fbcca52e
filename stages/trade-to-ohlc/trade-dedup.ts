import type { Trade } from '../../pipeline/index.ts';

// Which trades were already applied. Keys are grouped by the shortest window their trade fell in, so they are
// forgotten as a whole when that window closes: after that, the same trade would be late anyway.
// The persisted form is plain arrays; a Set index beside it (never persisted) makes look-ups O(1) and is
// rebuilt on first use after the state was restored from JSON.

export interface DedupState {
  /** window start (ms, as a string key) -> dedup keys of the trades applied in it */
  byWindow: Record<string, string[]>;
}

export function initialDedupState(): DedupState {
  return { byWindow: {} };
}

const indexes = new WeakMap<DedupState, Set<string>>();

function indexOf(state: DedupState): Set<string> {
  let index = indexes.get(state);
  if (!index) {
    index = new Set();
    for (const keys of Object.values(state.byWindow)) for (const key of keys) index.add(key);
    indexes.set(state, index);
  }
  return index;
}

/**
 * The identity of a trade: its id when it has one; otherwise (time, price, quantity, side), or null when
 * exact repeats of id-less rows are to be kept.
 */
export function dedupKey(trade: Trade, keepRepeats: boolean): string | null {
  if (trade.tradeId !== null) return trade.tradeId;
  if (keepRepeats) return null;
  return `#${trade.timestamp}|${trade.price}|${trade.quantity}|${trade.side ?? ''}`;
}

export function isDuplicate(state: DedupState, key: string): boolean {
  return indexOf(state).has(key);
}

export function remember(state: DedupState, key: string, windowStart: number): void {
  indexOf(state).add(key);
  const slot = String(windowStart);
  const keys = state.byWindow[slot];
  if (keys) keys.push(key);
  else state.byWindow[slot] = [key];
}

/** Forgets every key of windows starting before `closedBefore`. */
export function forgetBefore(state: DedupState, closedBefore: number): void {
  const index = indexOf(state);
  for (const slot of Object.keys(state.byWindow)) {
    if (Number(slot) < closedBefore) {
      for (const key of state.byWindow[slot]!) index.delete(key);
      delete state.byWindow[slot];
    }
  }
}

export function rememberedCount(state: DedupState): number {
  return indexOf(state).size;
}
