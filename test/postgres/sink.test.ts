import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../pipeline/db/migrate.ts';
import type { Pool } from '../../pipeline/db/pool.ts';
import { PostgresResultStore } from '../../pipeline/db/result-store.ts';
import { DatabaseError, topics } from '../../pipeline/index.ts';
import { createPostgresSinkStage } from '../../stages/postgres-sink/stage.ts';
import { BatchHarness } from '../support/batch-runner.ts';
import {
  databaseKinds,
  openTestDatabase,
  realServerAvailable,
  urlVia,
  type TestDatabase,
} from '../support/databases.ts';
import {
  candle,
  chartPattern,
  features,
  inputs,
  prediction,
  predictionError,
  sentiment,
  signal,
} from '../support/records.ts';
import { describeWithService } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

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
        await pool.query(
          'TRUNCATE candles, features, predictions, latest_predictions, prediction_errors, signals, sentiment, chart_patterns',
        );
      });

      const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

      it('writes every result topic to its table, values unchanged', async () => {
        const stage = createPostgresSinkStage(new PostgresResultStore(pool));
        const h = new BatchHarness();
        await h.run(
          stage,
          inputs(
            topics.candles.name,
            range(3).map((i) => candle(i)),
          ),
        );
        await h.run(
          stage,
          inputs(
            topics.features.name,
            range(3).map((i) => features(i)),
          ),
        );
        await h.run(
          stage,
          inputs(
            topics.predictions.name,
            range(3).map((i) => prediction(i)),
          ),
        );
        await h.run(
          stage,
          inputs(
            topics.predictionErrors.name,
            range(3).map((i) => predictionError(i)),
          ),
        );
        await h.run(
          stage,
          inputs(
            topics.signals.name,
            range(3).map((i) => signal(i)),
          ),
        );
        await h.run(
          stage,
          inputs(
            topics.sentiment.name,
            range(3).map((i) => sentiment(i)),
          ),
        );
        await h.run(
          stage,
          inputs(
            topics.chartPatterns.name,
            range(3).map((i) => chartPattern(i)),
          ),
        );
        for (const t of [
          'candles',
          'features',
          'predictions',
          'prediction_errors',
          'signals',
          'sentiment',
          'chart_patterns',
        ]) {
          expect(await count(t), t).toBe(3);
        }
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
        const s = (await pool.query('SELECT risk_checks, ts FROM signals ORDER BY ts LIMIT 1')).rows[0];
        expect(s).toEqual({ risk_checks: ['max-position'], ts: signal(0).timestamp });
        expect(h.deadLetters).toEqual([]);
        expect(h.readiness).toEqual([true]);
      });

      it('a batch mixing topics is written in one transaction', async () => {
        const writes: string[][] = [];
        const store = new PostgresResultStore(pool);
        const stage = createPostgresSinkStage({
          upsert: (batches) => (writes.push(batches.map((b) => b.topic)), store.upsert(batches)),
        });
        await new BatchHarness().run(stage, [
          ...inputs(topics.candles.name, [candle(0), candle(1)]),
          ...inputs(topics.features.name, [features(0)]),
        ]);
        expect(writes).toEqual([['candles', 'features']]);
        expect([await count('candles'), await count('features')]).toEqual([2, 1]);
      });

      it('a redelivered batch and a corrected record replace rows, never duplicate them', async () => {
        const stage = createPostgresSinkStage(new PostgresResultStore(pool));
        const h = new BatchHarness();
        const batch = inputs(
          topics.candles.name,
          range(100).map((i) => candle(i)),
        );
        await h.run(stage, batch);
        await h.run(stage, batch);
        await h.run(stage, inputs(topics.candles.name, [candle(7, { close: 10_803, volume: 99 })]));
        expect(await count('candles')).toBe(100);
        const row = (await pool.query('SELECT close, volume FROM candles WHERE start = $1', [candle(7).start])).rows[0];
        expect(row).toEqual({ close: 10_803, volume: 99 });
      });

      it('within one batch the last record of a key wins', async () => {
        const stage = createPostgresSinkStage(new PostgresResultStore(pool));
        const h = new BatchHarness();
        await h.run(
          stage,
          inputs(topics.predictions.name, [
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
        const stage = createPostgresSinkStage(new PostgresResultStore(pool));
        const h = new BatchHarness();
        await h.run(
          stage,
          inputs(topics.predictions.name, [
            prediction(3),
            prediction(9),
            prediction(4),
            prediction(2, { modelName: 'arima' }),
          ]),
        );
        await h.run(stage, inputs(topics.predictions.name, [prediction(5)]));
        await h.run(
          stage,
          inputs(topics.predictions.name, [prediction(9, { predictedReturn: 0.005, predictedPrice: 10_900 })]),
        );
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
        const stage = createPostgresSinkStage(new PostgresResultStore(pool));
        const h = new BatchHarness();
        const batch = inputs(topics.candles.name, [
          candle(0),
          candle(1, { timeframe: '7m' }),
          candle(2, { close: Number.NaN }),
          candle(3, { high: 10_000, low: 10_900 }),
          candle(4, { symbol: 'btcusd' }),
          candle(5),
        ]);
        await h.run(stage, batch);
        expect(await count('candles')).toBe(2);
        expect(h.deadLetters.map((d) => d.record.offset)).toEqual([
          batch[1]!.offset,
          batch[2]!.offset,
          batch[3]!.offset,
          batch[4]!.offset,
        ]);
        expect(h.deadLetters.map((d) => d.error.code)).toEqual([
          'CF_ERR_VALIDATION',
          'CF_ERR_VALIDATION',
          'CF_ERR_VALIDATION',
          'CF_ERR_VALIDATION',
        ]);
        expect(h.deadLetters[0]!.error.message).toMatch(/timeframe "7m"/);
        expect(h.deadLetters[2]!.error.message).toMatch(/high 10000 is below low 10900/);
        expect(h.committed).toEqual(batch.map((r) => r.offset));
      });

      it('a record the database refuses is dead-lettered alone; the batch goes on', async () => {
        // A valid string by the schema that PostgreSQL cannot store: text columns refuse the NUL character.
        const stage = createPostgresSinkStage(new PostgresResultStore(pool));
        const batch = inputs(topics.signals.name, [signal(0), signal(1, { modelVersion: 'v1\u0000' }), signal(2)]);
        const h = new BatchHarness();
        await h.run(stage, batch);
        expect(await count('signals')).toBe(2);
        expect(h.deadLetters.map((d) => [d.record.offset, d.error.code, d.error.retriable])).toEqual([
          [batch[1]!.offset, 'CF_ERR_DATABASE', false],
        ]);
        expect(h.committed).toEqual(batch.map((r) => r.offset));
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
          const stage = createPostgresSinkStage(new PostgresResultStore(viaProxy));
          const h = new BatchHarness();
          await h.run(
            stage,
            inputs(
              topics.candles.name,
              range(50).map((i) => candle(i)),
            ),
          );
          await proxy.stop();
          const second = inputs(
            topics.candles.name,
            range(100).map((i) => candle(i + 25)),
          );
          const errors: unknown[] = [];
          await h.run(stage, second, async (err, attempt) => {
            errors.push(err);
            if (attempt === 3) await proxy.start();
          });
          expect(errors.length).toBe(3);
          expect(errors.every((e) => e instanceof DatabaseError && e.retriable)).toBe(true);
          expect(h.readiness).toEqual([true, false, true]);
          expect(h.committed.slice(-100)).toEqual(second.map((r) => r.offset));
          expect(await count('candles')).toBe(125);
          const starts = (await pool.query('SELECT start FROM candles ORDER BY start')).rows.map((r) => r.start);
          expect(starts).toEqual(range(125).map((i) => candle(i).start));
        });

        for (const mode of ['before-commit', 'after-commit'] as const) {
          it(`connection cut mid-transaction (${mode}): the retried batch leaves every row exactly once`, async () => {
            const stage = createPostgresSinkStage(new PostgresResultStore(viaProxy));
            const h = new BatchHarness();
            // 1,200 rows: three INSERT statements inside the transaction before the COMMIT that gets cut.
            const batch = inputs(
              topics.features.name,
              range(1_200).map((i) => features(i)),
            );
            proxy.cutAtCommit(mode);
            await h.run(stage, batch);
            expect(proxy.cuts).toBe(1);
            expect(h.failedAttempts).toBe(1);
            expect(h.readiness).toEqual([false, true]);
            expect(await count('features')).toBe(1_200);
            const distinct = (await pool.query('SELECT count(DISTINCT start) AS n FROM features')).rows[0];
            expect(Number(distinct.n)).toBe(1_200);
          });
        }
      });
    },
  );
}
