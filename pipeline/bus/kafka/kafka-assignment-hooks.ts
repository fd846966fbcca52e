import { CandleflowError, errorMessage } from '../../errors.ts';
import type { SubscribeOptions, TopicPartition } from '../bus.ts';
import type { BusLogger, KafkaTuning } from './kafka-bus-options.ts';

// onRevoke and onAssign of one assignment. A retriable failure of onAssign (a state restore meeting a broker
// that is not yet the leader of a topic it just created, a broker restarting) is tried again with backoff,
// batches waiting; anything else ends the subscription. Without this, the error was kept and every batch of the
// member threw it again: alive, assigned, and never working.

export interface HookRun {
  groupId: string;
  revoked: TopicPartition[];
  assigned: TopicPartition[];
  /** True once retrying is pointless: the subscription is closing or has failed. */
  stopped(): boolean;
}

/** Resolves with undefined when the hooks ran, or with the error that they cannot get past. */
export async function runAssignmentHooks(
  options: Pick<SubscribeOptions, 'onRevoke' | 'onAssign'>,
  run: HookRun,
  tuning: KafkaTuning,
  log: BusLogger,
): Promise<unknown> {
  const { onRevoke, onAssign } = options;
  try {
    if (run.revoked.length > 0 && onRevoke) await onRevoke(run.revoked);
  } catch (err) {
    return err;
  }
  if (run.assigned.length === 0 || !onAssign) return undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      await onAssign(run.assigned);
      return undefined;
    } catch (err) {
      const retriable = err instanceof CandleflowError && err.retriable;
      if (!retriable || run.stopped()) return err;
      const delay = Math.min(tuning.maxRetryMs, tuning.initialRetryMs * 2 ** Math.min(attempt, 20));
      log.warn(
        { groupId: run.groupId, err: errorMessage(err), attempt, delay },
        'partition assignment callback failed; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (run.stopped()) return err;
    }
  }
}
