import type { BusLogger, KafkaTuning } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { waitFor as waitForShared } from '../../pipeline/testing/wait-for.ts';

// Small pieces shared by the suites that run the kafkajs adapter against a broker.

/** Short sessions (Kafka's minimum, group.min.session.timeout.ms, is 6 s) and fetch waits, for quick rebalances. */
export const fastTuning: Partial<KafkaTuning> = {
  fetchMaxWaitMs: 100,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
  rebalanceTimeoutMs: 10_000,
  retries: 5,
  initialRetryMs: 50,
  maxRetryMs: 1_000,
};

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  obj: object;
}

/** A logger that keeps its lines, for asserting on what the adapter says. */
export function memoryLogger(): BusLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => lines.push({ level, msg: msg ?? '', obj });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Polls until `check` is true; fails after `timeoutMs` with `what` (a deadline, not a speed assertion). */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  await waitForShared(check, what, timeoutMs, 50);
}

/** A topic name no other test of the run uses. */
export const uniqueTopic = uniqueName;
