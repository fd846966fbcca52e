// The exponentially weighted sentiment of one symbol by event time. Each item's score weighs 2^(-age / halfLife),
// age measured from the newest publication time seen (asOf). Kept as a decayed sum of weights and of weighted
// scores, rescaled to asOf whenever it moves forward, so an update costs O(1) whatever the number of items.
// An item older than asOf (late, or replayed out of order) enters already decayed and leaves asOf where it is,
// so the index after a set of items does not depend on the order they came in.

export interface DecayedIndex {
  /** Latest publication time folded in. */
  asOf: number;
  /** Sum of weights at asOf. */
  weight: number;
  /** Sum of weight x score at asOf. */
  weightedScore: number;
  /** Items folded in (not decayed). */
  count: number;
}

export const emptyIndex = (): DecayedIndex => ({ asOf: -Infinity, weight: 0, weightedScore: 0, count: 0 });

/** Folds one item (score in [-1, 1], publication time) into the index, in place; returns it. */
export function foldItem(index: DecayedIndex, score: number, publishedAt: number, halfLifeMs: number): DecayedIndex {
  if (index.count === 0 || publishedAt > index.asOf) {
    const decay = index.count === 0 ? 0 : Math.pow(2, -(publishedAt - index.asOf) / halfLifeMs);
    index.weight *= decay;
    index.weightedScore *= decay;
    index.asOf = publishedAt;
  }
  const w = Math.pow(2, -(index.asOf - publishedAt) / halfLifeMs);
  index.weight += w;
  index.weightedScore += w * score;
  index.count += 1;
  return index;
}

/** The weighted mean score; 0 when every weight has decayed to nothing. */
export function indexScore(index: DecayedIndex): number {
  if (!(index.weight > 0)) return 0;
  return Math.max(-1, Math.min(1, index.weightedScore / index.weight));
}
