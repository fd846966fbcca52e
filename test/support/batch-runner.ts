import type { BatchContext, CandleflowError, InputRecord, StageDefinition, StageLogger } from '../../pipeline/index.ts';
import { CandleflowError as BaseError } from '../../pipeline/index.ts';

// The part of the runner's contract the sink relies on, reproduced for its tests: a batch is retried with
// backoff while handleBatch throws a retriable error, offsets are committed only after it resolves, readiness
// and dead letters are recorded.

const silent: StageLogger = { debug() {}, info() {}, warn() {}, error() {} };

export class BatchHarness implements BatchContext {
  readonly readiness: boolean[] = [];
  readonly deadLetters: { record: InputRecord; error: CandleflowError }[] = [];
  readonly committed: number[] = [];
  failedAttempts = 0;
  log = silent;

  now(): number {
    return Date.now();
  }
  setReady(ready: boolean): void {
    if (this.readiness.at(-1) !== ready) this.readiness.push(ready);
  }
  deadLetter(record: InputRecord, error: CandleflowError): void {
    this.deadLetters.push({ record, error });
  }
  // The sink keeps no keyed state.
  state(): undefined {
    return undefined;
  }
  setState(): void {
    throw new Error('the sink keeps no keyed state');
  }
  keyOf(record: InputRecord): string {
    return record.key ?? '';
  }

  /** Runs one batch to completion as the runner would; `onFailure` sees each failed attempt (tests heal the outage there). */
  async run(
    stage: StageDefinition,
    records: readonly InputRecord[],
    onFailure: (err: unknown, attempt: number) => void | Promise<void> = () => {},
    maxAttempts = 50,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await stage.handleBatch!(records, this);
        this.committed.push(...records.map((r) => r.offset));
        return;
      } catch (err) {
        if (!(err instanceof BaseError) || !err.retriable || attempt >= maxAttempts) throw err;
        this.failedAttempts++;
        await onFailure(err, attempt);
        await new Promise((r) => setTimeout(r, Math.min(20 * 2 ** attempt, 500)));
      }
    }
  }
}
