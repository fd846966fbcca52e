import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../../pipeline/db/embedded.ts';
import { createPool, type Pool, type PoolOptions } from '../../pipeline/db/pool.ts';
import { reachable } from './services.ts';

// The two databases every Postgres suite runs against: the real server (a fresh schema per suite, dropped at the
// end) and the embedded PGlite (a fresh in-memory instance per suite).

export const realDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const real = new URL(realDatabaseUrl);
export const realServerAvailable = await reachable(real.hostname, Number(real.port || 5432));

export type DatabaseKind = 'postgres' | 'embedded';
export const databaseKinds: readonly DatabaseKind[] = ['postgres', 'embedded'];

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  /** host:port of the server, for a proxy in front of it. */
  host: string;
  port: number;
  /** A pool on the suite's database/schema; `url` replaces the server address (e.g. a proxy's). */
  pool(options?: PoolOptions & { url?: string }): Pool;
  close(): Promise<void>;
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const pools: Pool[] = [];
  if (kind === 'postgres') {
    const schema = `cf_test_${randomBytes(6).toString('hex')}`;
    const admin = createPool(realDatabaseUrl, { max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    return {
      kind,
      url: realDatabaseUrl,
      host: real.hostname,
      port: Number(real.port || 5432),
      pool(options = {}) {
        const p = createPool(options.url ?? realDatabaseUrl, { ...options, schema });
        pools.push(p);
        return p;
      },
      async close() {
        await Promise.all(pools.map((p) => p.end().catch(() => {})));
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: 'memory://' });
  const address = new URL(embedded.url);
  return {
    kind,
    url: embedded.url,
    host: address.hostname,
    port: Number(address.port),
    pool(options = {}) {
      const p = createPool(options.url ?? embedded.url, options);
      pools.push(p);
      return p;
    },
    async close() {
      await Promise.all(pools.map((p) => p.end().catch(() => {})));
      await embedded.stop();
    },
  };
}

/** The same database URL with another host:port (a proxy's). */
export function urlVia(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
