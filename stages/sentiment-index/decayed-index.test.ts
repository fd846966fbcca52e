import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyIndex, foldItem, indexScore } from './decayed-index.ts';

const H = 6 * 3_600_000;

describe('decayed sentiment index', () => {
  it('weighs an item one half-life older half as much as a new one', () => {
    const index = emptyIndex();
    foldItem(index, 1, 0, H);
    foldItem(index, -1, H, H);
    // weights 0.5 (score 1) and 1 (score -1): (0.5 - 1) / 1.5
    expect(index.weight).toBeCloseTo(1.5, 12);
    expect(indexScore(index)).toBeCloseTo(-1 / 3, 12);
    expect(index.asOf).toBe(H);
    expect(index.count).toBe(2);
  });

  it('equals the direct weighted mean whatever order the items come in (late items enter decayed)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ score: fc.double({ min: -1, max: 1, noNaN: true }), t: fc.integer({ min: 0, max: 4 * H }) }),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        (items) => {
          const index = emptyIndex();
          for (const i of items) foldItem(index, i.score, i.t, H);
          const asOf = Math.max(...items.map((i) => i.t));
          const w = items.map((i) => 2 ** (-(asOf - i.t) / H));
          const total = w.reduce((a, b) => a + b, 0);
          const mean = items.reduce((a, i, k) => a + w[k]! * i.score, 0) / total;
          expect(index.asOf).toBe(asOf);
          expect(index.weight).toBeCloseTo(total, 9);
          expect(indexScore(index)).toBeCloseTo(mean, 9);
          expect(index.count).toBe(items.length);
        },
      ),
    );
  });

  it('scores 0 with no weight left rather than dividing by zero', () => {
    const index = emptyIndex();
    foldItem(index, 1, 0, 1_000);
    foldItem(index, 0.5, 10_000_000_000, 1_000);
    foldItem(index, -0.5, 0, 1_000);
    expect(Number.isFinite(indexScore(index))).toBe(true);
    expect(indexScore(index)).toBeCloseTo(0.5, 12);
    expect(indexScore(emptyIndex())).toBe(0);
  });
});
