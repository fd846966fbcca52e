import net from 'node:net';
import { describe, it } from 'vitest';

// Integration suites need real services. When one is missing the suite says so loudly and passes, so a laptop
// without PostgreSQL can still run the rest; CI sets CANDLEFLOW_REQUIRE_SERVICES=1 and then it fails instead.

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

/** describe() when the service is there; otherwise one test that reports it did not run (and fails if required). */
export function describeWithService(service: string, available: boolean, title: string, body: () => void): void {
  if (available) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    it(`needs ${service}`, () => {
      const line = `!!! ${title}: ${service} is not reachable, these tests DID NOT RUN !!!`;
      console.warn(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n`);
      if (servicesRequired) throw new Error(`${service} is required (CANDLEFLOW_REQUIRE_SERVICES=1) but not reachable`);
    });
  });
}
