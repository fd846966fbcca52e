import { afterEach, describe, expect, it } from 'vitest';
import { topics, type ChangelogSpec, type TopicSpec } from '../../schemas/topics.ts';
import type { Trade } from '../../schemas/types.ts';
import type { BusMessage, BusRecord, Subscription } from '../bus/bus.ts';
import { MemoryBus } from '../bus/memory-bus.ts';
import { DatabaseError, ValidationError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { createRegistry, StageMetrics } from '../metrics/stage-metrics.ts';
import { createLocalRegistryCodec } from '../serde/local-registry-codec.ts';
import { uniqueName } from '../testing/unique-name.ts';
import { waitFor } from '../testing/wait-for.ts';
import { input, StageUnderTest } from '../testing/run-stage.ts';
import { defineStage, emit, type InputRecord } from './define-stage.ts';
import { DeadLetterHeaders, StageRunner } from './index.ts';

const fastRetry = { initialMs: 1, multiplier: 2, maxMs: 5, jitter: 0, retries: 2 };

/** A memory bus whose next commit fails once, or whose produce to a topic fails, like a worker dying there. */
class FaultyBus extends MemoryBus {
  failNextCommit = false;
  failProduceTo: string | undefined;
  /** Messages acknowledged per topic. */
  produced = new Map<string, number>();
  override async produce(topic: string, messages: readonly BusMessage[]): Promise<void> {
    if (this.failProduceTo === topic) throw new Error(`injected: produce to ${topic} lost`);
    await super.produce(topic, messages);
    this.produced.set(topic, (this.produced.get(topic) ?? 0) + messages.length);
  }
  override async subscribe(options: Parameters<MemoryBus['subscribe']>[0]): Promise<Subscription> {
    const sub = await super.subscribe(options);
    const commit = sub.commit.bind(sub);
    sub.commit = async (offsets) => {
      if (this.failNextCommit) {
        this.failNextCommit = false;
        throw new Error('injected: commit lost');
      }
      return commit(offsets);
    };
    return sub;
  }
}

function setup(partitions = 2) {
  const bus = new FaultyBus();
  bus.onHandlerError = () => undefined;
  const codec = createLocalRegistryCodec();
  const input: TopicSpec<'Trade'> = { ...topics.trades, name: uniqueName('in'), partitions };
  const output: TopicSpec<'Trade'> = { ...topics.trades, name: uniqueName('out'), partitions };
  const changelog: ChangelogSpec = {
    stage: 'trade-to-ohlc',
    name: uniqueName('state'),
    mirrors: input.name,
    partitions,
    replicas: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
  };
  const metrics = new StageMetrics(createRegistry({ defaultMetrics: false }));
  const runtime = { bus, codec, metrics, log: silentLogger };
  const trade = (symbol: string, price: number): Trade => ({
    exchange: 'test',
    symbol,
    tradeId: String(price),
    price,
    quantity: 1,
    side: null,
    timestamp: 1_561_939_200_000 + price,
  });
  const send = async (trades: Trade[]) => {
    for (const t of trades)
      await bus.produce(input.name, [{ key: t.symbol, value: await codec.encode(input.name, 'Trade', t) }]);
  };
  const collect = async (topicName: string) => {
    const out: BusRecord[] = [];
    await bus.subscribe({
      groupId: uniqueName('reader'),
      topics: [topicName],
      onBatch: async (b) => void out.push(...b.records),
    });
    return out;
  };
  return { bus, codec, input, output, changelog, metrics, runtime, trade, send, collect };
}

const runners: StageRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
});

function runningSum(s: ReturnType<typeof setup>) {
  return defineStage<Trade, { sum: number }>({
    name: 'trade-to-ohlc',
    description: 'running sum per symbol',
    inputs: [s.input],
    outputs: [s.output],
    state: { initial: () => ({ sum: 0 }) },
    handle: (r, ctx) => {
      ctx.state.sum += r.value.price;
      return [emit(s.output, { ...r.value, price: ctx.state.sum })];
    },
  });
}

async function sums(s: ReturnType<typeof setup>, out: BusRecord[]): Promise<Map<string, number[]>> {
  const bySymbol = new Map<string, number[]>();
  for (const r of out) {
    const t = (await s.codec.decode(s.output.name, r.value)) as Trade;
    bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t.price]);
  }
  return bySymbol;
}

