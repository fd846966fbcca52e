import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../pipeline/db/migrate.ts';
import type { Pool } from '../../pipeline/db/pool.ts';
import { createSql } from '../../pipeline/db/sql.ts';
import { topics, type TopicSpec } from '../../pipeline/index.ts';
import { input, StageUnderTest, type StageInput } from '../../pipeline/testing/run-stage.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { PostgresResultStore } from '../../stages/postgres-sink/result-store.ts';
import { createPostgresSinkStage, type ResultWriter } from '../../stages/postgres-sink/stage.ts';
import {
  databaseKinds,
  openTestDatabase,
  realServerAvailable,
  urlVia,
  type TestDatabase,
} from '../support/databases.ts';
import { candle, features, prediction, predictionError } from '../support/records.ts';
import { describeWithService } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

// The sink on the real runner (pipeline/testing/run-stage.ts) against both databases: what lands in the tables,
// what is dead-lettered, and what an outage does.

const inputs = <T extends object>(topic: TopicSpec, values: readonly T[]): StageInput[] =>
  values.map((v) => input(topic as typeof topics.candles, v as never));

const running: StageUnderTest[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function sink(writer: ResultWriter): Promise<StageUnderTest> {
  const run = await new StageUnderTest(createPostgresSinkStage(writer), {
    maxBatchSize: 5_000,
    retry: { initialMs: 20, multiplier: 2, maxMs: 200, jitter: 0, retries: 3 },
  }).start();
  running.push(run);
  return run;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

for (const kind of databaseKinds) {
  describeWithService(
    'PostgreSQL at DATABASE_URL',
    kind === 'embedded' || realServerAvailable ? null : 'nothing listens there',
    `postgres-sink (${kind})`,
    () => {
      let db: TestDatabase;
      let pool: Pool;
      beforeAll(async () => {
        db = await openTestDatabase(kind);
        pool = db.pool({ max: 2 });
        await migrate(pool);
      });
      afterAll(async () => db?.close());
      beforeEach(async () => {
        await pool.query('TRUNCATE candles, features, predictions, latest_predictions, prediction_errors');
      });

      const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

      it('writes every result topic to its table, values unchanged', async () => {
        const h = await sink(new PostgresResultStore(createSql(pool)));
        await h.send([
          ...inputs(
            topics.candles,
            range(3).map((i) => candle(i)),
          ),
          ...inputs(
            topics.features,
            range(3).map((i) => features(i)),
          ),
          ...inputs(
            topics.predictions,
            range(3).map((i) => prediction(i)),
          ),
          ...inputs(
            topics.predictionErrors,
            range(3).map((i) => predictionError(i)),
          ),
        ]);
        for (const t of ['candles', 'features', 'predictions', 'prediction_errors']) expect(await count(t), t).toBe(3);
        const c = (await pool.query('SELECT * FROM candles ORDER BY start LIMIT 1')).rows[0];
        expect(c).toMatchObject({
          symbol: 'BTC/USD',
          timeframe: '1m',
          start: candle(0).start,
          end: candle(0).end,
          open: 10_800,
          high: 10_805,
          trades: 10,
          final: true,
        });
        const f = (await pool.query('SELECT sma20, williams_r14 FROM features ORDER BY start LIMIT 1')).rows[0];
        expect(f).toEqual({ sma20: null, williams_r14: -40 });
        expect(h.deadLetters).toEqual([]);
        expect(h.ready()).toBe(true);
      });

      it('a redelivered batch and a corrected record replace rows, never duplicate them', async () => {
        const h = await sink(new PostgresResultStore(createSql(pool)));
        const batch = inputs(
          topics.candles,
          range(100).map((i) => candle(i)),
        );
        await h.send(batch);
        await h.send(batch);
        await h.send(inputs(topics.candles, [candle(7, { close: 10_803, volume: 99 })]));
        expect(await count('candles')).toBe(100);
        const row = (await pool.query('SELECT close, volume FROM candles WHERE start = $1', [candle(7).start])).rows[0];
        expect(row).toEqual({ close: 10_803, volume: 99 });
      });

      it('within one batch the last record of a key wins', async () => {
        const h = await sink(new PostgresResultStore(createSql(pool)));
        await h.send(
          inputs(topics.predictions, [
            prediction(1),
            prediction(2),
            prediction(1, { predictedReturn: 0.01, predictedPrice: 10_910 }),
          ]),
        );
        expect(await count('predictions')).toBe(2);
        const row = (
          await pool.query('SELECT predicted_return FROM predictions WHERE feature_time = $1', [
            prediction(1).featureTime,
          ])
        ).rows[0];
        expect(row.predicted_return).toBe(0.01);
      });

      it('keeps the newest prediction per model in latest_predictions; late older ones do not move it back', async () => {
        const h = await sink(new PostgresResultStore(createSql(pool)));
        await h.send(
          inputs(topics.predictions, [
            prediction(3),
            prediction(9),
            prediction(4),
            prediction(2, { modelName: 'arima' }),
          ]),
        );
        await h.send(inputs(topics.predictions, [prediction(5)]));
        await h.send(inputs(topics.predictions, [prediction(9, { predictedReturn: 0.005, predictedPrice: 10_900 })]));
        const latest = await pool.query(
          'SELECT model_name, feature_time, predicted_return FROM latest_predictions ORDER BY model_name',
        );
        expect(latest.rows).toEqual([
          {
            model_name: 'arima',
            feature_time: prediction(2).featureTime,
            predicted_return: prediction(2).predictedReturn,
          },
          { model_name: 'lgbm-returns', feature_time: prediction(9).featureTime, predicted_return: 0.005 },
        ]);
        expect(await count('predictions')).toBe(5);
      });

      it('dead-letters records that break the schema and writes the rest', async () => {
        const h = await sink(new PostgresResultStore(createSql(pool)));
        await h.send(
          inputs(topics.candles, [
            candle(0),
            candle(1, { timeframe: '7m' }),
            candle(2, { close: Number.NaN }),
            candle(3, { high: 10_000, low: 10_900 }),
            candle(4, { symbol: 'btcusd' }),
            candle(5),
          ]),
        );
        expect(await count('candles')).toBe(2);
        expect(h.deadLetters.map((d) => d.code)).toEqual(Array(4).fill('CF_ERR_VALIDATION'));
        expect(h.deadLetters.map((d) => d.message).join('\n')).toMatch(/timeframe "7m"/);
        expect(h.deadLetters.map((d) => d.message).join('\n')).toMatch(/high 10000 is below low 10900/);
      });

      it('a record the database refuses is dead-lettered alone; the batch goes on', async () => {
        // A valid string by the schema that PostgreSQL cannot store: text columns refuse the NUL character.
        const h = await sink(new PostgresResultStore(createSql(pool)));
        await h.send(
          inputs(topics.predictions, [prediction(0), prediction(1, { modelVersion: 'v1\u0000' }), prediction(2)]),
        );
        expect(await count('predictions')).toBe(2);
        expect(h.deadLetters.map((d) => d.code)).toEqual(['CF_ERR_DATABASE']);
      });

      describe('outages', () => {
        let proxy: TcpProxy;
        let viaProxy: Pool;
        beforeEach(async () => {
          proxy = new TcpProxy(db.host, db.port);
          const port = await proxy.start();
          viaProxy = db.pool({ url: urlVia(db.url, port), max: 2, connectionTimeoutMs: 1_000 });
        });
        afterEach(async () => {
          await viaProxy.end().catch(() => {});
          await proxy.stop();
        });

        it('database down: not ready, the batch waits and is retried, nothing lost or duplicated once it is back', async () => {
          const h = await sink(new PostgresResultStore(createSql(viaProxy)));
          await h.send(
            inputs(
              topics.candles,
              range(50).map((i) => candle(i)),
            ),
          );
          await proxy.stop();
          const second = h.send(
            inputs(
              topics.candles,
              range(100).map((i) => candle(i + 25)),
            ),
          );
          await waitFor(() => !h.ready(), 'the sink to report not ready', 15_000);
          await waitFor(async () => (await h.retries()) >= 2, 'the batch to be retried', 15_000);
          expect(await count('candles')).toBe(50);
          await proxy.start();
          await second;
          expect(h.ready()).toBe(true);
          expect(h.deadLetters).toEqual([]);
          const starts = (await pool.query('SELECT start FROM candles ORDER BY start')).rows.map((r) => r.start);
          expect(starts).toEqual(range(125).map((i) => candle(i).start));
        });

        for (const mode of ['before-commit', 'after-commit'] as const) {
          it(`connection cut mid-transaction (${mode}): the retried batch leaves every row exactly once`, async () => {
            const h = await sink(new PostgresResultStore(createSql(viaProxy)));
            // 1,200 rows: three INSERT statements inside the transaction before the COMMIT that gets cut.
            proxy.cutAtCommit(mode);
            await h.send(
              inputs(
                topics.features,
                range(1_200).map((i) => features(i)),
              ),
            );
            expect(proxy.cuts).toBe(1);
            expect(await h.retries()).toBe(1);
            expect(h.ready()).toBe(true);
            expect(await count('features')).toBe(1_200);
            const distinct = (await pool.query('SELECT count(DISTINCT start) AS n FROM features')).rows[0];
            expect(Number(distinct.n)).toBe(1_200);
          });
        }
      });
    },
  );
}
