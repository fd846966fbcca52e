import pg from 'pg';
import { DatabaseError, errorMessage } from '../errors.ts';

// The one place (with migrate.ts) that talks to the `pg` driver: everything else gets a Pool from here, so the
// embedded PGlite and a real server go through exactly the same code.

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  /** Most connections the pool opens (DB_POOL_MAX). */
  max?: number;
  /** Schema to put first on the search_path (tests isolate themselves in a fresh schema). */
  schema?: string;
  /** Give up connecting after this long, so an outage surfaces as an error instead of a hang. */
  connectionTimeoutMs?: number;
  /** Server-side statement_timeout (real PostgreSQL only; PGlite ignores startup options). */
  statementTimeoutMs?: number;
  applicationName?: string;
}

// bigint columns hold epoch milliseconds, far below 2^53: parse them as numbers instead of pg's default strings.
const INT8_OID = 20;
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function createPool(url: string, options: PoolOptions = {}): Pool {
  const startup: string[] = [];
  if (options.schema) startup.push(`-c search_path=${options.schema},public`);
  if (options.statementTimeoutMs) startup.push(`-c statement_timeout=${options.statementTimeoutMs}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'candleflow',
    types: typeParsers,
    ...(startup.length > 0 ? { options: startup.join(' ') } : {}),
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener that kills the process.
  // The next query on a fresh client reports the outage where it can be handled.
  pool.on('error', () => {});
  // Likewise a checked-out client whose connection drops between two queries emits 'error'; the transaction's
  // next query rejects with the same cause, which is where the caller sees it.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Whether a driver error means "the database is not reachable right now" (retry later) rather than "this
 * statement or its data is wrong". SQLSTATE classes 08 (connection), 53 (resources), 57 (operator
 * intervention: shutdown, terminated backend) and 40 (serialization, deadlock) are worth retrying.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^(08|53|57|40)/.test(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT...
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Connection ended|socket hang up/i.test(
    err.message,
  );
}

/** Wraps a driver error in the project's DatabaseError, retriable when the outage is transient. */
export function toDatabaseError(err: unknown, what: string): DatabaseError {
  if (err instanceof DatabaseError) return err;
  return new DatabaseError(`${what}: ${errorMessage(err)}`, { retriable: isTransientDatabaseError(err), cause: err });
}
