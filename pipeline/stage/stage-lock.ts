/**
 * Runs async sections one at a time. A stage's batches (one per partition) and its wall-clock ticks share
 * keyed state and the changelog; running them in turn keeps each batch's state, outputs and commit consistent.
 */
export class StageLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
