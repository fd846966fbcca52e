import { readInt } from '../config/env.ts';
import { ConfigError } from '../errors.ts';

export interface DatabaseConfig {
  /** A real server's URL; undefined means the embedded PGlite under dataDir. */
  url: string | undefined;
  /** Root of local state (DATA_DIR, default ./data); the embedded database lives in <dataDir>/pg. */
  dataDir: string;
  /** Embedded database directory: <dataDir>/pg, or 'memory://' when DATA_DIR=memory://. */
  embeddedDir: string;
  poolMax: number;
  connectionTimeoutMs: number;
}

/** Reads DATABASE_URL, DATA_DIR, DB_POOL_MAX and DB_CONNECT_TIMEOUT_MS; throws ConfigError naming the variable. */
export function parseDatabaseConfig(env: NodeJS.ProcessEnv): DatabaseConfig {
  const url = env.DATABASE_URL?.trim() || undefined;
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a URL (expected postgres://user@host:port/database)');
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new ConfigError('DATABASE_URL', `must start with postgres:// or postgresql://, got ${parsed.protocol}//`);
    }
  }
  const dataDir = env.DATA_DIR?.trim() || './data';
  return {
    url,
    dataDir,
    embeddedDir: dataDir.startsWith('memory://') ? 'memory://' : `${dataDir.replace(/\/+$/, '')}/pg`,
    poolMax: readInt(env, 'DB_POOL_MAX', 10, { min: 1 }),
    connectionTimeoutMs: readInt(env, 'DB_CONNECT_TIMEOUT_MS', 5_000, { min: 1 }),
  };
}
