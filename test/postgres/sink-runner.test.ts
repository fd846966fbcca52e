import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryBus } from '../../pipeline/bus/memory-bus.ts';
import { migrate } from '../../pipeline/db/migrate.ts';
import type { Pool } from '../../pipeline/db/pool.ts';
import { createSql } from '../../pipeline/db/sql.ts';
import { PostgresResultStore } from '../../stages/postgres-sink/result-store.ts';
import { topics } from '../../pipeline/index.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { createRegistry, StageMetrics } from '../../pipeline/metrics/stage-metrics.ts';
import { createLocalRegistryCodec } from '../../pipeline/serde/local-registry-codec.ts';
import { StageRunner } from '../../pipeline/stage/index.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { createPostgresSinkStage } from '../../stages/postgres-sink/stage.ts';
import {
  databaseKinds,
  openTestDatabase,
  realServerAvailable,
  urlVia,
  type TestDatabase,
} from '../support/databases.ts';
import { candle } from '../support/records.ts';
import { describeWithService } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

// The sink under the real stage runner and the embedded bus, with the database going away mid-stream: the runner
// keeps the partition waiting and the stage not ready, then resumes; every candle ends up in the table once.

for (const kind of databaseKinds) {
  describeWithService(
    'PostgreSQL at DATABASE_URL',
    kind === 'embedded' || realServerAvailable ? null : 'nothing listens there',
    `postgres-sink under the runner (${kind})`,
    () => {
      let db: TestDatabase;
      let admin: Pool;
      beforeAll(async () => {
        db = await openTestDatabase(kind);
        admin = db.pool({ max: 1 });
        await migrate(admin);
      });
      afterAll(async () => db?.close());

      it('survives an outage mid-stream with nothing lost or duplicated, not ready meanwhile', async () => {
        const proxy = new TcpProxy(db.host, db.port);
        const port = await proxy.start();
        const pool = db.pool({ max: 2, url: urlVia(db.url, port), connectionTimeoutMs: 500 });
        const bus = new MemoryBus();
        const codec = createLocalRegistryCodec();
        await bus.ensureTopics([topics.candles]);
        const metrics = new StageMetrics(createRegistry({ defaultMetrics: false }));
        const sink = createPostgresSinkStage(new PostgresResultStore(createSql(pool)));
        const runner = new StageRunner(
          sink,
          { bus, codec, metrics, log: silentLogger },
          {
            ticks: false,
            maxBatchSize: 20,
            retry: { initialMs: 20, multiplier: 2, maxMs: 200, jitter: 0, retries: 3 },
          },
        );
        await runner.start();
        const send = async (from: number, to: number) => {
          for (let i = from; i < to; i++) {
            const c = candle(i);
            await bus.produce(topics.candles.name, [
              { key: `${c.symbol}|${c.timeframe}|${c.start}`, value: await codec.encode('candles', 'Candle', c) },
            ]);
          }
        };
        const rows = async () => Number((await admin.query('SELECT count(*) AS n FROM candles')).rows[0].n);
        await send(0, 50);
        await waitFor(async () => (await rows()) === 50, 'the first 50 candles', 15_000, 50);
        await proxy.stop();
        await send(50, 120);
        await waitFor(() => !runner.ready(), 'the sink to report not ready', 15_000, 20);
        expect(await rows()).toBe(50);
        await proxy.start();
        await waitFor(async () => (await rows()) === 120, 'all 120 candles after the outage', 30_000, 50);
        await waitFor(() => runner.ready(), 'the sink to be ready again', 15_000, 20);
        const starts = (await admin.query('SELECT start FROM candles ORDER BY start')).rows.map((r) => Number(r.start));
        expect(starts).toEqual(Array.from({ length: 120 }, (_, i) => candle(i).start));
        await runner.stop();
        await bus.close();
        await pool.end();
        await proxy.stop();
      });
    },
  );
}
