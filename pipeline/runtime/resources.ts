/**
 * Shared, lazily created resources of one process (a database pool, the embedded Postgres, the model registry):
 * created once on first use by whichever stage needs it, closed once at shutdown in reverse order.
 */
export class Resources {
  private readonly created = new Map<string, Promise<unknown>>();
  private readonly closers: (() => Promise<void>)[] = [];

  get<T>(name: string, create: (onClose: (close: () => Promise<void>) => void) => Promise<T>): Promise<T> {
    let value = this.created.get(name) as Promise<T> | undefined;
    if (!value) {
      value = create((close) => this.closers.push(close));
      this.created.set(name, value);
    }
    return value;
  }

  /** Runs `close` at shutdown, in reverse order of registration with the resources' own closers. */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close();
    this.closers.length = 0;
    this.created.clear();
  }
}
