import { dirname, join } from 'node:path';
import { InputError } from '../errors.ts';
import type { ModelCard } from '../models/model-card.ts';
import {
  validateModelDir,
  type ActiveModel,
  type ModelRegistry,
  type RegisteredModel,
} from '../models/model-registry.ts';
import type { Pool } from './pool.ts';
import { toDatabaseError } from './pool.ts';
import { saveModel } from './queries.ts';

// The model registry in PostgreSQL (table `models`), behind `candleflow models` and the predictor's hot reload.
// One model is active at a time across the pipeline (the ModelRegistry contract); the table's per-timeframe
// unique index is the weaker rule the database enforces on its own.

interface Row {
  name: string;
  version: string;
  sha256: string;
  card: ModelCard;
  onnx_path: string;
  active: boolean;
  registered_at: string;
}

function toModel(row: Row): RegisteredModel {
  return {
    name: row.name,
    version: row.version,
    kind: row.card.kind,
    sha256: row.sha256,
    dir: dirname(row.onnx_path),
    registeredAt: Number(row.registered_at),
    active: row.active,
    card: row.card,
  };
}

export class PostgresModelRegistry implements ModelRegistry {
  constructor(
    private readonly pool: Pool,
    private readonly now: () => number = Date.now,
  ) {}

  async register(dir: string): Promise<RegisteredModel> {
    const checked = await validateModelDir(dir);
    const { name, version } = checked.card;
    const existing = await this.find(name, version);
    if (existing) {
      if (existing.sha256 === checked.sha256) return existing;
      throw new InputError(
        `cannot register ${checked.dir}: ${name}@${version} is already registered with sha256 ${existing.sha256} (this model.onnx has ${checked.sha256}); give it a new version`,
      );
    }
    await saveModel(this.pool, {
      name,
      version,
      timeframe: checked.card.timeframe,
      sha256: checked.sha256,
      card: checked.card as unknown as Record<string, unknown>,
      onnxPath: join(checked.dir, 'model.onnx'),
      active: false,
      registeredAt: this.now(),
    });
    return (await this.find(name, version))!;
  }

  async list(): Promise<RegisteredModel[]> {
    return (await this.query('SELECT * FROM models ORDER BY name, registered_at')).map(toModel);
  }

  async activate(name: string, version: string): Promise<ActiveModel> {
    const model = await this.find(name, version);
    if (!model) {
      const known = (await this.list()).map((m) => `${m.name}@${m.version}`).join(', ') || 'none';
      throw new InputError(`cannot activate ${name}@${version}: it is not registered (registered: ${known})`);
    }
    const client = await this.pool.connect().catch((err: unknown) => {
      throw toDatabaseError(err, 'activate model: cannot connect');
    });
    try {
      await client.query('BEGIN');
      await client.query('UPDATE models SET active = false WHERE active');
      await client.query('UPDATE models SET active = true WHERE name = $1 AND version = $2', [name, version]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw toDatabaseError(err, `activate ${name}@${version}`);
    } finally {
      client.release();
    }
    return { name, version, sha256: model.sha256, dir: model.dir, card: model.card };
  }

  async active(): Promise<ActiveModel | null> {
    const [row] = await this.query('SELECT * FROM models WHERE active ORDER BY registered_at DESC LIMIT 1');
    if (!row) return null;
    const { name, version, sha256, dir, card } = toModel(row);
    return { name, version, sha256, dir, card };
  }

  private async find(name: string, version: string): Promise<RegisteredModel | undefined> {
    const [row] = await this.query('SELECT * FROM models WHERE name = $1 AND version = $2', [name, version]);
    return row ? toModel(row) : undefined;
  }

  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.pool.query<Row>(sql, params)).rows;
    } catch (err) {
      throw toDatabaseError(err, 'model registry');
    }
  }
}
