import { describe, expect, it } from 'vitest';
import { allTopicSettings } from '../../schemas/topics.ts';
import { TopicMismatchError } from '../errors.ts';
import { assertTopicsMatch, topicMismatches } from './topic-check.ts';

const expected = allTopicSettings().filter((t) => ['trades', 'candles', 'trade-to-ohlc.state'].includes(t.name));
const asCatalogue = expected.map((t) => ({ name: t.name, partitions: t.partitions, cleanupPolicy: t.cleanupPolicy }));

describe('topics against the catalogue', () => {
  it('accepts topics as the catalogue has them, in any order of the cleanup policy, and ones whose policy is unknown', () => {
    const found = asCatalogue.map((t) => (t.name === 'candles' ? { ...t, cleanupPolicy: 'delete,compact' } : t));
    expect(topicMismatches(expected, found)).toEqual([]);
    expect(
      topicMismatches(
        expected,
        asCatalogue.map(({ name, partitions }) => ({ name, partitions })),
      ),
    ).toEqual([]);
  });

  it('names each topic that is missing, partitioned otherwise (a changelog with its input) or cleaned otherwise', () => {
    const found = [
      { name: 'candles', partitions: 6, cleanupPolicy: 'delete' },
      { name: 'trade-to-ohlc.state', partitions: 4, cleanupPolicy: 'compact' },
    ];
    expect(topicMismatches(expected, found)).toEqual([
      'topic trades does not exist (expected 6 partitions; create it from strimzi/topics.yaml)',
      'topic candles has cleanup.policy=delete, expected compact,delete',
      'topic trade-to-ohlc.state has 4 partitions, expected 6, like its input trades',
    ]);
    expect(() => assertTopicsMatch(expected, found)).toThrow(TopicMismatchError);
  });
});
