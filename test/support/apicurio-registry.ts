import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A real Apicurio Registry (3.3.3, in-memory H2 storage, no auth) on a free port, speaking Confluent's schema
// registry API at /apis/ccompat/v7. Its JVM runs under test/kafka-broker/run-node.sh, which kills it as soon as
// this process ends in any way (the script's stdin closes), so a crashed test run leaves no registry behind.

const here = dirname(fileURLToPath(import.meta.url));
const home = join(here, '..', 'schema-registry-apicurio');
const runNodeScript = join(here, '..', 'kafka-broker', 'run-node.sh');

export const apicurioService = 'Apicurio Registry 3.3.3';

/** Why the registry cannot start here, or null once `install.sh` has put it in place (.ci/run does). */
export function apicurioMissing(): string | null {
  if (!existsSync(join(home, 'dist', 'quarkus-run.jar'))) {
    return 'not installed: run sh test/schema-registry-apicurio/install.sh (needs Java 21+ and Maven)';
  }
  return null;
}

export interface ApicurioRegistry {
  /** Base URL of the Confluent-compatible API. */
  url: string;
  close(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export async function startApicurioRegistry(readyWithinMs = 120_000): Promise<ApicurioRegistry> {
  const java = execFileSync('sh', [join(home, 'install.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  const dir = mkdtempSync(join(tmpdir(), 'apicurio-'));
  const consoleLog = join(dir, 'console.log');
  const [port, managementPort] = [await freePort(), await freePort()];
  const args = [
    `-Dquarkus.http.port=${port}`,
    '-Dquarkus.http.host=127.0.0.1',
    `-Dquarkus.management.port=${managementPort}`,
    '-Dquarkus.management.host=127.0.0.1',
    '-Dquarkus.http.access-log.enabled=false',
    '-XX:TieredStopAtLevel=1',
    '-jar',
    join(home, 'dist', 'quarkus-run.jar'),
  ];
  const wrapper = spawn('sh', [runNodeScript, consoleLog, dir, java, ...args], {
    cwd: dir,
    detached: true,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    wrapper.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  wrapper.unref();
  const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
  const close = async () => {
    if (!exited) process.kill(-wrapper.pid!, 'SIGTERM');
    await gone;
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    const answer = await fetch(`${url}/subjects`).then(
      (r) => r.ok,
      () => false,
    );
    if (answer) return { url, close };
    if (exited || Date.now() > deadline) {
      let log = '';
      try {
        log = readFileSync(consoleLog, 'utf8').slice(-4000);
      } catch {
        // no log yet
      }
      await close();
      throw new Error(`Apicurio Registry did not answer at ${url} within ${readyWithinMs} ms\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
