import { describe, expect, it } from 'vitest';
import { parseDatabaseConfig } from './database-config.ts';

describe('parseDatabaseConfig', () => {
  it('defaults to the embedded database under ./data/pg', () => {
    expect(parseDatabaseConfig({})).toEqual({
      url: undefined,
      dataDir: './data',
      embeddedDir: './data/pg',
      poolMax: 10,
      connectionTimeoutMs: 5000,
      healthIntervalMs: 2000,
    });
    expect(parseDatabaseConfig({ DATA_DIR: '/var/lib/candleflow/' }).embeddedDir).toBe('/var/lib/candleflow/pg');
    expect(parseDatabaseConfig({ DATA_DIR: 'memory://' }).embeddedDir).toBe('memory://');
  });

  it('takes a real server from DATABASE_URL', () => {
    expect(
      parseDatabaseConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/candleflow', DB_POOL_MAX: '4' }),
    ).toMatchObject({
      url: 'postgresql://u:p@db:5432/candleflow',
      poolMax: 4,
    });
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL'],
    [{ DB_POOL_MAX: '0' }, 'DB_POOL_MAX'],
    [{ DB_CONNECT_TIMEOUT_MS: 'soon' }, 'DB_CONNECT_TIMEOUT_MS'],
  ])('%o fails naming %s', (env, variable) => {
    expect(() => parseDatabaseConfig(env)).toThrow(expect.objectContaining({ code: 'CF_ERR_CONFIG', variable }));
  });
});
