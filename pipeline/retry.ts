/** Exponential backoff with jitter; kafkajs's defaults, which our users already know. */
export interface RetryPolicy {
  /** @defaultValue 300 */
  initialMs: number;
  /** @defaultValue 2 */
  multiplier: number;
  /** @defaultValue 30_000 */
  maxMs: number;
  /** Fraction of randomness around each delay. @defaultValue 0.2 */
  jitter: number;
  /** Attempts for an unclassified handler error before it is dead-lettered. @defaultValue 5 */
  retries: number;
}

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  initialMs: 300,
  multiplier: 2,
  maxMs: 30_000,
  jitter: 0.2,
  retries: 5,
});

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** attempt);
  return Math.round(base * (1 - policy.jitter + Math.random() * 2 * policy.jitter));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
