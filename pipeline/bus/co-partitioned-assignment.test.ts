import { describe, expect, it } from 'vitest';
import { coPartitionedAssignment } from './co-partitioned-assignment.ts';

describe('coPartitionedAssignment', () => {
  it('gives partition p of every topic to one member and spreads partitions evenly', () => {
    const result = coPartitionedAssignment(
      ['m-b', 'm-a', 'm-c'],
      new Map([
        ['candles', 6],
        ['predictions', 6],
      ]),
    );
    expect(Object.fromEntries([...result].map(([m, t]) => [m, Object.fromEntries(t)]))).toEqual({
      'm-a': { candles: [0, 3], predictions: [0, 3] },
      'm-b': { candles: [1, 4], predictions: [1, 4] },
      'm-c': { candles: [2, 5], predictions: [2, 5] },
    });
  });

  it('leaves extra members idle rather than splitting a partition number', () => {
    const result = coPartitionedAssignment(['a', 'b', 'c'], new Map([['t', 2]]));
    expect([...result].map(([m, t]) => [m, t.get('t') ?? []])).toEqual([
      ['a', [0]],
      ['b', [1]],
      ['c', []],
    ]);
  });
});