describe('StageRunner keyed state across failures', () => {
  it.each([
    ['handle', (s: ReturnType<typeof setup>) => runningSum(s)],
    ['handleBatch', (s: ReturnType<typeof setup>) => batchedRunningSum(s, [])],
  ])(
    'a commit lost after the changelog was written (%s): replayed records are skipped, nothing counted twice',
    async (_, stageOf) => {
      const s = setup(1);
      const runner = new StageRunner(stageOf(s), s.runtime, {
        groupId: uniqueName('g'),
        changelog: s.changelog,
        ticks: false,
      });
      runners.push(runner);
      await runner.start();
      const out = await s.collect(s.output.name);
      s.bus.failNextCommit = true;
      await s.send([s.trade('BTC/USD', 1), s.trade('BTC/USD', 2)]);
      await s.send([s.trade('BTC/USD', 3)]);
      await waitFor(() => out.length >= 3, 'outputs');
      await new Promise((r) => setTimeout(r, 300));
      expect((await sums(s, out)).get('BTC/USD')).toEqual([1, 3, 6]);
    },
  );

  it('a record dead-lettered after a batch was narrowed to it is not dead-lettered again when its commit is lost', async () => {
    const s = setup(1);
    const poisoned = defineStage<Trade, { sum: number }>({
      name: 'trade-to-ohlc',
      description: 'a batch stage that cannot handle price 13',
      inputs: [s.input],
      outputs: [s.output],
      state: { initial: () => ({ sum: 0 }) },
      async handleBatch(records, ctx) {
        if (records.some((r) => r.value.price === 13)) throw new Error('cannot add 13');
        return records.map((r) => {
          ctx.state(r).sum += r.value.price;
          return emit(s.output, { ...r.value, price: ctx.state(r).sum });
        });
      },
    });
    const runner = new StageRunner(poisoned, s.runtime, {
      groupId: uniqueName('g'),
      changelog: s.changelog,
      ticks: false,
      retry: { initialMs: 1, multiplier: 1, maxMs: 1, jitter: 0, retries: 1 },
    });
    runners.push(runner);
    await runner.start();
    const dead = await s.collect(`${s.input.name}.dlq`);
    const out = await s.collect(s.output.name);
    s.bus.failNextCommit = true;
    await s.send([s.trade('BTC/USD', 1), s.trade('ETH/USD', 13), s.trade('BTC/USD', 2)]);
    await s.send([s.trade('BTC/USD', 3)]);
    await waitFor(() => (out.length >= 3 ? out : null), 'outputs');
    await new Promise((r) => setTimeout(r, 300));
    expect(dead).toHaveLength(1);
    expect((await sums(s, out)).get('BTC/USD')).toEqual([1, 3, 6]);
  });

  it('a worker dying after its outputs but before its changelog write: the replay gives the same outputs again', async () => {
    const s = setup(1);
    const groupId = uniqueName('g');
    const first = new StageRunner(runningSum(s), s.runtime, { groupId, changelog: s.changelog, ticks: false });
    await first.start();
    const out = await s.collect(s.output.name);
    await s.send([s.trade('BTC/USD', 1)]);
    await waitFor(() => out.length === 1, 'first output');
    s.bus.failProduceTo = s.changelog.name;
    await s.send([s.trade('BTC/USD', 2)]);
    await waitFor(() => out.length === 2, 'the output whose state is never written');
    await first.stop();
    s.bus.failProduceTo = undefined;
    const second = new StageRunner(runningSum(s), s.runtime, { groupId, changelog: s.changelog, ticks: false });
    runners.push(second);
    await second.start();
    await waitFor(() => out.length === 3, 'the replayed output');
    await s.send([s.trade('BTC/USD', 3)]);
    await waitFor(() => out.length === 4, 'the next output');
    // The replay re-emits 3 under the same key (downstream keeps one); the restored state did not double.
    expect((await sums(s, out)).get('BTC/USD')).toEqual([1, 3, 3, 6]);
    expect(out[1]!.key).toBe(out[2]!.key);
  });

  it('a changelog write failing in a live worker: the batch is retried without handling its records twice', async () => {
    const s = setup(1);
    const runner = new StageRunner(runningSum(s), s.runtime, {
      groupId: uniqueName('g'),
      changelog: s.changelog,
      ticks: false,
    });
    runners.push(runner);
    await runner.start();
    const out = await s.collect(s.output.name);
    s.bus.failProduceTo = s.changelog.name;
    await s.send([s.trade('BTC/USD', 1)]);
    await waitFor(() => out.length === 1, 'the output');
    s.bus.failProduceTo = undefined;
    await s.send([s.trade('BTC/USD', 2)]);
    await waitFor(() => out.length === 2, 'the next output');
    expect((await sums(s, out)).get('BTC/USD')).toEqual([1, 3]);
  });
});

