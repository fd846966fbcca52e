import type { Env } from '../config/env.ts';
import type { Resources } from '../runtime/resources.ts';
import { openDatabase, type Database } from './database.ts';
import { parseDatabaseConfig } from './database-config.ts';

/** The process's one database (real by DATABASE_URL, else embedded), opened and migrated on first use. */
export function sharedDatabase(ctx: { env: Env; resources: Resources }): Promise<Database> {
  return ctx.resources.get('database', async (onClose) => {
    const db = await openDatabase(parseDatabaseConfig(ctx.env), { applicationName: 'candleflow' });
    onClose(() => db.close());
    return db;
  });
}
