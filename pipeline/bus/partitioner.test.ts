import { Partitioners } from 'kafkajs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionForKey } from './partitioner.ts';

// kafkajs's own DefaultPartitioner is the reference: the embedded bus must pick the partition it picks.
function kafkajsPartition(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

describe('partitionForKey', () => {
  it('matches kafkajs DefaultPartitioner on 3,000 catalogue-shaped keys', () => {
    const symbols = ['BTC/USD', 'ETH/USD', 'XBT/USDC', 'SOL/USDT', 'DOGE/EUR'];
    const keys: string[] = [];
    for (let i = 0; i < 600; i++) {
      for (const s of symbols)
        keys.push(i % 2 ? `${s}|1m|${1561939200000 + i * 60000}` : `${s}|${['1m', '5m', '1h'][i % 3]}`);
    }
    expect(keys.length).toBe(3000);
    for (const partitions of [1, 3, 6, 12]) {
      for (const key of keys) expect(partitionForKey(key, partitions)).toBe(kafkajsPartition(key, partitions));
    }
  });

  it('matches kafkajs DefaultPartitioner on arbitrary unicode keys of every length', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        (key, partitions) => {
          expect(partitionForKey(key, partitions)).toBe(kafkajsPartition(key, partitions));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
