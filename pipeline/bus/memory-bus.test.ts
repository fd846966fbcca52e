import { describe, expect, it } from 'vitest';
import { busContract } from '../testing/bus-contract.ts';
import { uniqueName } from '../testing/unique-name.ts';
import { waitFor } from '../testing/wait-for.ts';
import { MemoryBus } from './memory-bus.ts';

let shared: MemoryBus | undefined;
busContract('embedded memory bus', {
  createBus: async () => (shared = new MemoryBus()),
  createTopics: async (topics) => shared!.ensureTopics(topics),
});

describe('MemoryBus backpressure and memory bound', () => {
  it('makes a producer wait while a slow consumer has maxBacklog records uncommitted', async () => {
    const bus = new MemoryBus({ maxBacklog: 20 });
    const topic = uniqueName('bp');
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    let consumed = 0;
    let release: () => void = () => undefined;
    let gate = new Promise<void>((r) => (release = r));
    const sub = await bus.subscribe({
      groupId: 'slow',
      topics: [topic],
      maxBatchSize: 5,
      onBatch: async (batch) => {
        await gate;
        consumed += batch.records.length;
        await sub!.commit([{ topic, partition: 0, offset: batch.records.at(-1)!.offset + 1 }]);
      },
    });
    let produced = 0;
    const producing = (async () => {
      for (let i = 0; i < 100; i++) {
        await bus.produce(topic, [{ key: 'k', value: Buffer.from(String(i)) }]);
        produced++;
      }
    })();
    await waitFor(() => produced === 20, 'the producer to fill the backlog');
    await new Promise((r) => setTimeout(r, 100));
    expect(produced).toBe(20); // held back: nothing consumed yet
    release();
    gate = Promise.resolve();
    await producing;
    await waitFor(() => consumed === 100, 'the consumer to catch up');
    expect(bus.topic(topic).partitions[0]!.records.length).toBeLessThanOrEqual(20);
    await bus.close();
  });

  it('keeps at most retainRecords records of a topic nobody consumes, and never blocks its producer', async () => {
    const bus = new MemoryBus({ retainRecords: 50, maxBacklog: 10 });
    const topic = uniqueName('dlq');
    for (let i = 0; i < 500; i++) await bus.produce(topic, [{ key: null, value: Buffer.from(String(i)) }]);
    const kept: string[] = [];
    await bus.readPartition({ topic, partition: 0 }, (r) => kept.push(r.value.toString()));
    expect(kept.length).toBe(50);
    expect(kept[0]).toBe('450');
    await bus.close();
  });

  it('compacts a compacted topic to the latest record per key', async () => {
    const bus = new MemoryBus();
    const topic = uniqueName('state');
    await bus.ensureTopics([{ name: topic, partitions: 1, cleanupPolicy: 'compact' }]);
    for (let i = 0; i < 5000; i++) await bus.produce(topic, [{ key: `k${i % 10}`, value: Buffer.from(String(i)) }]);
    const latest = new Map<string, string>();
    let count = 0;
    await bus.readPartition({ topic, partition: 0 }, (r) => {
      count++;
      latest.set(r.key!, r.value.toString());
    });
    expect(count).toBeLessThan(2000);
    expect(latest.get('k3')).toBe('4993');
    await bus.close();
  });
});

describe('MemoryBus memory over a long run', () => {
  it('drops what every group committed on a compact,delete topic whose keys never repeat', async () => {
    // candles, features, predictions: keyed by time, so compaction alone would keep every record forever.
    const bus = new MemoryBus();
    const topic = uniqueName('candles');
    await bus.ensureTopics([{ name: topic, partitions: 1, cleanupPolicy: 'compact,delete' }]);
    let seen = 0;
    const sub = await bus.subscribe({
      groupId: uniqueName('g'),
      topics: [topic],
      maxBatchSize: 100,
      onBatch: async (batch) => {
        seen += batch.records.length;
        await sub.commit([{ topic, partition: 0, offset: batch.records.at(-1)!.offset + 1 }]);
      },
    });
    const retained: number[] = [];
    for (let loop = 0; loop < 5; loop++) {
      for (let i = 0; i < 2000; i++) {
        const n = loop * 2000 + i;
        await bus.produce(topic, [{ key: `BTC/USD|1m|${n}`, value: Buffer.from(String(n)) }]);
      }
      await waitFor(() => seen === (loop + 1) * 2000, 'the loop consumed');
      retained.push(bus.retainedRecords());
    }
    expect(Math.max(...retained)).toBeLessThanOrEqual(200);
    await bus.close();
  });
});

describe('MemoryBus trimming under a filling batch', () => {
  it('delivers every offset once while a lagging group catches up and the log is trimmed', async () => {
    const bus = new MemoryBus();
    const topic = uniqueName('trimmed');
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const lagging = await bus.subscribe({
      groupId: uniqueName('lagging'),
      topics: [topic],
      onBatch: async (batch) => {
        await gate;
        await lagging.commit([{ topic, partition: 0, offset: batch.records.at(-1)!.offset + 1 }]);
      },
    });
    const seen: number[] = [];
    const filling = await bus.subscribe({
      groupId: uniqueName('filling'),
      topics: [topic],
      maxBatchSize: 10,
      maxWaitMs: 60_000,
      onBatch: async (batch) => {
        for (const r of batch.records) seen.push(r.offset);
        await filling.commit([{ topic, partition: 0, offset: batch.records.at(-1)!.offset + 1 }]);
      },
    });
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) await bus.produce(topic, [{ key: null, value: Buffer.from('x') }]);
    };
    await send(10);
    await waitFor(() => seen.length === 10, 'the first full batch');
    await send(3);
    await new Promise((r) => setTimeout(r, 50));
    // The filling group waits for seven more; the lagging one commits, and offsets 0-9 are trimmed meanwhile.
    release();
    await new Promise((r) => setTimeout(r, 50));
    await send(7);
    await waitFor(() => seen.length >= 20, 'the second full batch');
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await bus.close();
  });
});

describe('MemoryBus batch wait (maxWaitMs)', () => {
  async function firstBatchSize(maxWaitMs: number): Promise<number> {
    const bus = new MemoryBus();
    const topic = uniqueName('wait');
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    const sizes: number[] = [];
    await bus.subscribe({
      groupId: uniqueName('g'),
      topics: [topic],
      maxBatchSize: 4,
      maxWaitMs,
      onBatch: async (b) => void sizes.push(b.records.length),
    });
    await bus.produce(topic, [{ key: 'k', value: Buffer.from('0') }]);
    // The other records come one macrotask after another, after the first was already deliverable.
    for (let i = 1; i < 4; i++) {
      await new Promise((r) => setImmediate(r));
      await bus.produce(topic, [{ key: 'k', value: Buffer.from(String(i)) }]);
    }
    await waitFor(() => sizes.reduce((a, b) => a + b, 0) === 4, 'all records');
    await bus.close();
    return sizes[0]!;
  }

  it('holds a partial batch until it fills up to maxBatchSize within the wait', async () => {
    expect(await firstBatchSize(60_000)).toBe(4);
  });

  it('delivers what is there at once without a wait', async () => {
    expect(await firstBatchSize(0)).toBeLessThan(4);
  });
});
