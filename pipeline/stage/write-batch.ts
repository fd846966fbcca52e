import type { Subscription, TopicPartitionOffset, TransactionalProducer } from '../bus/bus.ts';
import { CandleflowError, isFatal } from '../errors.ts';
import { backoffMs, sleep } from '../retry.ts';
import { DrainInterrupt } from './failure-policy.ts';
import { produceOutputs, type PendingOutput } from './produce-outputs.ts';
import type { StageScope } from './stage-runtime.ts';

// The write step of a batch, tick or flush: its outputs, then the states it changed, then its input offsets.
// At-least-once, each is acknowledged before the next starts (see keyed-state-store.ts for why a restart then
// gives the same records); exactly-once, all three go in one Kafka transaction.
//
// The states in memory already include the batch, and say which input offsets they cover, so the write is
// retried here until it succeeds: a batch redelivered after a failed write would find its records covered by
// the state and skip them, losing their outputs. Only errors retrying cannot fix stop the stage; its restart
// restores the state from the changelog.

export interface BatchWriter {
  /** Exactly-once: the transactional producer; undefined: at-least-once. */
  transactions?: TransactionalProducer;
  subscription(): Subscription;
}

export async function writeBatch(
  scope: StageScope,
  writer: BatchWriter,
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
      if (writer.transactions) {
        await writer.transactions.run(async (tx) => {
          await produceOutputs(tx, metrics, stageName, outputs);
          if (changes) await tx.produce(changes.topic, changes.messages);
          if (offsets.length > 0) await tx.sendOffsets(scope.groupId, offsets);
        });
      } else {
        if (!outputsDone) await produceOutputs(bus, metrics, stageName, outputs);
        outputsDone = true;
        if (!stateDone) await bus.produce(changes!.topic, changes!.messages);
        stateDone = true;
        if (offsets.length > 0) await writer.subscription().commit(offsets);
      }
      if (changes && changes.messages.length > 0) {
        changes.written();
        metrics.stateWrites.inc({ stage: stageName }, changes.messages.length);
      }
      return;
    } catch (err) {
      // Retriable errors (a broker restarting) for as long as it takes; unclassified ones a few times.
      const retriable = err instanceof CandleflowError ? err.retriable : attempt < scope.retry.retries;
      if (isFatal(err) || !retriable) throw err;
      if (scope.signal.aborted) throw new DrainInterrupt('shutdown while writing a batch');
      metrics.retries.inc({ stage: stageName, code: err instanceof CandleflowError ? err.code : 'CF_ERR_BUS' });
      const delay = backoffMs(scope.retry, Math.min(attempt, 20));
      scope.log.warn({ err, attempt, delay }, 'writing the batch failed, retrying');
      await sleep(delay, scope.signal);
      if (scope.signal.aborted) throw new DrainInterrupt('shutdown while writing a batch');
    }
  }
}
