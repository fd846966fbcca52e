import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { runDirectly, type BenchResult } from './bench-result.ts';

// The API's hot read paths against a bare Fastify sending the same bytes, in the same run: 50 connections,
// a few seconds each. The servers run in a child process (bench/api-bench-server.ts); autocannon here.

const CONNECTIONS = 50;
const DURATION_S = 3;
// The machine is shared: bare and API runs alternate, and each figure is the median of ROUNDS, so a burst of
// someone else's load skews one pair rather than one side.
const ROUNDS = 3;
const paths = {
  candles: '/v1/candles?symbol=BTC%2FUSD&timeframe=1m&limit=50',
  latest: '/v1/predictions/latest?symbol=BTC%2FUSD',
};

interface Servers {
  api: string;
  uncached: string;
  bare: string;
  stop(): Promise<void>;
}

async function startServers(database: string): Promise<Servers> {
  const script = fileURLToPath(new URL('./api-bench-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, database, JSON.stringify(Object.values(paths))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const urls = JSON.parse(line) as { api: string; uncached: string; bare: string };
  return {
    ...urls,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Load {
  rps: number;
  p99: number;
  errors: number;
}

async function load(url: string): Promise<Load> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  return { rps: Math.round(r.requests.average), p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median req/s and p99 of the rounds; errors summed over all of them. */
function summarize(runs: Load[]): Load {
  return {
    rps: median(runs.map((r) => r.rps)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}

export async function run(): Promise<BenchResult> {
  const database = process.env.BENCH_DATABASE_URL ?? 'embedded';
  const servers = await startServers(database);
  const figures: Record<string, number | string> = {
    database: database === 'embedded' ? 'embedded PGlite' : 'PostgreSQL server',
    connections: CONNECTIONS,
    seconds_each: DURATION_S,
    rounds: ROUNDS,
  };
  try {
    for (const [name, path] of Object.entries(paths)) {
      await autocannon({ url: `${servers.api}${path}`, connections: 10, duration: 1 }); // warm-up: JIT, pool, cache
      const bares: Load[] = [];
      const apis: Load[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const bare = await load(`${servers.bare}${path}`);
        const api = await load(`${servers.api}${path}`);
        bares.push(bare);
        apis.push(api);
        ratios.push(api.rps / bare.rps);
      }
      const uncached = await load(`${servers.uncached}${path}`);
      const bare = summarize(bares);
      const api = summarize(apis);
      Object.assign(figures, {
        [`${name}_bare_req_s`]: bare.rps,
        [`${name}_bare_p99_ms`]: bare.p99,
        [`${name}_bare_errors`]: bare.errors,
        [`${name}_api_req_s`]: api.rps,
        [`${name}_api_p99_ms`]: api.p99,
        [`${name}_api_errors`]: api.errors,
        [`${name}_ratio`]: Number(median(ratios).toFixed(2)),
        [`${name}_uncached_req_s`]: uncached.rps,
        [`${name}_uncached_p99_ms`]: uncached.p99,
        [`${name}_uncached_errors`]: uncached.errors,
        [`${name}_uncached_ratio`]: Number((uncached.rps / bare.rps).toFixed(2)),
      });
    }
  } finally {
    await servers.stop();
  }
  return {
    name: 'Predictions API vs bare Fastify (same bytes)',
    figures,
    notes: [
      `Paths: GET ${paths.candles} and GET ${paths.latest}. "api" is the default configuration (answers reused for 1 s: LIST_CACHE_MS, LATEST_CACHE_MS); "uncached" sets both to 0, so every request reads the database.`,
      'The API runs its full plugin chain (CORS, compression negotiation, rate limiting with a high limit, metrics, schema validation).',
      'autocannon and the servers share the machine: ratios compare like with like, absolute numbers depend on the cores.',
      'Target: ratio >= 0.5 on the hot read paths, 0 errors. The database is the embedded PGlite unless BENCH_DATABASE_URL names a server.',
    ],
  };
}

await runDirectly(import.meta.url, run);
