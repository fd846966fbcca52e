// A small read-through cache for hot values (latest predictions, symbols): within `ttlMs` every request is
// answered from memory, and concurrent misses of one key share a single load, so a burst of readers costs
// one query per key per ttl.

interface Entry<V> {
  value: Promise<V>;
  expires: number;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > t) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    const entry = { value, expires: t + this.ttlMs };
    this.entries.set(key, entry);
    // A failed load is not remembered: the next request tries the database again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}
