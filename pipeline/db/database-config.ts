import { defineConfig, settings } from '../config/settings.ts';

export interface DatabaseConfig {
  /** A real server's URL; undefined means the embedded PGlite under dataDir. */
  url: string | undefined;
  /** Root of local state (DATA_DIR, default ./data); the embedded database lives in <dataDir>/pg. */
  dataDir: string;
  /** Embedded database directory: <dataDir>/pg, or 'memory://' when DATA_DIR=memory://. */
  embeddedDir: string;
  poolMax: number;
  connectionTimeoutMs: number;
  /** How often workers that use the database ping it, so /health/ready follows an outage with nothing to write. */
  healthIntervalMs: number;
}

export const databaseConfig = defineConfig(
  {
    url: settings.optionalText('DATABASE_URL', {
      doc: '`postgres://user@host:port/db`: a real PostgreSQL; unset: embedded Postgres (PGlite)',
      pattern: /^postgres(ql)?:\/\/\S+$/,
      rule: 'must be a URL like postgres://user@host:port/database',
    }),
    dataDir: settings.text('DATA_DIR', {
      default: './data',
      doc: 'where the embedded Postgres keeps its files (`DATA_DIR/pg`); `memory://` keeps nothing',
    }),
    poolMax: settings.int('DB_POOL_MAX', { default: 10, min: 1, max: 1000, doc: 'connections per process' }),
    connectionTimeoutMs: settings.duration('DB_CONNECT_TIMEOUT_MS', {
      default: 5_000,
      min: 1,
      doc: 'connection timeout; workers that need the database report not-ready and retry past it',
    }),
    healthIntervalMs: settings.duration('DB_HEALTH_INTERVAL_MS', {
      default: 2_000,
      min: 100,
      doc: 'how often a worker that uses the database pings it; /health/ready reports an outage within about this',
    }),
  },
  ({ url, dataDir, poolMax, connectionTimeoutMs, healthIntervalMs }): DatabaseConfig => ({
    url,
    dataDir,
    embeddedDir: dataDir.startsWith('memory://') ? 'memory://' : `${dataDir.replace(/\/+$/, '')}/pg`,
    poolMax,
    connectionTimeoutMs,
    healthIntervalMs,
  }),
);

/** Reads DATABASE_URL, DATA_DIR, DB_POOL_MAX, DB_CONNECT_TIMEOUT_MS and DB_HEALTH_INTERVAL_MS; throws ConfigError naming the variable. */
export function parseDatabaseConfig(env: Readonly<Record<string, string | undefined>>): DatabaseConfig {
  return databaseConfig.compile(env);
}
