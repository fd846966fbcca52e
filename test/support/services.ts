import net from 'node:net';
import { describe, it } from 'vitest';

// Integration suites need real services (a PostgreSQL server, the Kafka-protocol mock broker). When one is
// missing the suite says so loudly and passes, so a laptop without them can still run the rest; CI sets
// CANDLEFLOW_REQUIRE_SERVICES=1 and then a missing service fails the run instead.

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
 * describe() when the service is there (`missing` is null); otherwise one test that reports, with a banner,
 * that the suite did not run and why, and fails when services are required.
 */
export function describeWithService(service: string, missing: string | null, title: string, body: () => void): void {
  if (missing === null) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    it(`did not run: ${service} is missing`, () => {
      const line = `!!! ${title}: ${service} is not available (${missing}), these tests DID NOT RUN !!!`;
      process.stderr.write(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n\n`);
      if (servicesRequired) throw new Error(`${service} is required (CANDLEFLOW_REQUIRE_SERVICES=1) but ${missing}`);
    });
  });
}
