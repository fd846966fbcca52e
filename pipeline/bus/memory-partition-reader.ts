import type { BusRecord, RecordBatch, SubscribeOptions } from './bus.ts';
import { Signal, tpKey, type Partition } from './memory-log.ts';

// Delivers one partition of the embedded bus to the member that owns it, one batch at a time, from a position
// that moves on only when the member's onBatch resolved; a failed batch is delivered again after a pause.

/** What a reader needs of the member it reads for. */
export interface ReaderOwner {
  readonly options: SubscribeOptions;
  isPaused(tpKey: string): boolean;
  /** A batch handler threw (the runner handles its own errors; this is for visibility). */
  onHandlerError(err: unknown): void;
}

export class PartitionReader {
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  private readonly wakeSignal = new Signal();
  position: number;

  constructor(
    readonly owner: ReaderOwner,
    readonly partition: Partition,
    start: number,
  ) {
    this.position = start;
  }

  start(): void {
    // Deliver from the next macrotask, so subscribe() has returned its Subscription before the first batch.
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.loop());
  }

  wake(): void {
    this.wakeSignal.notify();
  }

  /** Stops after the batch in flight; resolves when it has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.partition.appended.notify();
    await this.running;
  }

  /** The next up to `max` records from the position; looked up by offset each time, as trimming shifts indexes. */
  private take(max: number): BusRecord[] {
    const from = this.partition.indexOf(this.position);
    return this.partition.records.slice(from, from + max);
  }

  /** Waits up to `waitMs` for the partition to hold `max` records from the position, then takes what is there. */
  private async fill(max: number, waitMs: number): Promise<BusRecord[]> {
    const deadline = Date.now() + waitMs;
    let records = this.take(max);
    while (records.length < max && !this.stopped) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.partition.appended.wait(),
        this.wakeSignal.wait(),
        new Promise((r) => (timer = setTimeout(r, left))),
      ]);
      clearTimeout(timer);
      records = this.take(max);
    }
    return records;
  }

  private async loop(): Promise<void> {
    const { options } = this.owner;
    const max = options.maxBatchSize ?? 500;
    const key = tpKey({ topic: this.partition.topic.name, partition: this.partition.index });
    while (!this.stopped) {
      if (this.owner.isPaused(key)) {
        await this.wakeSignal.wait();
        continue;
      }
      const from = this.partition.indexOf(this.position);
      if (from >= this.partition.records.length) {
        await Promise.race([this.partition.appended.wait(), this.wakeSignal.wait()]);
        continue;
      }
      let records = this.take(max);
      if (records.length < max && options.maxWaitMs) records = await this.fill(max, options.maxWaitMs);
      if (records.length === 0) continue;
      const batch: RecordBatch = {
        topic: this.partition.topic.name,
        partition: this.partition.index,
        records,
        highWatermark: this.partition.nextOffset,
      };
      try {
        await options.onBatch(batch);
        this.position = records[records.length - 1]!.offset + 1;
      } catch (err) {
        // Like kafkajs: a failing batch handler is retried from the same position after a pause.
        this.owner.onHandlerError(err);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
