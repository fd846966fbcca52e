import type { ChangelogSpec } from '../../schemas/topics.ts';
import type { Bus, BusMessage } from '../bus/bus.ts';
import type { KeyedState } from '../stage/define-stage.ts';

// Keyed state of a stage, held in memory for the partitions this worker owns and backed by the stage's
// compacted changelog topic (see schemas/topics.ts `changelogs`).
//
// Why this gives a restarted worker exactly the output of one that never stopped: per batch the runner first
// gets the outputs acknowledged, then writes the changed states to the changelog, then commits the input
// offset. Each state carries the next input offset it already covers. After a crash:
// - before the changelog write: the old state is restored and the records replayed; stages are deterministic,
//   so the same outputs (same keys) are produced again and replace the first copies downstream;
// - after the changelog write but before the commit: the replayed records are below the state's offsets and
//   are skipped, their outputs having been acknowledged already.

export interface StateEntry<S> {
  readonly partition: number;
  readonly key: string;
  state: S;
  /** Next offset per input topic that this state already covers. */
  offsets: Record<string, number>;
}

interface StoredState<S> {
  s: S;
  o: Record<string, number>;
}

export class KeyedStateStore<S> {
  private readonly partitions = new Map<number, Map<string, StateEntry<S>>>();
  /**
   * Entries changed since the last flush. Kept as a set, so that a flush costs what changed rather than every key
   * held: a tick over thousands of idle keys that changes one writes one record.
   */
  private readonly dirty = new Set<StateEntry<S>>();

  constructor(
    private readonly bus: Bus,
    private readonly changelog: ChangelogSpec,
    private readonly definition: KeyedState<S>,
  ) {}

  /** Loads the state of newly owned partitions from the changelog. */
  async restore(partitions: readonly number[]): Promise<number> {
    let restored = 0;
    for (const partition of partitions) {
      const entries = new Map<string, StateEntry<S>>();
      await this.bus.readPartition({ topic: this.changelog.name, partition }, (record) => {
        if (record.key === null) return;
        if (record.value.length === 0) {
          entries.delete(record.key);
          return;
        }
        const stored = JSON.parse(record.value.toString('utf8')) as StoredState<S>;
        entries.set(record.key, { partition, key: record.key, state: stored.s, offsets: stored.o });
      });
      this.forgetChanges(partition);
      this.partitions.set(partition, entries);
      restored += entries.size;
    }
    return restored;
  }

  /** Forgets partitions given to another worker; their new owner restores them from the changelog. */
  drop(partitions: readonly number[]): void {
    for (const p of partitions) {
      this.partitions.delete(p);
      this.forgetChanges(p);
    }
  }

  entry(partition: number, key: string): StateEntry<S> {
    let entries = this.partitions.get(partition);
    if (!entries) {
      entries = new Map();
      this.partitions.set(partition, entries);
    }
    let entry = entries.get(key);
    if (!entry) {
      entry = { partition, key, state: this.definition.initial(key), offsets: {} };
      entries.set(key, entry);
    }
    return entry;
  }

  /** Where a key's state lives (for ticks, which are not tied to a record). */
  *keys(): Iterable<[number, string]> {
    for (const [partition, entries] of this.partitions) for (const key of entries.keys()) yield [partition, key];
  }

  /** Replaces every state held for a partition by `update(state)`; the next flush writes them. */
  updatePartition(partition: number, update: (state: S) => S): void {
    for (const entry of this.partitions.get(partition)?.values() ?? []) {
      entry.state = update(entry.state);
      this.dirty.add(entry);
    }
  }

  /** Marks a state changed: the next flush writes it. */
  changed(entry: StateEntry<S>): void {
    this.dirty.add(entry);
  }

  /** Writes the changed states to the changelog; resolves once acknowledged with how many it wrote. */
  async flush(): Promise<number> {
    const changes = this.changes();
    if (changes.messages.length === 0) return 0;
    await this.bus.produce(this.changelog.name, changes.messages);
    changes.written();
    return changes.messages.length;
  }

  /**
   * The changed states as changelog records, for a writer of its own (a transaction). They stay marked until
   * `written()`, so that a failed or aborted write is made again by the next attempt.
   */
  changes(): { topic: string; messages: BusMessage[]; written(): void } {
    const entries = [...this.dirty];
    const messages: BusMessage[] = entries.map((entry) => {
      const stored: StoredState<S> = { s: entry.state, o: entry.offsets };
      return { key: entry.key, partition: entry.partition, value: Buffer.from(JSON.stringify(stored)) };
    });
    return {
      topic: this.changelog.name,
      messages,
      written: () => {
        for (const entry of entries) this.dirty.delete(entry);
      },
    };
  }

  /** A partition restored or given away: changes to its old entries are no longer this worker's to write. */
  private forgetChanges(partition: number): void {
    for (const entry of this.dirty) if (entry.partition === partition) this.dirty.delete(entry);
  }
}
