import { BusError, errorMessage, NotAuthorizedError } from '../../errors.ts';
import { retriableKafkaError } from './kafkajs-workarounds.ts';

/**
 * A kafkajs failure as the runtime's BusError. kafkajs marks an error non-retriable once its own retries are
 * spent, even around a connection to a restarting broker; retriable here follows the rule its consumer uses
 * to restart (retries exceeded, or an innermost cause that is retriable). Errors that are not kafkajs's
 * (no `retriable` flag at all) count as retriable.
 */
export function toBusError(what: string, err: unknown): BusError {
  const flagged = typeof (err as { retriable?: unknown } | null)?.retriable === 'boolean';
  const retriable = !flagged || retriableKafkaError(err);
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

/**
 * A kafkajs failure of an operation that needs `access` (an ACL): a refusal names the operation and the resource,
 * since that is what the user must grant; anything else is toBusError's.
 */
export function toAccessError(
  what: string,
  err: unknown,
  access: { operation: string; resource: string },
): BusError | NotAuthorizedError {
  const type = protocolErrorType(err);
  if (type?.endsWith('_AUTHORIZATION_FAILED')) {
    return new NotAuthorizedError(
      `${what}: not authorized (${type}): needs ${access.operation} on ${access.resource}`,
      err,
    );
  }
  return toBusError(what, err);
}
