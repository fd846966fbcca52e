import { topics, type TopicSpec } from '../schemas/topics.ts';
import type { Trade } from '../schemas/types.ts';
import type { BusRecord } from '../pipeline/bus/bus.ts';
import { MemoryBus } from '../pipeline/bus/memory-bus.ts';
import { silentLogger } from '../pipeline/log.ts';
import { createRegistry, StageMetrics } from '../pipeline/metrics/stage-metrics.ts';
import { createLocalRegistryCodec } from '../pipeline/serde/local-registry-codec.ts';
import { defineStage, emit } from '../pipeline/stage/define-stage.ts';
import { StageRunner } from '../pipeline/stage/index.ts';
import { runDirectly, type BenchResult } from './bench-result.ts';

// Records/s through one stage on the embedded bus: Avro decode, validate, handle (identity), encode, produce,
// commit. Compared with a bare consumer on the same bus that moves the same bytes without the runtime, so the
// runtime's own cost is visible.

const N = 200_000;

async function throughStage(stateful: boolean): Promise<number> {
  const bus = new MemoryBus({ maxBacklog: 50_000 });
  const codec = createLocalRegistryCodec();
  const input: TopicSpec<'Trade'> = { ...topics.trades, name: 'bench-in', partitions: 6 };
  const output: TopicSpec<'Trade'> = { ...topics.trades, name: 'bench-out', partitions: 6 };
  await bus.ensureTopics([input, output, { name: 'bench-state', partitions: 6, cleanupPolicy: 'compact' }]);
  const stage = defineStage<Trade, { n: number }>({
    name: 'trade-to-ohlc',
    description: 'bench',
    inputs: [input],
    outputs: [output],
    ...(stateful ? { state: { initial: () => ({ n: 0 }) } } : {}),
    handle: (r, ctx) => {
      if (ctx.state) ctx.state.n++;
      return [emit(output, r.value)];
    },
  });
  const runner = new StageRunner(
    stage,
    { bus, codec, metrics: new StageMetrics(createRegistry({ defaultMetrics: false })), log: silentLogger },
    {
      ticks: false,
      maxBatchSize: 500,
      changelog: {
        stage: 'trade-to-ohlc',
        name: 'bench-state',
        mirrors: 'bench-in',
        partitions: 6,
        replicas: 1,
        cleanupPolicy: 'compact',
        retentionMs: -1,
      },
    },
  );
  let out = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const sub = await bus.subscribe({
    groupId: 'sink',
    topics: [output.name],
    onBatch: async (b) => {
      out += b.records.length;
      await sub.commit([{ topic: b.topic, partition: b.partition, offset: b.records.at(-1)!.offset + 1 }]);
      if (out >= N) done();
    },
  });
  await runner.start();
  const symbols = Array.from({ length: 50 }, (_, i) => `S${i}/USD`);
  const payloads = await Promise.all(
    symbols.map((symbol, i) =>
      codec.encode(input.name, 'Trade', {
        exchange: 'bench',
        symbol,
        tradeId: String(i),
        price: 100 + i,
        quantity: 1,
        side: 'buy',
        timestamp: 1_700_000_000_000,
      } satisfies Trade),
    ),
  );
  const started = performance.now();
  for (let i = 0; i < N; i += 1000) {
    await bus.produce(
      input.name,
      Array.from({ length: 1000 }, (_, j) => ({ key: symbols[(i + j) % 50]!, value: payloads[(i + j) % 50]! })),
    );
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  await bus.close();
  return N / seconds;
}

async function bareConsumer(): Promise<number> {
  const bus = new MemoryBus({ maxBacklog: 50_000 });
  await bus.ensureTopics([
    { name: 'in', partitions: 6 },
    { name: 'out', partitions: 6 },
  ]);
  let out = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const copy = await bus.subscribe({
    groupId: 'copy',
    topics: ['in'],
    onBatch: async (b) => {
      await bus.produce(
        'out',
        b.records.map((r: BusRecord) => ({ key: r.key, value: r.value, headers: r.headers })),
      );
      await copy.commit([{ topic: b.topic, partition: b.partition, offset: b.records.at(-1)!.offset + 1 }]);
    },
  });
  const sink = await bus.subscribe({
    groupId: 'sink',
    topics: ['out'],
    onBatch: async (b) => {
      out += b.records.length;
      await sink.commit([{ topic: b.topic, partition: b.partition, offset: b.records.at(-1)!.offset + 1 }]);
      if (out >= N) done();
    },
  });
  const value = Buffer.alloc(60, 1);
  const started = performance.now();
  for (let i = 0; i < N; i += 1000) {
    await bus.produce(
      'in',
      Array.from({ length: 1000 }, (_, j) => ({ key: `S${(i + j) % 50}/USD`, value })),
    );
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await bus.close();
  return N / seconds;
}

export async function run(): Promise<BenchResult> {
  await throughStage(false); // warm-up
  const stateless = await throughStage(false);
  const stateful = await throughStage(true);
  const bare = await bareConsumer();
  return {
    name: 'Embedded bus: records/s through one stage',
    figures: {
      records: N,
      'stage records/s (stateless)': Math.round(stateless),
      'stage records/s (keyed state, changelog per batch)': Math.round(stateful),
      'bare bus copy records/s (no decode/encode)': Math.round(bare),
      'stage / bare': Number((stateless / bare).toFixed(3)),
    },
    notes: [
      'One stage on the embedded bus: Avro decode + validation + handle + Avro encode + produce + commit, 6 partitions, 50 symbols, batches of 500.',
      'The bare copy moves the same number of records between two topics without the runtime (no Avro, no spans, no metrics).',
    ],
  };
}

await runDirectly(import.meta.url, run);
