import type { Registry } from 'prom-client';
import { allTopicSettings } from '../../schemas/topics.ts';
import type { Bus } from '../bus/bus.ts';
import { isFatal, ShutdownTimeoutError } from '../errors.ts';
import type { ReadinessCheck } from '../http/health-routes.ts';
import type { Logger } from '../log.ts';
import { retainedRecordsGauge, StageMetrics } from '../metrics/stage-metrics.ts';
import type { Codec } from '../serde/codec.ts';
import type { AnyStage } from '../stage/define-stage.ts';
import { SourceRunner, StageRunner, type StageRunOptions } from '../stage/index.ts';
import { isSource, type Unit } from '../stage/stage-entry.ts';
import { assertTopicsMatch, topicsUsed } from './topic-check.ts';

export { isSource, type Unit };

export interface WorkerParts {
  bus: Bus;
  codec: Codec;
  registry: Registry;
  log: Logger;
  now?: () => number;
  /** Replication factor for the topics start() creates; default: the catalogue's. */
  topicReplicas?: number;
  /** How often the topics are checked again while running (0: only at start). */
  topicCheckIntervalMs?: number;
}

/** A set of stages and sources sharing one bus: one stage for `run <stage>`, all of them for `dev`. */
export class Worker {
  readonly stages: StageRunner[];
  readonly sources: SourceRunner[];
  private readonly extraChecks: ReadinessCheck[] = [];
  private readonly fatalListeners: ((err: Error, stage: string) => void)[] = [];
  /** The first error that made a stage fail for good, if any. */
  failure: { err: Error; stage: string } | undefined;
  private topicWatch: NodeJS.Timeout | undefined;

  constructor(
    private readonly parts: WorkerParts,
    units: readonly Unit[],
    options: StageRunOptions = {},
  ) {
    const runtime = {
      ...parts,
      metrics: new StageMetrics(parts.registry),
      onFatal: (err: Error, stage: string) => this.fatal(err, stage),
    };
    const { bus } = parts;
    if (bus.retainedRecords) retainedRecordsGauge(parts.registry, () => bus.retainedRecords!());
    this.stages = units.filter((u): u is AnyStage => !isSource(u)).map((s) => new StageRunner(s, runtime, options));
    this.sources = units.filter(isSource).map((s) => new SourceRunner(s, runtime));
  }

  /** The bus and codec the stages use (tools and benchmarks feed records through them). */
  get bus(): Bus {
    return this.parts.bus;
  }

  get codec(): Codec {
    return this.parts.codec;
  }

  private fatal(err: Error, stage: string): void {
    this.failure ??= { err, stage };
    for (const listener of this.fatalListeners) listener(err, stage);
  }

  /** Called when a stage fails for good (the worker cannot work: it should stop and say so). */
  onFatal(listener: (err: Error, stage: string) => void): void {
    this.fatalListeners.push(listener);
    if (this.failure) listener(this.failure.err, this.failure.stage);
  }

  /** Adds a readiness check that is not a stage (the API's database, say). */
  addCheck(check: ReadinessCheck): void {
    this.extraChecks.push(check);
  }

  checks(): ReadinessCheck[] {
    return [
      ...this.stages.map((r) => ({ name: r.stage.name, ready: () => r.ready() })),
      ...this.sources.map((r) => ({ name: r.source.name, ready: () => r.ready() })),
      ...this.extraChecks,
    ];
  }

  ready(): boolean {
    return this.checks().every((c) => c.ready());
  }

  async start(): Promise<void> {
    const replicas = this.parts.topicReplicas;
    // Only the topics this worker uses: a stage's user (strimzi/users.yaml) may not even see the others.
    const used = new Set(
      topicsUsed(
        this.stages.map((r) => r.stage),
        this.sources.map((r) => r.source),
      ),
    );
    const expected = allTopicSettings()
      .filter((t) => used.has(t.name))
      .map((t) => (replicas ? { ...t, replicas } : t));
    await this.parts.bus.ensureTopics(expected);
    const check = async () =>
      assertTopicsMatch(expected, await this.parts.bus.describeTopics(expected.map((t) => t.name)));
    await check();
    // kafkajs retries a deleted topic's metadata forever: without a look of our own the worker would idle "ready".
    const every = this.parts.topicCheckIntervalMs ?? 0;
    if (every > 0) {
      this.topicWatch = setInterval(() => {
        check().catch((err: unknown) => {
          if (isFatal(err)) this.fatal(err, 'topics');
          else this.parts.log.warn({ err }, 'could not check topics');
        });
      }, every);
      this.topicWatch.unref();
    }
    // Consumers first, so the first records a source sends already have a reader.
    for (const runner of this.stages) await runner.start();
    for (const runner of this.sources) {
      await runner.start();
      runner.done.catch((err: unknown) =>
        this.parts.log.error({ err, stage: runner.source.name }, 'source stopped with an error'),
      );
    }
  }

  /** Graceful drain: sources stop reading, each stage finishes and commits its batch in flight, the bus closes. */
  async stop(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ShutdownTimeoutError(graceMs)), graceMs);
    });
    try {
      await Promise.race([this.drain(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async drain(): Promise<void> {
    clearInterval(this.topicWatch);
    for (const runner of this.sources) await runner.stop();
    for (const runner of this.stages) await runner.stop();
    await this.parts.bus.close();
  }
}
