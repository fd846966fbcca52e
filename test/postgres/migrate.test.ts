import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../pipeline/db/migrate.ts';
import type { Pool } from '../../pipeline/db/pool.ts';
import { databaseKinds, openTestDatabase, realServerAvailable, type TestDatabase } from '../support/databases.ts';
import { describeWithService } from '../support/services.ts';

for (const kind of databaseKinds) {
  describeWithService(
    'PostgreSQL at DATABASE_URL',
    kind === 'embedded' || realServerAvailable ? null : 'nothing listens there',
    `migrations (${kind})`,
    () => {
      let db: TestDatabase;
      beforeAll(async () => {
        db = await openTestDatabase(kind);
      });
      afterAll(async () => db?.close());

      it('applies migrations in order: 0002 backfills latest_predictions from the predictions 0001 holds', async () => {
        const scratch = await openTestDatabase(kind);
        try {
          const pool = scratch.pool({ max: 1 });
          expect(await migrate(pool, loadMigrations().slice(0, 1))).toEqual([1]);
          const insert = `INSERT INTO predictions (symbol, timeframe, feature_time, model_name, horizon, target_time, base_price, predicted_return,
                          predicted_price, model_version, model_sha256) VALUES ('BTC/USD', '1m', $1::bigint, $2, 1, $1::bigint + 60000, 1, 0, 1, '1', 'x')`;
          for (const [t, m] of [
            [1, 'a'],
            [3, 'a'],
            [2, 'a'],
            [1, 'b'],
          ] as const)
            await pool.query(insert, [t, m]);
          expect(await migrate(pool, loadMigrations().slice(0, 2))).toEqual([2]);
          const latest = await pool.query(
            'SELECT model_name, feature_time FROM latest_predictions ORDER BY model_name',
          );
          expect(latest.rows).toEqual([
            { model_name: 'a', feature_time: 3 },
            { model_name: 'b', feature_time: 1 },
          ]);
        } finally {
          await scratch.close();
        }
      });

      it('two migrators started at once apply every migration exactly once', async () => {
        const a = db.pool({ max: 1 });
        const b = db.pool({ max: 1 });
        const [appliedA, appliedB] = await Promise.all([migrate(a), migrate(b)]);
        const all = loadMigrations().map((m) => m.version);
        expect([...appliedA, ...appliedB].sort()).toEqual(all);
        const recorded = await a.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(recorded.rows.map((r) => r.version)).toEqual(all);
      });

      it('a migrator on an up-to-date schema applies nothing', async () => {
        expect(await migrate(db.pool({ max: 1 }))).toEqual([]);
      });

      it('creates every result table with its topic key as primary key', async () => {
        const pool: Pool = db.pool({ max: 1 });
        const keys = await pool.query<{ table_name: string; columns: string }>(
          `SELECT tc.table_name, string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) AS columns
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
          WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
          GROUP BY tc.table_name ORDER BY tc.table_name`,
        );
        expect(Object.fromEntries(keys.rows.map((r) => [r.table_name, r.columns]))).toEqual({
          candles: 'symbol,timeframe,start',
          chart_patterns: 'symbol,timeframe,window_end,kind',
          features: 'symbol,timeframe,start',
          latest_predictions: 'symbol,timeframe,model_name',
          model_activations: 'task,symbol,timeframe',
          models: 'name,version',
          prediction_errors: 'symbol,timeframe,target_time,model_name',
          predictions: 'symbol,timeframe,feature_time,model_name',
          schema_migrations: 'version',
          sentiment: 'symbol,news_id',
          signals: 'symbol,timeframe,ts',
        });
      });

      it('allows one model per task and scope; an activation names a registered model', async () => {
        const pool = db.pool({ max: 1 });
        await pool.query(
          `INSERT INTO models (name, version, task, timeframe, sha256, registered_at) VALUES ('m', '1', 'return-forecast', '1m', 'x', 0)`,
        );
        const activate = `INSERT INTO model_activations (task, symbol, timeframe, name, version, activated_at) VALUES ($1, $2, $3, $4, '1', 0)`;
        await pool.query(activate, ['return-forecast', '', '1m', 'm']);
        await expect(pool.query(activate, ['return-forecast', '', '1m', 'm'])).rejects.toThrow(
          /model_activations_pkey/,
        );
        await pool.query(activate, ['return-forecast', 'BTC/USD', '1m', 'm']);
        await expect(pool.query(activate, ['sentiment', '', '', 'nope'])).rejects.toThrow(/foreign key/);
      });
    },
  );
}
