import type { Admin, Consumer } from 'kafkajs';
import { tpKey, type SubscribeOptions, type TopicPartition } from '../bus.ts';
import { fetchCommitted } from './kafka-commits.ts';

// When the broker no longer has records a group had not read (retention or deleteRecords ran ahead), kafkajs
// resets the offset to the log start, commits that itself, and says so only in its log. This measures the hole,
// holds the partition's batches until the owner was told, and, when the owner stops on lost input, puts the
// committed offset back where it was, so a restart stops again instead of going on silently.

export class LostInput {
  private readonly pending = new Map<string, Promise<void>>();
  /** Set once input was lost while the owner stops on it: no batch is delivered after that. */
  stopped = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly admin: () => Promise<Admin>,
    private readonly groupId: string,
    private readonly options: Pick<SubscribeOptions, 'onInputLost' | 'keepLostOffsets'>,
    /** The next offset this member would have read: its last delivered position, or the offset committed at join. */
    private readonly position: (tp: TopicPartition) => Promise<number | undefined>,
  ) {}

  /** kafkajs logged a reset of `tp`: from now on its batches wait until the owner has been told. */
  seen(tp: TopicPartition): Promise<void> {
    const key = tpKey(tp);
    const handled = (this.pending.get(key) ?? Promise.resolve()).then(() => this.handle(tp));
    this.pending.set(key, handled);
    return handled;
  }

  /** Resolves once every reset seen on the partition was handled. */
  settled(tp: TopicPartition): Promise<void> | undefined {
    return this.pending.get(tpKey(tp));
  }

  private async handle(tp: TopicPartition): Promise<void> {
    const from = (await this.position(tp)) ?? 0;
    const offsets = await (await this.admin()).fetchTopicOffsets(tp.topic);
    const to = Number(offsets.find((p) => p.partition === tp.partition)?.low ?? 0);
    if (this.options.keepLostOffsets && to > from) {
      this.stopped = true;
      await this.restoreCommitted(tp, from);
    }
    await this.options.onInputLost?.({ ...tp, from, to, skipped: Math.max(0, to - from) });
  }

  /** Waits for kafkajs's own reset commit (it follows its log line), then commits `from` again. */
  private async restoreCommitted(tp: TopicPartition, from: number): Promise<void> {
    for (let i = 0; i < 50 && (await fetchCommitted(this.admin, this.groupId, tp)) === from; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.consumer.commitOffsets([{ ...tp, offset: String(from) }]);
  }
}