describe('StageRunner with handleBatch (sinks)', () => {
  it('retries a retriable failure until it succeeds, reporting not-ready meanwhile, and commits after', async () => {
    const s = setup(1);
    let failures = 2;
    const written: number[] = [];
    let readyDuringOutage: boolean | undefined;
    const sink = defineStage<Trade>({
      name: 'postgres-sink',
      description: 'test sink',
      inputs: [s.input],
      outputs: [],
      handleBatch: async (records, ctx) => {
        if (failures-- > 0) {
          ctx.setReady(false);
          readyDuringOutage = runner.ready();
          throw new DatabaseError('connection refused');
        }
        ctx.setReady(true);
        written.push(...records.map((r) => r.value.price));
      },
    });
    const groupId = uniqueName('g');
    const runner = new StageRunner(sink, s.runtime, { groupId, ticks: false, retry: fastRetry });
    runners.push(runner);
    await runner.start();
    await s.send([s.trade('BTC/USD', 1), s.trade('BTC/USD', 2)]);
    await waitFor(() => written.length === 2, 'the write after the outage');
    expect(readyDuringOutage).toBe(false);
    expect(runner.ready()).toBe(true);
    const committed = await waitFor(async () => {
      const sub = await s.bus.subscribe({ groupId, topics: [s.input.name], onBatch: async () => undefined });
      const c = await sub.committed({ topic: s.input.name, partition: 0 });
      await sub.close();
      return c;
    }, 'the commit');
    expect(committed).toBe(2);
    expect(written).toEqual([1, 2]);
  });

  it('narrows a non-retriable batch failure to the bad record, dead-letters it, and writes the rest', async () => {
    const s = setup(1);
    const written: number[] = [];
    const sink = defineStage<Trade>({
      name: 'postgres-sink',
      description: 'test sink',
      inputs: [s.input],
      outputs: [],
      handleBatch: async (records: readonly InputRecord<Trade>[]) => {
        if (records.some((r) => r.value.price === 13)) throw new ValidationError('price 13 violates a constraint');
        written.push(...records.map((r) => r.value.price));
      },
    });
    const runner = new StageRunner(sink, s.runtime, {
      groupId: uniqueName('g'),
      ticks: false,
      retry: fastRetry,
      maxBatchSize: 10,
    });
    runners.push(runner);
    const dlq = await s.collect(`${s.input.name}.dlq`);
    await s.bus.produce(
      s.input.name,
      await Promise.all(
        [12, 13, 14].map(async (p) => ({
          key: 'BTC/USD',
          value: await s.codec.encode(s.input.name, 'Trade', s.trade('BTC/USD', p)),
        })),
      ),
    );
    await runner.start();
    await waitFor(() => written.length === 2 && dlq.length === 1, 'the good records and the dead letter');
    expect(written).toEqual([12, 14]);
    expect(dlq[0]!.headers[DeadLetterHeaders.MESSAGE]).toMatch(/price 13/);
  });
});

function batchedRunningSum(s: ReturnType<typeof setup>, calls: number[], failOnce = { armed: false }) {
  return defineStage<Trade, { sum: number }>({
    name: 'predictor',
    description: 'running sum per symbol, a batch at a time',
    inputs: [s.input],
    outputs: [s.output],
    state: { initial: () => ({ sum: 0 }) },
    handleBatch: async (records, ctx) => {
      calls.push(records.length);
      const out = records.map((r) => {
        const st = ctx.state(r);
        st.sum += r.value.price;
        return emit(s.output, { ...r.value, symbol: ctx.keyOf(r), price: st.sum });
      });
      if (failOnce.armed) {
        failOnce.armed = false;
        throw new Error('injected: inference failed after the states changed');
      }
      return out;
    },
  });
}

