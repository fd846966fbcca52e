import type { DatabaseConfig } from './database-config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';
import { createPool, type Pool } from './pool.ts';
import { createSql, type Sql } from './sql.ts';

export interface Database {
  pool: Pool;
  /** Statements and transactions over the pool, errors already classified: what stages and the API get. */
  sql: Sql;
  /** Where it is: the real server's URL or the embedded one's socket URL. */
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Opens the configured database (real server by URL, else embedded PGlite), migrated. Callers share one
 * Database per process: the sink stage's ResultStore and the API's queries both use its Sql.
 */
export async function openDatabase(
  config: DatabaseConfig,
  options: { applicationName?: string; migrate?: boolean } = {},
): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.url;
  if (url === undefined) {
    embedded = await startEmbeddedPostgres({ dataDir: config.embeddedDir, maxConnections: config.poolMax * 4 });
    url = embedded.url;
  }
  const pool = createPool(url, {
    // PGlite is one session behind its socket server, and interleaved extended-protocol messages of two
    // connections can hit the other's unnamed prepared statement ("unnamed prepared statement does not exist"):
    // in-process, one connection loses no parallelism and removes that race.
    max: embedded ? 1 : config.poolMax,
    connectionTimeoutMs: config.connectionTimeoutMs,
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
  });
  const close = async () => {
    await pool.end().catch(() => {});
    await embedded?.stop();
  };
  if (options.migrate !== false) {
    try {
      await migrate(pool);
    } catch (err) {
      await close();
      throw err;
    }
  }
  return { pool, sql: createSql(pool), url, embedded: embedded !== undefined, close };
}
