import type { TopicPartitionOffset, TransactionalProducer } from '../bus/bus.ts';
import { CandleflowError, isFatal } from '../errors.ts';
import { backoffMs, sleep } from '../retry.ts';
import { DrainInterrupt } from './failure-policy.ts';
import { produceOutputs, type PendingOutput } from './produce-outputs.ts';
import type { StageScope } from './stage-runtime.ts';

// The write step of a batch, tick or flush: its outputs, then the states it changed, then its input offsets.
// At-least-once, each is acknowledged before the next starts (see keyed-state-store.ts for why a restart then
// gives the same records); exactly-once, all three go in one Kafka transaction.
//
// The states in memory already include the batch, and say which input offsets they cover, so outputs and state
// are written again here until they are acknowledged: a batch redelivered after a failed write would find its
// records covered by the state and skip them, losing their outputs. The commit that follows is the runner's, tried
// once: if it fails (a group coordinator gone, which kafkajs's consumer finds again only once it restarts, so
// retrying in place hangs), the batch is redelivered and its records are skipped, their outputs written. A transaction is tried `retry.retries` times and then
// the stage stops: a restart restores the state the last committed transaction left.
/**
 * Writes outputs and changed states; exactly-once (`transactions`), with `offsets` in the same transaction.
 * At-least-once the caller commits `offsets` afterwards, once.
 */
export async function writeBatch(
  scope: StageScope,
  transactions: TransactionalProducer | undefined,
  outputs: readonly PendingOutput[],
  offsets: readonly TopicPartitionOffset[],
): Promise<void> {
  const { bus, metrics } = scope.runtime;
  const stageName = scope.stage.name;
  const changes = scope.store?.changes();
  // At-least-once, a step once acknowledged is not repeated by a retry: its records would only be duplicates.
  let outputsDone = false;
  let stateDone = !changes || changes.messages.length === 0;
  for (let attempt = 0; ; attempt++) {
    try {
      if (transactions) {
        await transactions.run(async (tx) => {
          await produceOutputs(tx, metrics, stageName, outputs);
          if (changes) await tx.produce(changes.topic, changes.messages);
          if (offsets.length > 0) await tx.sendOffsets(scope.groupId, offsets);
        });
      } else {
        if (!outputsDone) await produceOutputs(bus, metrics, stageName, outputs);
        outputsDone = true;
        if (!stateDone) await bus.produce(changes!.topic, changes!.messages);
        stateDone = true;
      }
      break;
    } catch (err) {
      // Retriable errors (a broker restarting) for as long as it takes; unclassified ones, and transactions, a few times.
      const again = isFatal(err)
        ? false
        : err instanceof CandleflowError
          ? err.retriable && (!transactions || attempt < scope.retry.retries)
          : attempt < scope.retry.retries;
      if (!again) throw err;
      if (scope.signal.aborted) throw new DrainInterrupt('shutdown while writing a batch');
      metrics.retries.inc({ stage: stageName, code: err instanceof CandleflowError ? err.code : 'CF_ERR_BUS' });
      const delay = backoffMs(scope.retry, Math.min(attempt, 20));
      scope.log.warn({ err, attempt, delay }, 'writing the batch failed, retrying');
      await sleep(delay, scope.signal);
      if (scope.signal.aborted) throw new DrainInterrupt('shutdown while writing a batch');
    }
  }
  if (changes && changes.messages.length > 0) {
    changes.written();
    metrics.stateWrites.inc({ stage: stageName }, changes.messages.length);
  }
}
