import { join } from 'node:path';
import type { ModelCard, ModelTask } from '../models/card-types.ts';
import {
  defaultScope,
  refuseOtherSha,
  refuseUnknown,
  resolveActivation,
  validateModelDir,
  type ActiveModel,
  type ModelRegistry,
  type ModelScope,
  type RegisteredModel,
} from '../models/model-registry.ts';
import type { Sql } from './sql.ts';

// The model registry in PostgreSQL: `models` holds every registered version, `model_activations` which one serves
// each (task, symbol, timeframe); '' stands for any. Replacing an activation is one upsert on that key, so two
// `activate` calls racing leave exactly one model active there.

interface ModelRow {
  name: string;
  version: string;
  task: ModelTask;
  sha256: string;
  card: ModelCard;
  onnx_path: string;
  registered_at: number;
}

interface ActivationRow {
  task: ModelTask;
  symbol: string;
  timeframe: string;
  name: string;
  version: string;
}

const scopeOf = (row: { symbol: string; timeframe: string }): ModelScope => ({
  ...(row.symbol ? { symbol: row.symbol } : {}),
  ...(row.timeframe ? { timeframe: row.timeframe } : {}),
});

export class PostgresModelRegistry implements ModelRegistry {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => number = Date.now,
  ) {}

  async register(dir: string): Promise<RegisteredModel> {
    const checked = await validateModelDir(dir);
    const { name, version } = checked.card;
    const [existing] = await this.models('WHERE name = $1 AND version = $2', [name, version]);
    if (existing) {
      if (existing.sha256 === checked.sha256) return existing;
      refuseOtherSha(checked.dir, existing, checked.sha256);
    }
    await this.sql.query(
      `INSERT INTO models (name, version, task, timeframe, sha256, card, onnx_path, registered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        name,
        version,
        checked.card.task,
        (checked.card as { timeframe?: string }).timeframe ?? '',
        checked.sha256,
        JSON.stringify(checked.card),
        join(checked.dir, checked.card.onnx.file),
        this.now(),
      ],
    );
    return (await this.models('WHERE name = $1 AND version = $2', [name, version]))[0]!;
  }

  list(task?: ModelTask): Promise<RegisteredModel[]> {
    return task === undefined ? this.models('', []) : this.models('WHERE task = $1', [task]);
  }

  async activate(name: string, version: string, scopeIn?: ModelScope): Promise<ActiveModel> {
    const [model] = await this.models('WHERE name = $1 AND version = $2', [name, version]);
    if (!model) refuseUnknown(name, version, await this.list());
    const scope = defaultScope(model.card, scopeIn);
    await this.sql.query(
      `INSERT INTO model_activations (task, symbol, timeframe, name, version, activated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (task, symbol, timeframe) DO UPDATE
         SET name = EXCLUDED.name, version = EXCLUDED.version, activated_at = EXCLUDED.activated_at`,
      [model.task, scope.symbol ?? '', scope.timeframe ?? '', name, version, this.now()],
    );
    return { name, version, task: model.task, sha256: model.sha256, dir: model.dir, card: model.card, scope };
  }

  async activations(task: ModelTask): Promise<ActiveModel[]> {
    const rows = await this.sql.query<ActivationRow & ModelRow>(
      `SELECT a.task, a.symbol, a.timeframe, a.name, a.version, m.sha256, m.card, m.onnx_path
         FROM model_activations a JOIN models m USING (name, version)
        WHERE a.task = $1 ORDER BY a.symbol, a.timeframe`,
      [task],
    );
    return rows.map((r) => ({
      name: r.name,
      version: r.version,
      task: r.task,
      sha256: r.sha256,
      dir: dirOf(r.onnx_path),
      card: withTask(r.card, r.task),
      scope: scopeOf(r),
    }));
  }

  async active(task: ModelTask, series?: ModelScope): Promise<ActiveModel | null> {
    return resolveActivation(await this.activations(task), series);
  }

  private async models(where: string, values: unknown[]): Promise<RegisteredModel[]> {
    const rows = await this.sql.query<ModelRow>(`SELECT * FROM models ${where} ORDER BY name, registered_at`, values);
    const activations = await this.sql.query<ActivationRow>('SELECT * FROM model_activations');
    return rows.map((row) => {
      const activeFor = activations.filter((a) => a.name === row.name && a.version === row.version).map(scopeOf);
      return {
        name: row.name,
        version: row.version,
        task: row.task,
        kind: row.card.kind,
        sha256: row.sha256,
        dir: dirOf(row.onnx_path),
        registeredAt: Number(row.registered_at),
        active: activeFor.length > 0,
        activeFor,
        card: withTask(row.card, row.task),
      };
    });
  }
}

// Cards stored before tasks existed lack the field; the migration gave their rows the task.
const withTask = (card: ModelCard, task: ModelTask): ModelCard => (card.task ? card : { ...card, task });

const dirOf = (onnxPath: string) => onnxPath.slice(0, onnxPath.lastIndexOf('/'));
