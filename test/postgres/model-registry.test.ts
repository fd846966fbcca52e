import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../pipeline/db/migrate.ts';
import { PostgresModelRegistry } from '../../pipeline/db/model-registry-store.ts';
import type { Pool } from '../../pipeline/db/pool.ts';
import { createSql, type Sql } from '../../pipeline/db/sql.ts';
import { ensureActiveModels } from '../../pipeline/models/model-registry.ts';
import { bundledModelDirs } from '../../cli/services.ts';
import { databaseKinds, openTestDatabase, realServerAvailable, type TestDatabase } from '../support/databases.ts';
import { describeWithService } from '../support/services.ts';

for (const kind of databaseKinds) {
  describeWithService(
    'PostgreSQL at DATABASE_URL',
    kind === 'embedded' || realServerAvailable ? null : 'nothing listens there',
    `model registry in Postgres (${kind})`,
    () => {
      let db: TestDatabase;
      let pool: Pool;
      let sql: Sql;
      let scratch: string;
      beforeAll(async () => {
        db = await openTestDatabase(kind);
        pool = db.pool({ max: 2 });
        sql = createSql(pool);
        await migrate(pool);
        scratch = mkdtempSync(join(tmpdir(), 'cf-models-'));
      });
      afterAll(async () => {
        await db?.close();
        rmSync(scratch, { recursive: true, force: true });
      });

      it('activates the bundled default on first start, then leaves the choice alone', async () => {
        const registry = new PostgresModelRegistry(sql);
        expect(await registry.active('return-forecast', { timeframe: '1m' })).toBeNull();
        expect(await ensureActiveModels(registry, bundledModelDirs, ['ridge-h5'])).toMatchObject([
          { name: 'ridge-h5', version: '1.0.0', task: 'return-forecast', scope: { timeframe: '1m' } },
        ]);
        expect((await registry.list()).map((m) => `${m.name}@${m.version}:${m.active}`)).toEqual([
          'gru-h5@1.0.0:false',
          'ridge-h5@1.0.0:true',
        ]);
        await registry.activate('gru-h5', '1.0.0');
        expect(await ensureActiveModels(registry, bundledModelDirs, ['ridge-h5'])).toEqual([]);
        expect((await registry.active('return-forecast', { symbol: 'BTC/USD', timeframe: '1m' }))?.name).toBe('gru-h5');
        const active = (await registry.list()).filter((m) => m.active);
        expect(active.map((m) => m.name)).toEqual(['gru-h5']);
      });

      it('registering the same folder again changes nothing', async () => {
        const registry = new PostgresModelRegistry(sql);
        const before = await registry.list();
        await registry.register(bundledModelDirs[0]!);
        expect(await registry.list()).toEqual(before);
      });

      it('refuses a model.onnx that is not the one its card describes, and an unknown model', async () => {
        const registry = new PostgresModelRegistry(sql);
        const tampered = join(scratch, 'tampered');
        cpSync(bundledModelDirs[0]!, tampered, { recursive: true });
        appendFileSync(join(tampered, 'model.onnx'), Buffer.from([0]));
        await expect(registry.register(tampered)).rejects.toThrow(/^cannot register .*tampered: .*sha256/);
        const renamed = join(scratch, 'bad-card');
        cpSync(bundledModelDirs[0]!, renamed, { recursive: true });
        const card = JSON.parse(readFileSync(join(renamed, 'model.json'), 'utf8')) as {
          inputs: { features: string[] };
        };
        card.inputs.features[0] = 'notAFeature';
        writeFileSync(join(renamed, 'model.json'), JSON.stringify(card));
        await expect(registry.register(renamed)).rejects.toThrow(/^cannot register .*bad-card: .*notAFeature/);
        await expect(registry.activate('nope', '1')).rejects.toThrow(
          'cannot activate nope@1: it is not registered (registered: gru-h5@1.0.0, ridge-h5@1.0.0)',
        );
        expect((await registry.list()).length).toBe(2);
      });
    },
  );
}

for (const kind of databaseKinds) {
  describeWithService(
    'PostgreSQL at DATABASE_URL',
    kind === 'embedded' || realServerAvailable ? null : 'nothing listens there',
    `model registry migration to tasks (${kind})`,
    () => {
      it('keeps the model a registry of one-active-model-per-timeframe had active, as that task and timeframe', async () => {
        const db = await openTestDatabase(kind);
        try {
          const pool = db.pool({ max: 1 });
          const all = loadMigrations();
          await migrate(
            pool,
            all.filter((m) => m.version < 3),
          );
          const card = JSON.parse(readFileSync(join(bundledModelDirs[0]!, 'model.json'), 'utf8')) as Record<
            string,
            unknown
          >;
          delete card.task;
          await pool.query(
            `INSERT INTO models (name, version, timeframe, sha256, card, onnx_path, active, registered_at)
             VALUES ('ridge-h5', '1.0.0', '1m', $1, $2, $3, true, 1)`,
            [card.onnx && (card.onnx as { sha256: string }).sha256, card, join(bundledModelDirs[0]!, 'model.onnx')],
          );
          expect(await migrate(pool, all)).toEqual(all.filter((m) => m.version >= 3).map((m) => m.version));
          const registry = new PostgresModelRegistry(createSql(pool));
          const [listed] = await registry.list();
          expect(listed).toMatchObject({
            name: 'ridge-h5',
            task: 'return-forecast',
            active: true,
            activeFor: [{ timeframe: '1m' }],
          });
          expect((await registry.active('return-forecast', { symbol: 'BTC/USD', timeframe: '1m' }))?.name).toBe(
            'ridge-h5',
          );
        } finally {
          await db.close();
        }
      });
    },
  );
}
