import type { Logger } from '../log.ts';
import type { SourceDefinition } from './define-stage.ts';
import { encodeOutputs, produceOutputs } from './produce-outputs.ts';
import type { StageRuntime, StageState } from './stage-runtime.ts';

/** Runs a source stage: its records go out through the same encoding, keys, partitions and produce as a stage's. */
export class SourceRunner {
  state: StageState = 'INITIALIZED';
  private readonly abort = new AbortController();
  private running: Promise<void> = Promise.resolve();
  private sourceReady = false;
  private readonly log: Logger;

  constructor(
    readonly source: SourceDefinition,
    private readonly runtime: StageRuntime,
  ) {
    this.log = runtime.log.child({ stage: source.name });
  }

  ready(): boolean {
    return this.state === 'RUNNING' && this.sourceReady;
  }

  /** Resolves when the source has finished (bounded input) or was stopped. */
  get done(): Promise<void> {
    return this.running;
  }

  async start(): Promise<void> {
    this.state = 'RUNNING';
    const { bus, codec, metrics } = this.runtime;
    const name = this.source.name;
    this.running = this.source
      .run({
        signal: this.abort.signal,
        now: this.runtime.now ?? Date.now,
        log: this.log,
        setReady: (ready) => {
          this.sourceReady = ready;
          metrics.ready.set({ stage: name }, ready ? 1 : 0);
        },
        emit: async (outputs) => produceOutputs(bus, metrics, name, await encodeOutputs(codec, outputs, this.source)),
      })
      .then(
        () => this.log.info('source finished'),
        (err: unknown) => {
          if (this.abort.signal.aborted) return;
          this.log.error({ err }, 'source failed');
          throw err;
        },
      );
    this.log.info({ outputs: this.source.outputs.map((t) => t.name) }, 'source started');
  }

  async stop(): Promise<void> {
    if (this.state !== 'RUNNING') return;
    this.state = 'DRAINING';
    this.abort.abort();
    await this.running.catch(() => undefined);
    this.state = 'STOPPED';
  }
}
