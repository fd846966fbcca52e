import type { Pool } from './pool.ts';
import { toDatabaseError } from './pool.ts';

// What stages and the API get of the database: statements and transactions, with driver errors already turned
// into DatabaseError (retriable when the database is unreachable). Only pipeline/db/ knows it is `pg`.

export interface SqlClient {
  /** Runs one parameterised statement and returns its rows. */
  query<R extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

export interface Sql extends SqlClient {
  /**
   * Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. A connection that failed in
   * the middle is discarded, never handed back to the pool.
   */
  transaction<T>(what: string, work: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Resolves when the database answers; throws a retriable DatabaseError otherwise. */
  ping(): Promise<void>;
}

export function createSql(pool: Pool): Sql {
  return {
    async query<R extends object>(text: string, values: readonly unknown[] = []) {
      try {
        return (await pool.query(text, values as unknown[])).rows as R[];
      } catch (err) {
        throw toDatabaseError(err, firstWords(text));
      }
    },
    async transaction(what, work) {
      let client;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toDatabaseError(err, `${what}: cannot connect`);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <R extends object>(text: string, values: readonly unknown[] = []) =>
            (await client.query(text, values as unknown[])).rows as R[],
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        const error = toDatabaseError(err, what);
        broken = error.retriable;
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
      } catch (err) {
        throw toDatabaseError(err, 'ping');
      }
    },
  };
}

function firstWords(text: string): string {
  return text.trim().split(/\s+/).slice(0, 3).join(' ');
}
