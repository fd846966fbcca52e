import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from './pool.ts';
import { toDatabaseError } from './pool.ts';

// Numbered SQL files in ./migrations, applied in order, each recorded in schema_migrations. Every replica runs
// this at start: the transaction-scoped advisory lock makes the second one wait until the first has committed,
// then find nothing left to do. The lock is taken before schema_migrations is created because even
// CREATE TABLE IF NOT EXISTS races when two sessions run it at once.

/** pg_advisory_xact_lock key of candleflow's migrations: the bytes of "cflowmig" as a signed 64-bit integer. */
export const MIGRATION_LOCK_KEY = 0x63666c6f776d6967n;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const migrationsDir = new URL('./migrations/', import.meta.url);

/** The migrations shipped with the code, in version order. */
export function loadMigrations(dir: URL = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(new URL(file, dir), 'utf8'),
    }));
}

/** Applies the pending migrations; returns the versions this call applied (empty when up to date). */
export async function migrate(pool: Pool, migrations: readonly Migration[] = loadMigrations()): Promise<number[]> {
  let client;
  try {
    client = await pool.connect();
  } catch (err) {
    throw toDatabaseError(err, 'migrations: cannot connect');
  }
  const applied: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw toDatabaseError(err, 'migrations failed');
  } finally {
    client.release();
  }
}
