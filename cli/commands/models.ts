import { parseArgs } from 'node:util';
import { openDatabase } from '../../pipeline/db/database.ts';
import { parseDatabaseConfig } from '../../pipeline/db/database-config.ts';
import { PostgresModelRegistry } from '../../pipeline/db/model-registry-store.ts';
import { UsageError } from '../../pipeline/errors.ts';
import { parseModelRef } from '../../pipeline/models/model-registry.ts';
import type { Command } from '../command.ts';

const usage = `candleflow models register <dir> | list [--json] | activate <name>@<version>

  register <dir>   validate a model folder (model.json card, sha256 of model.onnx, ONNX inputs and outputs
                   against the feature schema) and add it to the registry; refuses with the reason otherwise
  list             registered models, the active one marked, with held-out error next to the baseline's
  activate <ref>   make name@version the model the predictor serves (it reloads within MODEL_RELOAD_INTERVAL)

The registry lives in the database at DATABASE_URL (or the embedded one under DATA_DIR: stop candleflow dev first,
the embedded database has one owner at a time).`;

export const modelsCommand: Command = {
  name: 'models',
  summary: 'register, list and activate prediction models (the registry in Postgres)',
  usage,
  async run(argv, io) {
    const { positionals, values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const [action, arg, ...extra] = positionals;
    const wants = action === 'list' ? 0 : 1;
    if (
      !action ||
      !['register', 'list', 'activate'].includes(action) ||
      (wants === 1 && !arg) ||
      extra.length > 0 ||
      (wants === 0 && arg)
    ) {
      throw new UsageError(`models takes register <dir>, list or activate <name>@<version>`);
    }
    const ref = action === 'activate' ? parseModelRef(arg!) : undefined;
    const db = await openDatabase(parseDatabaseConfig(io.env), { applicationName: 'candleflow-models' });
    try {
      const registry = new PostgresModelRegistry(db.pool);
      if (action === 'register') {
        const m = await registry.register(arg!);
        io.stdout.write(
          `registered ${m.name}@${m.version} (${m.kind}, sha256 ${m.sha256})${m.active ? ', active' : ''}\n`,
        );
      } else if (ref) {
        const m = await registry.activate(ref.name, ref.version);
        io.stdout.write(`activated ${m.name}@${m.version}\n`);
      } else {
        const models = await registry.list();
        if (values.json) {
          io.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
        } else if (models.length === 0) {
          io.stdout.write('no models registered\n');
        } else {
          for (const m of models) {
            const { model, baseline, span } = m.card.metrics;
            io.stdout.write(
              `${m.active ? '*' : ' '} ${m.name}@${m.version}  ${m.kind}  ${m.card.timeframe} h=${m.card.horizon}  ` +
                `held-out MAE ${model.mae.toPrecision(5)} (baseline ${baseline.mae.toPrecision(5)}) on ${span}  sha256 ${m.sha256.slice(0, 12)}\n`,
            );
          }
        }
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
