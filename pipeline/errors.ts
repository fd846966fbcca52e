// One error class per failure kind, each with a stable code. `retriable` tells the runtime whether trying
// again can help (a broker hiccup) or whether the record belongs in the dead-letter topic (bad bytes).

export const errorCodes = [
  'CF_ERR_CONFIG',
  'CF_ERR_DECODE',
  'CF_ERR_VALIDATION',
  'CF_ERR_LATE',
  'CF_ERR_HANDLER',
  'CF_ERR_BUS',
  'CF_ERR_BUS_CLOSED',
  'CF_ERR_STAGE_DEFINITION',
  'CF_ERR_SHUTDOWN_TIMEOUT',
  'CF_ERR_DATABASE',
  'CF_ERR_INPUT',
  'CF_ERR_USAGE',
  'CF_ERR_TOPIC_MISMATCH',
  'CF_ERR_INPUT_LOST',
  'CF_ERR_NOT_AUTHORIZED',
  'CF_ERR_PRODUCER_FENCED',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface CandleflowErrorOptions {
  retriable?: boolean;
  cause?: unknown;
}

export class CandleflowError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  constructor(code: ErrorCode, message: string, options: CandleflowErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** A missing or malformed setting; the worker stops at start with this one line. */
export class ConfigError extends CandleflowError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('CF_ERR_CONFIG', `${variable} ${message}`);
    this.variable = variable;
  }
}

/** Bytes that are not a record of the topic's schema (wrong magic byte, unknown schema id, truncated). */
export class DecodeError extends CandleflowError {
  constructor(message: string, cause?: unknown) {
    super('CF_ERR_DECODE', message, { cause });
  }
}

/**
 * A decoded record whose values break the schema's rules (unknown timeframe, negative price...). `reason` is the
 * short word its dead letter carries: `invalid`, or what operators grep for when it says more (`future`,
 * `too-old`, `too-large`).
 */
export class ValidationError extends CandleflowError {
  readonly reason: string;
  constructor(message: string, reason = 'invalid') {
    super('CF_ERR_VALIDATION', message);
    this.reason = reason;
  }
}

/** A record that arrived after the state it belonged to was closed (a trade after its candle was emitted). */
export class LateRecordError extends CandleflowError {
  constructor(message: string) {
    super('CF_ERR_LATE', message);
  }
}

/** Bad user input outside the stream (CLI files, arguments). */
export class InputError extends CandleflowError {
  constructor(message: string) {
    super('CF_ERR_INPUT', message);
  }
}

/** A wrong command line or an unknown stage name: one line with a hint, exit code 2. */
export class UsageError extends CandleflowError {
  constructor(message: string) {
    super('CF_ERR_USAGE', message);
  }
}

/** A stage's handler threw something unclassified and retries did not help. */
export class HandlerError extends CandleflowError {
  constructor(message: string, cause?: unknown) {
    super('CF_ERR_HANDLER', message, { cause });
  }
}

/** Broker or transport trouble; retriable unless said otherwise. */
export class BusError extends CandleflowError {
  constructor(message: string, options: CandleflowErrorOptions = {}) {
    super('CF_ERR_BUS', message, { retriable: true, ...options });
  }
}

export class BusClosedError extends CandleflowError {
  constructor(what: string) {
    super('CF_ERR_BUS_CLOSED', `${what}: the bus is closed`);
  }
}

export class StageDefinitionError extends CandleflowError {
  constructor(message: string) {
    super('CF_ERR_STAGE_DEFINITION', message);
  }
}

export class ShutdownTimeoutError extends CandleflowError {
  constructor(ms: number) {
    super('CF_ERR_SHUTDOWN_TIMEOUT', `graceful shutdown did not finish within ${ms} ms`);
  }
}

export class DatabaseError extends CandleflowError {
  constructor(message: string, options: CandleflowErrorOptions = {}) {
    super('CF_ERR_DATABASE', message, { retriable: true, ...options });
  }
}

/**
 * A topic on the broker that contradicts the catalogue (partitions, cleanup policy), or is missing where the
 * broker did not create it. Keyed state and co-partitioned joins are wrong on such a topic, so the worker stops
 * at start (exit 2) rather than run.
 */
export class TopicMismatchError extends CandleflowError {
  constructor(message: string) {
    super('CF_ERR_TOPIC_MISMATCH', message);
  }
}

/** Records the broker deleted before the stage read them (retention ran ahead of a slow or stopped worker). */
export class InputLostError extends CandleflowError {
  constructor(message: string) {
    super('CF_ERR_INPUT_LOST', message);
  }
}

/** The broker refused an operation to this worker's user (a missing ACL): retrying cannot help. */
export class NotAuthorizedError extends CandleflowError {
  constructor(message: string, cause?: unknown) {
    super('CF_ERR_NOT_AUTHORIZED', message, { cause });
  }
}

/**
 * Exactly-once: another producer opened this worker's transactional id (a second replica with the same
 * INSTANCE_ID, or this one's replacement while it was cut off): its outputs would be refused from now on.
 */
export class ProducerFencedError extends CandleflowError {
  constructor(message: string, cause?: unknown) {
    super('CF_ERR_PRODUCER_FENCED', message, { cause });
  }
}

const fatalCodes: readonly ErrorCode[] = [
  'CF_ERR_CONFIG',
  'CF_ERR_STAGE_DEFINITION',
  'CF_ERR_TOPIC_MISMATCH',
  'CF_ERR_NOT_AUTHORIZED',
  'CF_ERR_PRODUCER_FENCED',
];

/** A mistake in the program or its setup, not in a record: retrying cannot help and the worker must stop. */
export function isFatal(err: unknown): err is CandleflowError {
  return err instanceof CandleflowError && fatalCodes.includes(err.code);
}

/** Errors a stage raises on purpose about one record: never retried, always dead-lettered. */
export function isRecordError(err: unknown): err is CandleflowError {
  return err instanceof CandleflowError && !err.retriable && !isFatal(err);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
