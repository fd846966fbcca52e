import { backoffMs, defaultRetryPolicy, sleep, type RetryPolicy } from '../retry.ts';
import { DatabaseError, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DatabaseConfig } from './database-config.ts';
import type { EmbeddedPostgres } from './embedded.ts';
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
  /** Whether the last health ping got an answer (true for the embedded database, which cannot go away). */
  reachable(): boolean;
  close(): Promise<void>;
}

export interface OpenOptions {
  applicationName?: string;
  migrate?: boolean;
  /**
   * Wait out an unreachable server at start: retry connecting (and migrating) with backoff, one log line per
   * outage, until it answers or `signal` aborts. Without it the first failure throws (the CLI's commands).
   */
  wait?: { log: Logger; signal?: AbortSignal; retry?: RetryPolicy };
  /** Ping the server this often to keep `reachable()` current; 0 or unset: no pings (reachable stays true). */
  healthIntervalMs?: number;
}

/**
 * Opens the configured database (real server by URL, else embedded PGlite), migrated. Callers share one
 * Database per process: the sink stage's ResultStore and the API's queries both use its Sql.
 */
export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.url;
  if (url === undefined) {
    // PGlite (a WASM PostgreSQL) is imported only by processes that run it.
    const { startEmbeddedPostgres } = await import('./embedded.ts');
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
  const sql = createSql(pool);
  let timer: NodeJS.Timeout | undefined;
  const close = async () => {
    clearInterval(timer);
    await pool.end().catch(() => {});
    await embedded?.stop();
  };
  try {
    if (options.migrate !== false) await untilReachable(() => migrate(pool), options.wait);
    else await untilReachable(() => sql.ping(), options.wait);
  } catch (err) {
    await close();
    throw err;
  }
  let reachable = true;
  if (!embedded && options.healthIntervalMs) {
    let pinging = false;
    timer = setInterval(() => {
      if (pinging) return;
      pinging = true;
      sql.ping().then(
        () => ((reachable = true), (pinging = false)),
        () => ((reachable = false), (pinging = false)),
      );
    }, options.healthIntervalMs);
    timer.unref();
  }
  return { pool, sql, url, embedded: embedded !== undefined, reachable: () => reachable, close };
}

/** Runs `attempt` until it succeeds; retriable database errors are waited out when `wait` is given. */
async function untilReachable(attempt: () => Promise<unknown>, wait: OpenOptions['wait']): Promise<void> {
  const policy = wait?.retry ?? defaultRetryPolicy;
  for (let n = 0; ; n += 1) {
    try {
      await attempt();
      if (n > 0) wait?.log.info({ attempts: n + 1 }, 'database reachable');
      return;
    } catch (err) {
      const retriable = err instanceof DatabaseError && err.retriable;
      if (!wait || !retriable || wait.signal?.aborted) throw err;
      if (n === 0) wait.log.warn({ err: errorMessage(err) }, 'database unreachable at start, retrying with backoff');
      await sleep(backoffMs(policy, n), wait.signal);
      if (wait.signal?.aborted) throw err;
    }
  }
}
