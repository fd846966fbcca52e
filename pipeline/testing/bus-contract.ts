import { afterEach, describe, expect, it } from 'vitest';
import { topics, type ChangelogSpec, type TopicSpec } from '../../schemas/topics.ts';
import type { Trade } from '../../schemas/types.ts';
import type { Bus, BusRecord, RecordBatch, Subscription, TopicSettings } from '../bus/bus.ts';
import { partitionForKey } from '../bus/partitioner.ts';
import { ValidationError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { createRegistry, StageMetrics } from '../metrics/stage-metrics.ts';
import { createLocalRegistryCodec } from '../serde/local-registry-codec.ts';
import type { Codec } from '../serde/codec.ts';
import { defineStage, emit } from '../stage/define-stage.ts';
import { DeadLetterHeaders, StageRunner } from '../stage/index.ts';
import { uniqueName } from './unique-name.ts';
import { waitFor } from './wait-for.ts';

// The Bus contract, written once and run against every adapter (memory-bus.test.ts, test/kafka/*.test.ts).
// It covers what the runtime and users depend on: partitioning, ordering, groups and rebalances, commits and
// redelivery, flow control, and — through the stage runner — dead letters, drain and state restore.

export interface BusFixture {
  /** A bus connected to the broker under test; closed by the suite. */
  createBus(): Promise<Bus>;
  /** Makes topics exist with these partitions, ready to be written (on Kafka: created, and served by their leaders). */
  createTopics(topics: readonly TopicSettings[]): Promise<void>;
  /** A codec for runner tests. @defaultValue createLocalRegistryCodec() */
  createCodec?(): Promise<Codec>;
}

const enc = (s: string) => Buffer.from(s);

export function busContract(name: string, fixture: BusFixture, timeoutMs = 15_000): void {
  describe(`Bus contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
      cleanups.length = 0;
    });

    async function bus(): Promise<Bus> {
      const b = await fixture.createBus();
      cleanups.push(() => b.close());
      return b;
    }
    async function topic(partitions: number): Promise<string> {
      const t = uniqueName('contract');
      await fixture.createTopics([{ name: t, partitions }]);
      return t;
    }
    async function consume(
      b: Bus,
      t: string,
      groupId: string,
      onRecord: (r: BusRecord, sub: Subscription) => void | Promise<void>,
      opts: { commit?: boolean; maxBatchSize?: number } = {},
    ): Promise<Subscription> {
      const sub = await b.subscribe({
        groupId,
        topics: [t],
        maxBatchSize: opts.maxBatchSize,
        onBatch: async (batch: RecordBatch) => {
          for (const r of batch.records) await onRecord(r, sub!);
          if (opts.commit ?? true) {
            await sub!.commit([{ topic: t, partition: batch.partition, offset: batch.records.at(-1)!.offset + 1 }]);
          }
        },
      });
      cleanups.push(() => sub!.close());
      return sub;
    }

    it(
      'partitions keyed messages with murmur2 like kafkajs, and keeps order per partition',
      async () => {
        const b = await bus();
        const t = await topic(4);
        const keys = Array.from({ length: 20 }, (_, i) => `BTC/USD|${i}`);
        const messages = keys.flatMap((key) => [0, 1, 2].map((seq) => ({ key, value: enc(`${key}#${seq}`) })));
        await b.produce(t, messages);
        const seen: BusRecord[] = [];
        await consume(b, t, uniqueName('g'), (r) => void seen.push(r));
        await waitFor(() => seen.length === messages.length, 'all records', timeoutMs);
        for (const r of seen) expect(r.partition).toBe(partitionForKey(r.key!, 4));
        for (const key of keys) {
          const mine = seen.filter((r) => r.key === key);
          expect(mine.map((r) => r.value.toString())).toEqual([0, 1, 2].map((s) => `${key}#${s}`));
          const offsets = mine.map((r) => r.offset);
          expect([...offsets].sort((a, c) => a - c)).toEqual(offsets);
        }
      },
      timeoutMs * 2,
    );

    it(
      'honours an explicit partition and keeps headers',
      async () => {
        const b = await bus();
        const t = await topic(3);
        await b.produce(t, [{ key: 'k', partition: 2, value: enc('v'), headers: { traceparent: 'x', n: '1' } }]);
        const seen: BusRecord[] = [];
        await consume(b, t, uniqueName('g'), (r) => void seen.push(r));
        await waitFor(() => seen.length === 1, 'the record', timeoutMs);
        expect(seen[0]!.partition).toBe(2);
        expect(seen[0]!.headers).toMatchObject({ traceparent: 'x', n: '1' });
      },
      timeoutMs * 2,
    );

    it(
      'resumes a group after its committed offset and redelivers what was not committed',
      async () => {
        const b = await bus();
        const t = await topic(1);
        const groupId = uniqueName('g');
        await b.produce(
          t,
          Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: enc(String(i)) })),
        );
        // First member: commits only the first 4 records, then stops.
        const first: number[] = [];
        const sub1 = await b.subscribe({
          groupId,
          topics: [t],
          maxBatchSize: 4,
          onBatch: async (batch) => {
            for (const r of batch.records) first.push(Number(r.value.toString()));
            if (batch.records[0]!.offset === 0) await sub1Ref.sub!.commit([{ topic: t, partition: 0, offset: 4 }]);
          },
        });
        const sub1Ref = { sub: sub1 as Subscription | undefined };
        await waitFor(() => first.length >= 10, 'first member to read everything', timeoutMs);
        await sub1.close();
        // Second member of the same group: starts at offset 4, so 4..9 come again.
        const second: number[] = [];
        await consume(b, t, groupId, (r) => void second.push(Number(r.value.toString())));
        await waitFor(() => second.length >= 6, 'redelivery', timeoutMs);
        expect(second).toEqual([4, 5, 6, 7, 8, 9]);
        expect(first.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      },
      timeoutMs * 3,
    );

    it(
      'splits partitions across a group, rebalances on join and leave, and loses nothing',
      async () => {
        const b = await bus();
        const t = await topic(4);
        const groupId = uniqueName('g');
        const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
        const seenBy = new Map<string, Map<string, number[]>>();
        const record = (member: string) => (r: BusRecord) => {
          const perKey = seenBy.get(member) ?? new Map<string, number[]>();
          seenBy.set(member, perKey);
          const list = perKey.get(r.key!) ?? [];
          list.push(Number(r.value.toString()));
          perKey.set(r.key!, list);
        };
        const sub1 = await consume(b, t, groupId, record('a'));
        let seq = 0;
        const produceRound = async () => {
          const n = seq++;
          await b.produce(
            t,
            keys.map((key) => ({ key, value: enc(String(n)) })),
          );
        };
        for (let i = 0; i < 5; i++) await produceRound();
        const sub2 = await consume(b, t, groupId, record('b'));
        await waitFor(
          () => sub1.assignment().length === 2 && sub2.assignment().length === 2,
          'an even split',
          timeoutMs,
        );
        for (let i = 0; i < 5; i++) await produceRound();
        await sub2.close();
        await waitFor(() => sub1.assignment().length === 4, 'member a to own all partitions', timeoutMs);
        for (let i = 0; i < 5; i++) await produceRound();
        await waitFor(
          () => {
            for (const key of keys) {
              const all = new Set([...seenBy.values()].flatMap((m) => m.get(key) ?? []));
              if (all.size < seq) return false;
            }
            return true;
          },
          'every record of every key',
          timeoutMs * 2,
        );
        // Per member, each key's values only move forward, except where a rebalance redelivers from a commit.
        for (const perKey of seenBy.values()) {
          for (const values of perKey.values()) {
            const distinct = values.filter((v, i) => values.indexOf(v) === i);
            expect(distinct).toEqual([...distinct].sort((x, y) => x - y));
          }
        }
      },
      timeoutMs * 4,
    );

    it(
      'gives partition p of every subscribed topic to the same member (co-partitioned joins keep their state)',
      async () => {
        const b = await bus();
        const [left, right] = [await topic(4), await topic(4)];
        const groupId = uniqueName('g');
        const subs: Subscription[] = [];
        for (let i = 0; i < 3; i++) {
          const sub = await b.subscribe({ groupId, topics: [left, right], onBatch: async () => undefined });
          cleanups.push(() => sub.close());
          subs.push(sub);
        }
        await waitFor(
          () =>
            subs.reduce((n, s) => n + s.assignment().length, 0) === 8 && subs.every((s) => s.assignment().length > 0),
          'all 8 partitions assigned',
          timeoutMs * 2,
        );
        for (const sub of subs) {
          const byTopic = (t: string) =>
            sub
              .assignment()
              .filter((tp) => tp.topic === t)
              .map((tp) => tp.partition)
              .sort();
          expect(byTopic(left)).toEqual(byTopic(right));
        }
      },
      timeoutMs * 4,
    );

    it(
      'refuses a commit for a partition the member no longer owns',
      async () => {
        const b = await bus();
        const t = await topic(2);
        const groupId = uniqueName('g');
        const sub1 = await consume(b, t, groupId, () => undefined, { commit: false });
        await waitFor(() => sub1.assignment().length === 2, 'member a to own both partitions', timeoutMs);
        const sub2 = await consume(b, t, groupId, () => undefined, { commit: false });
        await waitFor(
          () => sub1.assignment().length === 1 && sub2.assignment().length === 1,
          'an even split',
          timeoutMs,
        );
        const lost = [0, 1].find((p) => !sub1.assignment().some((tp) => tp.partition === p))!;
        await sub1.commit([{ topic: t, partition: lost, offset: 5 }]).catch(() => undefined);
        expect(await sub2.committed({ topic: t, partition: lost })).toBeNull();
      },
      timeoutMs * 3,
    );

    it(
      'delivers one batch at a time per partition, no larger than maxBatchSize',
      async () => {
        const b = await bus();
        const t = await topic(1);
        await b.produce(
          t,
          Array.from({ length: 50 }, (_, i) => ({ key: 'k', value: enc(String(i)) })),
        );
        let inFlight = 0;
        let maxInFlight = 0;
        let maxSize = 0;
        let total = 0;
        const sub = await b.subscribe({
          groupId: uniqueName('g'),
          topics: [t],
          maxBatchSize: 7,
          onBatch: async (batch) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            maxSize = Math.max(maxSize, batch.records.length);
            await new Promise((r) => setTimeout(r, 5));
            total += batch.records.length;
            await sub!.commit([{ topic: t, partition: 0, offset: batch.records.at(-1)!.offset + 1 }]);
            inFlight--;
          },
        });
        cleanups.push(() => sub!.close());
        await waitFor(() => total === 50, 'all records', timeoutMs);
        expect(maxInFlight).toBe(1);
        expect(maxSize).toBeLessThanOrEqual(7);
      },
      timeoutMs * 2,
    );

    it(
      'pauses and resumes consumption',
      async () => {
        const b = await bus();
        const t = await topic(1);
        const seen: number[] = [];
        const sub = await consume(b, t, uniqueName('g'), (r) => void seen.push(Number(r.value.toString())));
        await waitFor(() => sub.assignment().length === 1, 'assignment', timeoutMs);
        sub.pause();
        await b.produce(t, [{ key: 'k', value: enc('1') }]);
        await new Promise((r) => setTimeout(r, 300));
        expect(seen).toEqual([]);
        sub.resume();
        await waitFor(() => seen.length === 1, 'the record after resume', timeoutMs);
      },
      timeoutMs * 2,
    );

    it(
      'reads a partition from its start for state restore',
      async () => {
        const b = await bus();
        const t = await topic(2);
        await b.produce(
          t,
          [0, 1, 2].map((i) => ({ key: `k${i}`, partition: 1, value: enc(String(i)) })),
        );
        const read: string[] = [];
        await b.readPartition({ topic: t, partition: 1 }, (r) => read.push(r.value.toString()));
        expect(read).toEqual(['0', '1', '2']);
        expect(await b.partitionCount(t)).toBe(2);
      },
      timeoutMs * 2,
    );

    // --- the same contract seen through the stage runner ---

    async function runnerSetup(partitions = 2) {
      const b = await bus();
      const codec = fixture.createCodec ? await fixture.createCodec() : createLocalRegistryCodec();
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
      await fixture.createTopics([
        { name: input.name, partitions },
        { name: output.name, partitions },
        { name: `${input.name}.dlq`, partitions: 1 },
        { name: changelog.name, partitions, cleanupPolicy: 'compact' },
      ]);
      const metrics = new StageMetrics(createRegistry({ defaultMetrics: false }));
      const runtime = { bus: b, codec, metrics, log: silentLogger };
      const trade = (symbol: string, price: number, timestamp = 1_561_939_200_000): Trade => ({
        exchange: 'test',
        symbol,
        tradeId: String(price),
        price,
        quantity: 1,
        side: 'buy',
        timestamp,
      });
      const send = async (trades: Trade[]) => {
        const messages = await Promise.all(
          trades.map(async (tr) => ({ key: tr.symbol, value: await codec.encode(input.name, 'Trade', tr) })),
        );
        await b.produce(input.name, messages);
      };
      const collect = async (topicName: string) => {
        const out: BusRecord[] = [];
        await consume(b, topicName, uniqueName('reader'), (r) => void out.push(r));
        return out;
      };
      return { b, codec, input, output, changelog, metrics, runtime, trade, send, collect };
    }

    it(
      'runner: dead-letters undecodable and invalid records with reasons, and carries on',
      async () => {
        const s = await runnerSetup(1);
        const stage = defineStage<Trade>({
          name: 'trade-to-ohlc',
          description: 'test',
          inputs: [s.input],
          outputs: [s.output],
          handle: (r) => {
            if (r.value.price === 13) throw new ValidationError('unlucky price');
            return [emit(s.output, r.value)];
          },
        });
        const runner = new StageRunner(stage, s.runtime, { groupId: uniqueName('g'), ticks: false });
        cleanups.push(() => runner.stop());
        await runner.start();
        await s.send([s.trade('BTC/USD', 1)]);
        await s.b.produce(s.input.name, [{ key: 'BTC/USD', value: Buffer.from([1, 2, 3, 4, 5, 6]) }]);
        await s.b.produce(s.input.name, [{ key: 'BTC/USD', value: Buffer.from([0, 0]) }]);
        await s.send([s.trade('BTC/USD', 13), s.trade('bad symbol', 5), s.trade('BTC/USD', 2)]);
        const out = await s.collect(s.output.name);
        const dlq = await s.collect(`${s.input.name}.dlq`);
        await waitFor(() => out.length === 2 && dlq.length === 4, 'outputs and dead letters', timeoutMs);
        const decoded = await Promise.all(out.map((r) => s.codec.decode(s.output.name, r.value)));
        expect(decoded.map((t) => (t as Trade).price)).toEqual([1, 2]);
        expect(dlq.map((r) => r.headers[DeadLetterHeaders.CODE])).toEqual([
          'CF_ERR_DECODE',
          'CF_ERR_DECODE',
          'CF_ERR_VALIDATION',
          'CF_ERR_VALIDATION',
        ]);
        expect(dlq[0]!.headers[DeadLetterHeaders.MESSAGE]).toMatch(/wrong-magic-byte: first byte 0x01/);
        expect(dlq[1]!.headers[DeadLetterHeaders.MESSAGE]).toMatch(/truncated/);
        expect(dlq[2]!.headers[DeadLetterHeaders.MESSAGE]).toMatch(/unlucky price/);
        expect(dlq[3]!.headers[DeadLetterHeaders.MESSAGE]).toMatch(/symbol "bad symbol" is not BASE\/QUOTE/);
        expect(dlq[0]!.value).toEqual(Buffer.from([1, 2, 3, 4, 5, 6]));
        expect(dlq[0]!.headers).toMatchObject({
          [DeadLetterHeaders.STAGE]: 'trade-to-ohlc',
          [DeadLetterHeaders.TOPIC]: s.input.name,
          [DeadLetterHeaders.PARTITION]: '0',
          [DeadLetterHeaders.OFFSET]: '1',
          [DeadLetterHeaders.REASON]: 'decode',
        });
        const dead = await s.metrics.deadLetters.get();
        expect(dead.values.reduce((n, v) => n + v.value, 0)).toBe(4);
      },
      timeoutMs * 3,
    );

    it(
      'runner: retries an unknown error with backoff, then dead-letters it; later records still flow',
      async () => {
        const s = await runnerSetup(1);
        let attempts = 0;
        const stage = defineStage<Trade>({
          name: 'trade-to-ohlc',
          description: 'test',
          inputs: [s.input],
          outputs: [s.output],
          handle: (r) => {
            if (r.value.price === 7) {
              attempts++;
              throw new Error('flaky dependency');
            }
            return [emit(s.output, r.value)];
          },
        });
        const runner = new StageRunner(stage, s.runtime, {
          groupId: uniqueName('g'),
          ticks: false,
          retry: { initialMs: 1, multiplier: 2, maxMs: 5, jitter: 0, retries: 3 },
        });
        cleanups.push(() => runner.stop());
        await runner.start();
        await s.send([s.trade('BTC/USD', 7), s.trade('BTC/USD', 8)]);
        const out = await s.collect(s.output.name);
        const dlq = await s.collect(`${s.input.name}.dlq`);
        await waitFor(() => out.length === 1 && dlq.length === 1, 'the output and the dead letter', timeoutMs);
        expect(attempts).toBe(4);
        expect(dlq[0]!.headers[DeadLetterHeaders.CODE]).toBe('CF_ERR_HANDLER');
        expect(dlq[0]!.headers[DeadLetterHeaders.MESSAGE]).toMatch(/failed 4 times: flaky dependency/);
      },
      timeoutMs * 3,
    );

    it(
      'runner: drains on stop (batch in flight finished and committed) and a restart continues after it',
      async () => {
        const s = await runnerSetup(1);
        const groupId = uniqueName('g');
        let release: () => void = () => undefined;
        const gate = new Promise<void>((r) => (release = r));
        let handled = 0;
        const stage = defineStage<Trade>({
          name: 'trade-to-ohlc',
          description: 'test',
          inputs: [s.input],
          outputs: [s.output],
          handle: async (r) => {
            handled++;
            if (handled === 1) await gate;
            return [emit(s.output, r.value)];
          },
        });
        const runner = new StageRunner(stage, s.runtime, { groupId, ticks: false, maxBatchSize: 3 });
        await runner.start();
        await s.send([1, 2, 3].map((p) => s.trade('BTC/USD', p)));
        await waitFor(() => handled === 1, 'the first record to be in flight', timeoutMs);
        const stopping = runner.stop();
        release();
        await stopping;
        expect(runner.state).toBe('STOPPED');
        const out = await s.collect(s.output.name);
        await waitFor(() => out.length === 3, 'the drained batch', timeoutMs);
        // A new runner in the same group continues after the committed batch: nothing is handled twice.
        await s.send([s.trade('BTC/USD', 4)]);
        handled = 10;
        const again = new StageRunner(stage, s.runtime, { groupId, ticks: false });
        cleanups.push(() => again.stop());
        await again.start();
        await waitFor(() => out.length === 4, 'the record after restart', timeoutMs);
        expect(handled).toBe(11);
      },
      timeoutMs * 3,
    );

    it(
      'runner: restores keyed state after a restart and gives the output an uninterrupted run gives',
      async () => {
        const s = await runnerSetup(2);
        const groupId = uniqueName('g');
        // A running sum of prices per symbol: any lost or doubled state shows in the sums.
        const stage = defineStage<Trade, { sum: number; count: number }>({
          name: 'trade-to-ohlc',
          description: 'test',
          inputs: [s.input],
          outputs: [s.output],
          state: { initial: () => ({ sum: 0, count: 0 }) },
          handle: (r, ctx) => {
            ctx.state.sum += r.value.price;
            ctx.state.count += 1;
            return [emit(s.output, { ...r.value, price: ctx.state.sum, tradeId: String(ctx.state.count) })];
          },
        });
        const symbols = ['BTC/USD', 'ETH/USD', 'SOL/USD', 'ADA/USD'];
        const round = (n: number) => symbols.map((sym, i) => s.trade(sym, n * 10 + i + 1));
        const run1 = new StageRunner(stage, s.runtime, { groupId, ticks: false, changelog: s.changelog });
        await run1.start();
        await s.send([...round(1), ...round(2)]);
        const out = await s.collect(s.output.name);
        await waitFor(() => out.length === 8, 'first outputs', timeoutMs);
        await run1.stop();
        await s.send([...round(3)]);
        const run2 = new StageRunner(stage, s.runtime, { groupId, ticks: false, changelog: s.changelog });
        cleanups.push(() => run2.stop());
        await run2.start();
        await waitFor(() => out.length === 12, 'outputs after restart', timeoutMs);
        const last = new Map<string, Trade>();
        for (const r of out) {
          const t = (await s.codec.decode(s.output.name, r.value)) as Trade;
          last.set(t.symbol, t);
        }
        symbols.forEach((sym, i) => {
          expect(last.get(sym)!.price).toBe(10 + i + 1 + 20 + i + 1 + 30 + i + 1);
          expect(last.get(sym)!.tradeId).toBe('3');
        });
      },
      timeoutMs * 3,
    );
  });
}
