import net from 'node:net';
import { describe, it } from 'vitest';

// Integration suites need real services (a PostgreSQL server, a Kafka broker). When one is missing the suite is
// reported as skipped with the reason, so a laptop without them can still run the rest and sees what did not run;
// CI sets CANDLEFLOW_REQUIRE_SERVICES=1 and then a missing service fails the run instead.

export const servicesRequired = process.env.CANDLEFLOW_REQUIRE_SERVICES === '1';

/** Whether something accepts TCP connections at host:port. */
export function reachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * describe() when the service is there (`missing` is null). Otherwise the suite is reported as skipped, its title
 * saying which service is missing and why, so a run without it never counts as a pass; with
 * CANDLEFLOW_REQUIRE_SERVICES=1 (CI) it is one failing test instead.
 */
export function describeWithService(service: string, missing: string | null, title: string, body: () => void): void {
  if (missing === null) {
    describe(title, body);
    return;
  }
  const reason = `${service} is not available (${missing})`;
  if (servicesRequired) {
    describe(title, () => {
      it(`needs ${service}`, () => {
        throw new Error(`${reason}, and CANDLEFLOW_REQUIRE_SERVICES=1 requires it`);
      });
    });
    return;
  }
  process.stderr.write(`skipped: ${title}: ${reason}\n`);
  describe.skip(`${title} [skipped: ${reason}]`, body);
}
