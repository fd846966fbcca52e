import type { Bus, BusRecord, Subscription, TopicPartition } from '../bus/bus.ts';
import { MemoryBus } from '../bus/memory-bus.ts';
import { partitionForKey } from '../bus/partitioner.ts';
import { silentLogger } from '../log.ts';
import { createRegistry, StageMetrics } from '../metrics/stage-metrics.ts';
import type { RetryPolicy } from '../retry.ts';
import { createLocalRegistryCodec } from '../serde/local-registry-codec.ts';
import type { AnyStage } from '../stage/define-stage.ts';
import { DeadLetterHeaders, StageRunner } from '../stage/index.ts';
import {
  allTopicSettings,
  changelogOf,
  deadLetterTopic,
  joinFields,
  type ChangelogSpec,
  type TopicSpec,
} from '../../schemas/topics.ts';
import type { Records } from '../../schemas/types.ts';
import type { RecordName } from '../../schemas/records.ts';
import { waitFor } from './wait-for.ts';

// Runs a stage the way a worker does (encode -> embedded bus -> decode -> validate -> handle -> encode -> produce ->
// changelog -> commit), without a broker: stage tests give typed inputs and read back the decoded outputs, the dead
// letters with their reasons, and the keyed state as the changelog holds it. Like Temporal's
// MockActivityEnvironment, but over the real runtime rather than a stand-in for it.

/** A record to feed: a typed value of a catalogue topic, or raw bytes (undecodable input). */
export type StageInput =
  | { topic: TopicSpec; value: object; headers?: Record<string, string> }
  | { topic: TopicSpec; bytes: Buffer; key?: string; partition?: number };

export function input<R extends RecordName>(
  topic: TopicSpec<R>,
  value: Records[R],
  headers?: Record<string, string>,
): StageInput {
  return headers ? { topic, value, headers } : { topic, value };
}

export interface StageOutput {
  topic: string;
  key: string | null;
  partition: number;
  value: unknown;
  headers: Record<string, string>;
}

export interface DeadLetter {
  /** The input topic the record came from. */
  topic: string;
  code: string;
  reason: string;
  message: string;
  offset: number;
  bytes: Buffer;
}

export interface RunStageOptions<S> {
  /** The runtime's wall clock (ticks, lateness, readiness). @defaultValue Date.now */
  now?: () => number;
  /** State per partition key before the first record, as if restored from the changelog. */
  state?: Record<string, S>;
  /** Records per batch. @defaultValue 500 */
  maxBatchSize?: number;
  retry?: RetryPolicy;
}

const fastRetry: RetryPolicy = { initialMs: 1, multiplier: 2, maxMs: 10, jitter: 0, retries: 3 };

