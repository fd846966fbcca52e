import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { boot, type Booted } from '../../cli/boot.ts';
import { createPool, type Pool } from '../../pipeline/db/pool.ts';
import { topics } from '../../pipeline/index.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { realDatabaseUrl, realServerAvailable } from '../support/databases.ts';
import { candle } from '../support/records.ts';
import { describeWithService } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

// `candleflow run postgres-sink` started while the database is unreachable (a proxy in front of the real server,
// closed): it stays up, live but not ready, waits the outage out, migrates, becomes ready, and writes what arrives.
// Later, with nothing to write, an outage still takes /health/ready down and back up.

async function health(url: string, path: string): Promise<number> {
  return (await fetch(`${url}${path}`)).status;
}

describeWithService(
  'PostgreSQL at DATABASE_URL',
  realServerAvailable ? null : 'nothing listens there',
  'a run worker with the database down at its start',
  () => {
    const name = `cf_outage_${randomBytes(5).toString('hex')}`;
    let admin: Pool;
    let proxy: TcpProxy;
    let booted: Booted | undefined;
    beforeAll(async () => {
      admin = createPool(realDatabaseUrl, { max: 1 });
      await admin.query(`CREATE DATABASE ${name}`);
      proxy = new TcpProxy(new URL(realDatabaseUrl).hostname, Number(new URL(realDatabaseUrl).port || 5432));
      await proxy.start();
      await proxy.stop(); // the port stays the proxy's; nothing answers on it
    });
    afterAll(async () => {
      await booted?.stop();
      await proxy.stop();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });

    it('is live and not ready until the database answers, then ready, and the rows arrive', async () => {
      let url: string | undefined;
      const env = {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/${name}`,
        METRICS_PORT: '0',
        DB_CONNECT_TIMEOUT_MS: '300',
        DB_HEALTH_INTERVAL_MS: '100',
        LOG_LEVEL: 'silent',
      };
      const starting = boot({
        env,
        stages: ['postgres-sink'],
        mode: 'run',
        log: silentLogger,
        onListening: (u) => (url = u),
      });
      let settled = false;
      void starting.then(
        () => (settled = true),
        () => (settled = true),
      );
      await waitFor(() => url !== undefined, 'the worker server to listen', 15_000, 20);
      expect(await health(url!, '/health/live')).toBe(200);
      // Several connection attempts (300 ms timeout each, refused at once here) go by: still waiting, not ready.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(settled).toBe(false);
      expect(await health(url!, '/health/ready')).toBe(503);

      await proxy.start();
      booted = await starting;
      await waitFor(async () => (await health(url!, '/health/ready')) === 200, 'ready', 15_000, 50);

      const { bus, codec } = booted.worker;
      for (let i = 0; i < 5; i++) {
        const c = candle(i);
        await bus.produce(topics.candles.name, [
          { key: `${c.symbol}|${c.timeframe}|${c.start}`, value: await codec.encode('candles', 'Candle', c) },
        ]);
      }
      const rows = createPool(`postgres://postgres@${new URL(realDatabaseUrl).host}/${name}`, { max: 1 });
      try {
        const count = async () => Number((await rows.query('SELECT count(*) AS n FROM candles')).rows[0].n);
        await waitFor(async () => (await count()) === 5, 'the five candles in the table', 15_000, 50);

        // Nothing left to write: readiness still follows the database.
        await proxy.stop();
        await waitFor(async () => (await health(url!, '/health/ready')) === 503, 'not ready in an outage', 15_000, 50);
        await proxy.start();
        await waitFor(async () => (await health(url!, '/health/ready')) === 200, 'ready again', 15_000, 50);
      } finally {
        await rows.end();
      }
    });
  },
);
