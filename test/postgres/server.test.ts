import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../pipeline/db/database.ts';
import { parseDatabaseConfig } from '../../pipeline/db/database-config.ts';
import { topics } from '../../pipeline/index.ts';
import { PostgresResultStore } from '../../stages/postgres-sink/result-store.ts';
import { apiConfig } from '../../stages/predictions-api/config.ts';
import { startPredictionsApi } from '../../stages/predictions-api/server.ts';
import { candle } from '../support/records.ts';

// With no DATABASE_URL everything runs on the embedded PostgreSQL, persisted under DATA_DIR.
describe('embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'candleflow-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' };

  it('keeps what the sink wrote across a restart, and the API serves it over HTTP', async () => {
    const first = await openDatabase(parseDatabaseConfig(env));
    expect(first.embedded).toBe(true);
    await new PostgresResultStore(first.sql).upsert([{ topic: topics.candles.name, values: [candle(0), candle(1)] }]);
    await first.close();

    const second = await openDatabase(parseDatabaseConfig(env));
    const api = await startPredictionsApi({ config: apiConfig.compile(env), sql: second.sql, logger: false });
    try {
      const ready = await fetch(`${api.url}/health/ready`);
      expect(ready.status).toBe(200);
      const res = await fetch(`${api.url}/v1/candles?symbol=BTC%2FUSD&timeframe=1m`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { start: number }[] };
      expect(body.data.map((c) => c.start)).toEqual([candle(1).start, candle(0).start]);
    } finally {
      await api.close();
      await second.close();
    }
  });

  it('a malformed DATABASE_URL stops at start naming the variable', () => {
    expect(() => parseDatabaseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(
      /^DATABASE_URL must be a URL like postgres:\/\//,
    );
  });
});