describe('StageRunner with keyed handleBatch (batched inference)', () => {
  it('hands a whole partition batch to one call, with state per key in offset order', async () => {
    const s = setup(1);
    const calls: number[] = [];
    const runner = new StageRunner(batchedRunningSum(s, calls), s.runtime, {
      groupId: uniqueName('g'),
      changelog: s.changelog,
      ticks: false,
      maxBatchSize: 10,
    });
    runners.push(runner);
    const out = await s.collect(s.output.name);
    await s.bus.produce(
      s.input.name,
      await Promise.all(
        [
          ['BTC/USD', 1],
          ['ETH/USD', 10],
          ['BTC/USD', 2],
          ['ETH/USD', 20],
        ].map(async ([sym, p]) => ({
          key: sym as string,
          value: await s.codec.encode(s.input.name, 'Trade', s.trade(sym as string, p as number)),
        })),
      ),
    );
    await runner.start();
    await waitFor(() => out.length === 4, 'outputs');
    expect(calls).toEqual([4]);
    expect(Object.fromEntries(await sums(s, out))).toEqual({ 'BTC/USD': [1, 3], 'ETH/USD': [10, 30] });
  });

  it('rolls the states of a failed attempt back, so the retry does not count records twice', async () => {
    const s = setup(1);
    const calls: number[] = [];
    const failOnce = { armed: false };
    const runner = new StageRunner(batchedRunningSum(s, calls, failOnce), s.runtime, {
      groupId: uniqueName('g'),
      changelog: s.changelog,
      ticks: false,
      retry: fastRetry,
    });
    runners.push(runner);
    await runner.start();
    const out = await s.collect(s.output.name);
    await s.send([s.trade('BTC/USD', 1)]);
    await waitFor(() => out.length === 1, 'first output');
    failOnce.armed = true;
    await s.send([s.trade('BTC/USD', 2)]);
    await waitFor(() => out.length === 2, 'the output after the retry');
    expect(calls).toEqual([1, 1, 1]);
    expect((await sums(s, out)).get('BTC/USD')).toEqual([1, 3]);
  });
});

function holdUntilTick(s: ReturnType<typeof setup>, intervalMs = 20) {
  return defineStage<Trade, { pending: Trade | null }>({
    name: 'trade-to-ohlc',
    description: 'holds the last trade of each symbol until a tick sends it',
    inputs: [s.input],
    outputs: [s.output],
    state: { initial: () => ({ pending: null }) },
    handle: (r, ctx) => {
      ctx.state.pending = r.value;
    },
    tick: {
      intervalMs,
      run: (ctx) => {
        const out = [];
        for (const key of ctx.keys()) {
          const st = ctx.state(key);
          if (!st.pending) continue; // nothing to send: the state stays as it is, unreported
          out.push(emit(s.output, st.pending));
          ctx.setState(key, { pending: null });
        }
        return out;
      },
    },
  });
}