/** A stage running on its own embedded bus: feed it, tick it, flush it, restart it, read what it did. */
export class StageUnderTest<S = unknown> {
  readonly outputs: StageOutput[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private runner: StageRunner;
  private readonly stageMetrics = new StageMetrics(createRegistry({ defaultMetrics: false }));
  private readonly bus = new MemoryBus();
  private readonly codec = createLocalRegistryCodec();
  private readonly committed = new Map<string, number>();
  private readonly produced = new Map<string, number>();
  private collector: Subscription | undefined;
  /** Set when the stage failed for good (the worker would exit): send() then rejects with it. */
  failure: Error | undefined;
  private readonly changelog: ChangelogSpec | undefined;

  constructor(
    public stage: AnyStage,
    private readonly options: RunStageOptions<S> = {},
  ) {
    this.changelog = stage.state ? changelogOf(stage.name) : undefined;
    this.runner = this.newRunner();
  }

  async start(): Promise<this> {
    await this.bus.ensureTopics(allTopicSettings());
    if (this.options.state && this.changelog) {
      const spec = this.changelog;
      await this.bus.produce(
        spec.name,
        Object.entries(this.options.state).map(([key, s]) => ({
          key,
          partition: partitionForKey(key, spec.partitions),
          value: Buffer.from(JSON.stringify({ s, o: {} })),
        })),
      );
    }
    const outputs = [
      ...this.stage.outputs.map((t) => t.name),
      ...this.stage.inputs.map((t) => deadLetterTopic(t.name)),
    ];
    this.collector = await this.bus.subscribe({
      groupId: 'run-stage-collector',
      topics: outputs,
      onBatch: async (batch) => {
        for (const r of batch.records) await this.collect(r);
      },
    });
    await this.runner.start();
    return this;
  }

  /** Feeds records (in order) and waits until the stage has committed all of them and its outputs are collected. */
  async send(inputs: readonly StageInput[]): Promise<void> {
    for (const i of inputs) {
      let message;
      if ('bytes' in i) {
        message = { key: i.key ?? null, partition: i.partition ?? 0, value: i.bytes };
      } else {
        const record = i.value as Record<string, unknown>;
        message = {
          key: joinFields(record, i.topic.key),
          partition: partitionForKey(joinFields(record, i.topic.partitionKey), i.topic.partitions),
          value: await this.codec.encode(i.topic.name, i.topic.schema, i.value as never),
          ...(i.headers ? { headers: i.headers } : {}),
        };
      }
      await this.bus.produce(i.topic.name, [message]);
      const tp = `${i.topic.name}:${message.partition}`;
      this.produced.set(tp, (this.produced.get(tp) ?? 0) + 1);
    }
    await this.settle();
  }

  /** Runs the stage's wall-clock tick once (at options.now). */
  async tick(): Promise<void> {
    await this.runner.runTick();
    await this.settle();
  }

  /** End of a bounded input: the stage closes what it holds open. */
  async flush(): Promise<void> {
    await this.runner.flush();
    await this.settle();
  }

  /**
   * Stops the stage and starts a new runner on the same bus, optionally of a fresh instance of the stage (its
   * process-local memory gone, as after a real restart): state comes back from the changelog.
   */
  async restart(stage: AnyStage = this.stage): Promise<void> {
    await this.runner.stop();
    this.stage = stage;
    this.runner = this.newRunner();
    await this.runner.start();
    await this.settle();
  }

  /** Keyed state per partition key, as the changelog holds it (what a restarted worker would restore). */
  async state(): Promise<Map<string, S>> {
    const states = new Map<string, S>();
    if (!this.changelog) return states;
    for (let partition = 0; partition < this.changelog.partitions; partition++) {
      await this.bus.readPartition({ topic: this.changelog.name, partition }, (r) => {
        if (r.key === null) return;
        if (r.value.length === 0) states.delete(r.key);
        else states.set(r.key, (JSON.parse(r.value.toString('utf8')) as { s: S }).s);
      });
    }
    return states;
  }

  /** Values of one output topic, in the order they were produced per partition. */
  values<T = unknown>(topic: TopicSpec): T[] {
    return this.outputs.filter((o) => o.topic === topic.name).map((o) => o.value as T);
  }

  ready(): boolean {
    return this.runner.ready();
  }

  /** Failed attempts the runner retried (all kinds of error). */
  async retries(): Promise<number> {
    return (await this.stageMetrics.retries.get()).values.reduce((n, v) => n + v.value, 0);
  }

  async close(): Promise<void> {
    await this.runner.stop();
    await this.collector?.close();
    await this.bus.close();
  }

  private newRunner(): StageRunner {
    const tracked = trackCommits(this.bus, (tp, offset) => this.committed.set(`${tp.topic}:${tp.partition}`, offset));
    return new StageRunner(
      this.stage,
      {
        bus: tracked,
        codec: this.codec,
        metrics: this.stageMetrics,
        log: silentLogger,
        onFatal: (err) => (this.failure ??= err),
        ...(this.options.now ? { now: this.options.now } : {}),
      },
      {
        groupId: `run-stage.${this.stage.name}`,
        ticks: false,
        maxBatchSize: this.options.maxBatchSize ?? 500,
        retry: this.options.retry ?? fastRetry,
        readyMaxLag: Number.MAX_SAFE_INTEGER,
      },
    );
  }

  private async settle(): Promise<void> {
    await waitFor(
      () => {
        if (this.failure) throw this.failure;
        return [...this.produced].every(([tp, n]) => (this.committed.get(tp) ?? 0) >= n);
      },
      `${this.stage.name} to commit its inputs`,
      20_000,
      2,
    );
    // Outputs are produced before the commit; give the collector the same chance to read them.
    const ends = await Promise.all(
      [...this.stage.outputs, ...this.stage.inputs.map((t) => ({ ...t, name: deadLetterTopic(t.name) }))].map(
        async (t) => ({ topic: t.name, count: await this.bus.partitionCount(t.name) }),
      ),
    );
    await waitFor(
      () => ends.every(({ topic, count }) => this.collectedUpTo(topic, count)),
      'outputs to be collected',
      20_000,
      2,
    );
  }

  private readonly seen = new Map<string, number>();

  private collectedUpTo(topic: string, partitions: number): boolean {
    for (let p = 0; p < partitions; p++) {
      if ((this.seen.get(`${topic}:${p}`) ?? 0) < this.bus.topic(topic).partitions[p]!.nextOffset) return false;
    }
    return true;
  }

  private async collect(r: BusRecord): Promise<void> {
    this.seen.set(`${r.topic}:${r.partition}`, r.offset + 1);
    if (r.topic.endsWith('.dlq')) {
      this.deadLetters.push({
        topic: r.headers[DeadLetterHeaders.TOPIC] ?? '',
        code: r.headers[DeadLetterHeaders.CODE] ?? '',
        reason: r.headers[DeadLetterHeaders.REASON] ?? '',
        message: r.headers[DeadLetterHeaders.MESSAGE] ?? '',
        offset: Number(r.headers[DeadLetterHeaders.OFFSET]),
        bytes: r.value,
      });
      return;
    }
    const value = await this.codec.decode(r.topic, r.value);
    this.outputs.push({ topic: r.topic, key: r.key, partition: r.partition, value, headers: r.headers });
  }
}

/** A bus whose subscriptions report each commit: how the harness knows the stage is done with its inputs. */
function trackCommits(bus: Bus, onCommit: (tp: TopicPartition, offset: number) => void): Bus {
  return new Proxy(bus, {
    get(target, prop, receiver) {
      if (prop !== 'subscribe') {
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: Parameters<Bus['subscribe']>) => {
        const sub = await target.subscribe(...args);
        return new Proxy(sub, {
          get(s, p, r) {
            if (p === 'commit') {
              return async (offsets: Parameters<Subscription['commit']>[0]) => {
                await s.commit(offsets);
                for (const o of offsets) onCommit(o, o.offset);
              };
            }
            const value = Reflect.get(s, p, r) as unknown;
            return typeof value === 'function' ? value.bind(s) : value;
          },
        });
      };
    },
  });
}

export interface StageRunResult<S> {
  outputs: StageOutput[];
  deadLetters: DeadLetter[];
  state: Map<string, S>;
}

/**
 * Feeds `inputs` through `stage` on the real runner and returns its outputs (decoded), dead letters (with the reason
 * headers) and final keyed state. `flush: true` ends the input as a file replay does.
 */
export async function runStage<S = unknown>(
  stage: AnyStage,
  inputs: readonly StageInput[],
  options: RunStageOptions<S> & { flush?: boolean } = {},
): Promise<StageRunResult<S>> {
  const run = await new StageUnderTest<S>(stage, options).start();
  try {
    await run.send(inputs);
    if (options.flush) await run.flush();
    return { outputs: run.outputs, deadLetters: run.deadLetters, state: await run.state() };
  } finally {
    await run.close();
  }
}
