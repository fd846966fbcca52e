import { tpKey, type BusMessage, type BusRecord } from './bus.ts';

// The embedded bus's log: topics of partitions holding records in offset order, compacted topics keeping the
// latest record of each key, and retention (records below an offset dropped, as Kafka's retention would).
// Who may drop what (committed offsets, backlog) is decided by the bus; this file only stores.
//
// Only a topic compacted without deletion (a state changelog, `cleanup.policy=compact`, kept forever) keeps the
// latest record of every key below the trimmed offset: its keys are the stages' state keys, a bounded set. A
// `compact,delete` topic (candles, features, predictions: keys that never repeat) is trimmed like a plain one
// once every group is past: kept by key, it grew by every record of a long `npm start` (about 125 MB an hour).

/** Key of a topic-partition in the bus's maps. */
export { tpKey };

/** Wakes everyone waiting, once. */
export class Signal {
  private waiters: Array<() => void> = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export class Partition {
  /** Records in offset order; offsets may have holes after compaction or retention. */
  records: BusRecord[] = [];
  nextOffset = 0;
  /** Notified on every append (readers wait for records). */
  readonly appended = new Signal();
  /** Notified when records are dropped or a group goes (producers wait for room). */
  readonly freed = new Signal();
  private latestByKey = new Map<string, number>();

  constructor(
    readonly topic: Topic,
    readonly index: number,
  ) {}

  append(message: BusMessage, now: number): void {
    const record: BusRecord = {
      topic: this.topic.name,
      partition: this.index,
      offset: this.nextOffset++,
      key: message.key,
      value: message.value,
      headers: { ...message.headers },
      timestamp: message.timestamp ?? now,
    };
    this.records.push(record);
    if (this.topic.compacted && record.key !== null) {
      this.latestByKey.set(record.key, record.offset);
      if (this.records.length > 2 * this.latestByKey.size + 1000) this.compact();
    }
    this.appended.notify();
  }

  /** Index of the first record with offset >= `offset`. */
  indexOf(offset: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Offset of the oldest record held (the next offset when empty). */
  earliest(): number {
    return this.records[0]?.offset ?? this.nextOffset;
  }

  /** Drops records below `offset` (all groups are past them, or retention). */
  trimBelow(offset: number): void {
    const drop = this.indexOf(offset);
    if (drop === 0) return;
    if (this.topic.compacted && !this.topic.deletes) {
      // A changelog keeps the latest value of every key however old it is.
      this.records = this.records.filter(
        (r, i) => i >= drop || (r.key !== null && this.latestByKey.get(r.key) === r.offset),
      );
    } else {
      for (const r of this.records.slice(0, drop)) {
        if (r.key !== null && this.latestByKey.get(r.key) === r.offset) this.latestByKey.delete(r.key);
      }
      this.records.splice(0, drop);
    }
    this.freed.notify();
  }

  /** Retention of a partition nobody waits for: keeps its last `count` records. */
  retainLast(count: number): void {
    this.trimBelow(this.nextOffset - count);
  }

  private compact(): void {
    this.records = this.records.filter((r) => r.key === null || this.latestByKey.get(r.key) === r.offset);
  }
}

export class Topic {
  readonly partitions: Partition[];
  constructor(
    readonly name: string,
    count: number,
    readonly compacted: boolean,
    /** Records may go by retention (`delete` in the cleanup policy), compacted or not. */
    readonly deletes: boolean = !compacted,
  ) {
    this.partitions = Array.from({ length: count }, (_, i) => new Partition(this, i));
  }
}