describe('StageRunner state writes', () => {
  it('writes the keys a tick reported changed, and nothing for a tick that changed nothing', async () => {
    const s = setup(2);
    await s.bus.ensureTopics([s.input, s.output, s.changelog]);
    const groupId = uniqueName('g');
    const options = { groupId, changelog: s.changelog, ticks: false };
    const runner = new StageRunner(holdUntilTick(s), s.runtime, options);
    runners.push(runner);
    await runner.start();
    const out = await s.collect(s.output.name);
    const written = () => s.bus.produced.get(s.changelog.name) ?? 0;
    const symbols = ['BTC/USD', 'ETH/USD', 'SOL/USD'];
    await s.send(symbols.map((sym, i) => s.trade(sym, i + 1)));
    await waitFor(() => written() === 3, 'the state of each handled record');
    await runner.runTick();
    expect(out).toHaveLength(3);
    expect(written()).toBe(6); // all three held a trade

    await s.send([s.trade('ETH/USD', 10)]);
    await waitFor(() => written() === 7, "the handled record's state");
    await runner.runTick();
    expect(out).toHaveLength(4);
    expect(written()).toBe(8); // one key changed: one changelog record

    await runner.runTick();
    expect(written()).toBe(8); // nothing changed: nothing written
    const metric = await s.metrics.registry.getSingleMetric('cf_state_writes_total')!.get();
    expect(metric.values.find((v) => v.labels.stage === 'trade-to-ohlc')?.value).toBe(8);

    // What was written is what a restarted worker finds: nothing pending, so its tick sends nothing again.
    await runner.stop();
    const second = new StageRunner(holdUntilTick(s), s.runtime, options);
    runners.push(second);
    await second.start();
    await second.runTick();
    expect(out).toHaveLength(4);
    expect(written()).toBe(8);
  });

  it('a flush writes only the keys it reported', async () => {
    const s = setup(1);
    const stage = defineStage<Trade, { pending: Trade | null }>({
      ...holdUntilTick(s),
      tick: undefined,
      flush: (ctx) => {
        const st = ctx.state('BTC/USD');
        const out = st.pending ? [emit(s.output, st.pending)] : [];
        ctx.setState('BTC/USD', { pending: null });
        return out;
      },
    });
    const runner = new StageRunner(stage, s.runtime, { groupId: uniqueName('g'), changelog: s.changelog });
    runners.push(runner);
    await runner.start();
    const written = () => s.bus.produced.get(s.changelog.name) ?? 0;
    await s.send([s.trade('BTC/USD', 1), s.trade('ETH/USD', 2)]);
    await waitFor(() => written() === 2, 'the state of each handled record');
    await runner.flush();
    expect(written()).toBe(3);
  });
});

describe('StageRunner ticks', () => {
  it('lets a stage emit from state on the wall clock, between batches', async () => {
    const s = setup(1);
    const stage = defineStage<Trade, { pending: Trade | null }>({
      name: 'trade-to-ohlc',
      description: 'holds the last trade until a tick',
      inputs: [s.input],
      outputs: [s.output],
      state: { initial: () => ({ pending: null }) },
      handle: (r, ctx) => {
        ctx.state.pending = r.value;
      },
      tick: {
        intervalMs: 20,
        run: (ctx) => {
          const out = [];
          for (const key of ctx.keys()) {
            const st = ctx.state(key);
            if (st.pending) out.push(emit(s.output, st.pending));
            ctx.setState(key, { pending: null });
          }
          return out;
        },
      },
    });
    const runner = new StageRunner(stage, s.runtime, { groupId: uniqueName('g'), changelog: s.changelog });
    runners.push(runner);
    await runner.start();
    const out = await s.collect(s.output.name);
    await s.send([s.trade('BTC/USD', 5)]);
    await waitFor(() => out.length === 1, 'the ticked output');
    await new Promise((r) => setTimeout(r, 100));
    expect(out.length).toBe(1);
  });
});

describe('a stage emitting to a topic it did not declare', () => {
  it('fails for good, naming the stage and the topic: not ready, nothing produced, nothing committed', async () => {
    const stray = defineStage({
      name: 'indicators',
      description: 'emits a prediction it never declared',
      inputs: [topics.candles],
      outputs: [topics.features],
      handle: (r) => [emit(topics.predictionErrors, r.value as never)],
    });
    const run = await new StageUnderTest(stray).start();
    try {
      const candle = {
        symbol: 'BTC/USD',
        timeframe: '1m',
        start: 0,
        end: 60_000,
        open: 1,
        high: 1,
        low: 1,
        close: 1,
        volume: 1,
        quoteVolume: null,
        vwap: null,
        trades: null,
        buyVolume: null,
        final: true,
      };
      await expect(run.send([input(topics.candles, candle)])).rejects.toThrow(
        'stage indicators emitted to topic prediction-errors, which it does not declare in its outputs (features)',
      );
      expect(run.failure).toMatchObject({ code: 'CF_ERR_STAGE_DEFINITION' });
      expect(run.ready()).toBe(false);
      expect(run.outputs).toEqual([]);
      expect(run.deadLetters).toEqual([]);
    } finally {
      await run.close();
    }
  });
});
