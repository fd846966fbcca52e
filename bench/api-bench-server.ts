import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { startEmbeddedPostgres } from '../pipeline/db/embedded.ts';
import { migrate } from '../pipeline/db/migrate.ts';
import { createPool } from '../pipeline/db/pool.ts';
import { createSql } from '../pipeline/db/sql.ts';
import { createResultQueries } from '../stages/predictions-api/queries.ts';
import { PostgresResultStore } from '../stages/postgres-sink/result-store.ts';
import { topics } from '../pipeline/index.ts';
import { buildApp } from '../stages/predictions-api/app.ts';
import { parseApiConfig } from '../stages/predictions-api/config.ts';

// The servers under test for bench/api.bench.ts, in their own process so that autocannon does not share their
// event loop: the predictions API on a seeded database (with and without its caches), and a bare Fastify answering the same paths with the
// same bytes. Prints one JSON line {api, uncached, bare} once both listen. argv[2]: 'embedded' or a postgres:// URL.

const target = process.argv[2] ?? 'embedded';
const embedded = target === 'embedded' ? await startEmbeddedPostgres({ dataDir: 'memory://' }) : undefined;
const schema = embedded ? undefined : `cf_bench_${process.pid}`;
if (schema) {
  const admin = createPool(target, { max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  await admin.end();
}
const pool = createPool(embedded?.url ?? target, { max: 10, ...(schema ? { schema } : {}) });
await migrate(pool);

const T0 = Date.UTC(2019, 6, 1);
const candles = Array.from({ length: 5_000 }, (_, i) => {
  const open = 10_800 + Math.sin(i / 50) * 100;
  return {
    symbol: 'BTC/USD',
    timeframe: '1m',
    start: T0 + i * 60_000,
    end: T0 + (i + 1) * 60_000,
    open,
    high: open + 8,
    low: open - 8,
    close: open + 2,
    volume: 3 + (i % 7),
    quoteVolume: (3 + (i % 7)) * open,
    vwap: open,
    trades: 20 + (i % 13),
    buyVolume: 1.5,
    final: true,
  };
});
const predictions = ['lgbm-returns', 'arima'].flatMap((modelName) =>
  candles.slice(-500).map((c) => ({
    symbol: c.symbol,
    timeframe: c.timeframe,
    featureTime: c.start,
    horizon: 1,
    targetTime: c.end,
    basePrice: c.close,
    predictedReturn: 0.0001,
    predictedPrice: c.close * Math.exp(0.0001),
    modelName,
    modelVersion: '1',
    modelSha256: 'a'.repeat(64),
  })),
);
await new PostgresResultStore(createSql(pool)).upsert([
  { topic: topics.candles.name, values: candles },
  { topic: topics.predictions.name, values: predictions },
]);

// The production configuration, with the rate limit raised out of the way (its hook still runs per request).
const api = await buildApp({
  queries: createResultQueries(createSql(pool)),
  config: parseApiConfig({ RATE_LIMIT_MAX: '1000000000' }),
  registry: new Registry(),
});
const apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
// The same app with its caches off: every request reads the database.
const uncached = await buildApp({
  queries: createResultQueries(createSql(pool)),
  config: parseApiConfig({ RATE_LIMIT_MAX: '1000000000', LIST_CACHE_MS: '0', LATEST_CACHE_MS: '0' }),
  registry: new Registry(),
});
const uncachedUrl = await uncached.listen({ port: 0, host: '127.0.0.1' });

const paths = JSON.parse(process.argv[3] ?? '[]') as string[];
const bare = Fastify();
for (const path of paths) {
  const res = await fetch(`${apiUrl}${path}`);
  const body = await res.text();
  const type = res.headers.get('content-type') ?? 'application/json';
  bare.get(path.split('?')[0]!, async (_request, reply) => reply.type(type).send(body));
}
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ api: apiUrl, uncached: uncachedUrl, bare: bareUrl })}\n`);

process.once('SIGTERM', async () => {
  await api.close();
  await uncached.close();
  await bare.close();
  if (schema) await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
  await embedded?.stop();
  process.exit(0);
});
