import type { Registry } from 'prom-client';
import { allTopicSettings } from '../../schemas/topics.ts';
import type { Bus } from '../bus/bus.ts';
import { ShutdownTimeoutError } from '../errors.ts';
import type { ReadinessCheck } from '../http/health-routes.ts';
import type { Logger } from '../log.ts';
import { StageMetrics } from '../metrics/stage-metrics.ts';
import type { Codec } from '../serde/codec.ts';
import type { AnyStage, SourceDefinition } from '../stage/define-stage.ts';
import { SourceRunner, StageRunner, type StageRunOptions } from '../stage/index.ts';

export type Unit = AnyStage | SourceDefinition;

export function isSource(unit: Unit): unit is SourceDefinition {
  return typeof (unit as SourceDefinition).run === 'function' && !('inputs' in unit);
}

export interface WorkerParts {
  bus: Bus;
  codec: Codec;
  registry: Registry;
  log: Logger;
  now?: () => number;
  /** Replication factor for the topics start() creates; default: the catalogue's. */
  topicReplicas?: number;
}

/** A set of stages and sources sharing one bus: one stage for `run <stage>`, all of them for `dev`. */
export class Worker {
  readonly stages: StageRunner[];
  readonly sources: SourceRunner[];
  private readonly extraChecks: ReadinessCheck[] = [];

  constructor(
    private readonly parts: WorkerParts,
    units: readonly Unit[],
    options: StageRunOptions = {},
  ) {
    const runtime = { ...parts, metrics: new StageMetrics(parts.registry) };
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
    await this.parts.bus.ensureTopics(allTopicSettings().map((t) => (replicas ? { ...t, replicas } : t)));
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
    for (const runner of this.sources) await runner.stop();
    for (const runner of this.stages) await runner.stop();
    await this.parts.bus.close();
  }
}
