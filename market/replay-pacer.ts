import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Paces a replay: event time advances `speed` times faster than the wall clock, measured from the first
 * record. `wait` resolves when a record of the given event time is due (at once without a speed).
 */
export class ReplayPacer {
  private firstEventMs: number | null = null;
  private startedAt = 0;
  constructor(
    private readonly speed: number | null,
    private readonly now: () => number,
  ) {}

  /** Milliseconds until a record of this event time is due; 0 when due. */
  delayFor(eventMs: number): number {
    if (this.speed === null) return 0;
    if (this.firstEventMs === null) {
      this.firstEventMs = eventMs;
      this.startedAt = this.now();
    }
    const dueAt = this.startedAt + (eventMs - this.firstEventMs) / this.speed;
    return Math.max(0, dueAt - this.now());
  }

  async wait(eventMs: number, signal: AbortSignal): Promise<void> {
    const delay = this.delayFor(eventMs);
    if (delay > 0) await sleep(delay, undefined, { signal }).catch(() => undefined);
  }
}
