import { deadLetterTopic } from '../../schemas/topics.ts';
import type { BusRecord } from '../bus/bus.ts';
import { CandleflowError, HandlerError, ValidationError, errorMessage, isFatal, isRecordError } from '../errors.ts';
import { backoffMs, sleep } from '../retry.ts';
import type { PendingOutput } from './produce-outputs.ts';
import type { StageScope } from './stage-runtime.ts';

// What a failure means, in one place: a record error sends the record to its dead-letter topic at once; a
// retriable error (broker, database) is retried with backoff for as long as it takes, the partition waiting; an
// unknown error is retried `retry.retries` times and then dead-lettered as a HandlerError.

export const DeadLetterHeaders = {
  CODE: 'cf.dlq.code',
  REASON: 'cf.dlq.reason',
  MESSAGE: 'cf.dlq.message',
  STAGE: 'cf.dlq.stage',
  TOPIC: 'cf.dlq.source.topic',
  PARTITION: 'cf.dlq.source.partition',
  OFFSET: 'cf.dlq.source.offset',
  TIME: 'cf.dlq.time',
} as const;

/** Short reason words for the DLQ header, by error code (what operators grep for). */
const reasonOf: Partial<Record<string, string>> = {
  CF_ERR_DECODE: 'decode',
  CF_ERR_VALIDATION: 'invalid',
  CF_ERR_LATE: 'late',
  CF_ERR_HANDLER: 'handler',
};

/** Thrown inside a batch when shutdown interrupts retries: the batch is not committed and will be redelivered. */
export class DrainInterrupt extends Error {}

/**
 * Decides what a failed attempt means. Returns the error to dead-letter the record with, or undefined once it
 * has waited out the backoff and the caller should try again. Throws DrainInterrupt when the runner stops.
 */
export async function afterFailure(
  scope: StageScope,
  err: unknown,
  attempt: number,
): Promise<CandleflowError | undefined> {
  if (isFatal(err)) throw err;
  if (isRecordError(err)) return err;
  const retriable = err instanceof CandleflowError && err.retriable;
  if (!retriable && attempt >= scope.retry.retries) {
    return new HandlerError(`${scope.stage.name} failed ${attempt + 1} times: ${errorMessage(err)}`, err);
  }
  if (scope.signal.aborted) throw new DrainInterrupt('shutdown during retries');
  const code = err instanceof CandleflowError ? err.code : 'CF_ERR_HANDLER';
  scope.runtime.metrics.retries.inc({ stage: scope.stage.name, code });
  const delay = backoffMs(scope.retry, Math.min(attempt, 20));
  scope.log.warn({ err, attempt, delay }, 'handler failed, retrying');
  await sleep(delay, scope.signal);
  if (scope.signal.aborted) throw new DrainInterrupt('shutdown during retries');
  return undefined;
}

/** Adds the record, original bytes and headers kept, to its topic's dead-letter topic, with the reason; counts it. */
export function deadLetter(
  scope: StageScope,
  record: BusRecord,
  error: CandleflowError,
  outputs: PendingOutput[],
): void {
  const labels = { stage: scope.stage.name, topic: record.topic, code: error.code };
  scope.runtime.metrics.recordsFailed.inc(labels);
  scope.runtime.metrics.deadLetters.inc(labels);
  scope.log.warn(
    {
      code: error.code,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      reason: error.message,
    },
    'record dead-lettered',
  );
  outputs.push({
    topic: deadLetterTopic(record.topic),
    message: {
      key: record.key,
      value: record.value,
      headers: {
        ...record.headers,
        [DeadLetterHeaders.CODE]: error.code,
        [DeadLetterHeaders.REASON]:
          error instanceof ValidationError ? error.reason : (reasonOf[error.code] ?? error.code),
        [DeadLetterHeaders.MESSAGE]: error.message,
        [DeadLetterHeaders.STAGE]: scope.stage.name,
        [DeadLetterHeaders.TOPIC]: record.topic,
        [DeadLetterHeaders.PARTITION]: String(record.partition),
        [DeadLetterHeaders.OFFSET]: String(record.offset),
        [DeadLetterHeaders.TIME]: new Date(scope.now()).toISOString(),
      },
    },
  });
}
