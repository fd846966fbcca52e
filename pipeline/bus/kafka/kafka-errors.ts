import { BusError, errorMessage } from '../../errors.ts';

/** A kafkajs failure as the runtime's BusError: retriable unless the broker said otherwise. */
export function toBusError(what: string, err: unknown): BusError {
  const e = err as { retriable?: boolean; name?: string };
  // KafkaJSNumberOfRetriesExceeded is marked non-retriable, but the runner may still try later.
  const retriable = e.retriable !== false || e.name === 'KafkaJSNumberOfRetriesExceeded';
  return new BusError(`${what}: ${errorMessage(err)}`, { retriable, cause: err });
}

/** kafkajs wraps protocol errors (retries exceeded, non-retriable): the protocol error type of the first that has one. */
export function protocolErrorType(err: unknown): string | undefined {
  for (
    let e = err as { type?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.type === 'string') return e.type;
  }
  return undefined;
}
