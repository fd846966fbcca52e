import { parseArgs } from 'node:util';
import {
  describeScope,
  isForecastCard,
  parseModelRef,
  UsageError,
  type ModelScope,
  type RegisteredModel,
} from '../../pipeline/index.ts';
import { databaseConfig, openDatabase, PostgresModelRegistry } from '../../pipeline/runtime/index.ts';
import type { Command } from '../command.ts';

const usage = `candleflow models register <dir> | list [--task T] [--json] | activate <name>@<version> [--symbol S] [--timeframe T]

  register <dir>   validate a model folder (model.json card, sha256 of model.onnx, ONNX inputs and outputs by a
                   dry run) and add it to the registry; refuses with the reason otherwise
  list             registered models by task, where each is active, held-out figures next to the baseline's
  activate <ref>   make name@version the model that serves its task (a forecast model: for its own timeframe,
                   unless --symbol/--timeframe say where); running stages reload within MODEL_RELOAD_INTERVAL

The registry lives in the database at DATABASE_URL (or the embedded one under DATA_DIR).`;

function figures(m: RegisteredModel): string {
  const { model, baseline, baselines, span } = m.card.metrics;
  const [name, base] = baseline ? ['baseline', baseline] : (Object.entries(baselines ?? {})[0] ?? ['baseline', {}]);
  // The first plain figure: per-class breakdowns do not fit on one line.
  const [metric, value] = Object.entries(model).find((e): e is [string, number] => typeof e[1] === 'number')!;
  const b = base[metric];
  const against = typeof b === 'number' ? ` (${name} ${b.toPrecision(5)})` : '';
  return `held-out ${metric} ${value.toPrecision(5)}${against} on ${span}`;
}

function line(m: RegisteredModel): string {
  const where = m.activeFor.length ? `active for ${m.activeFor.map(describeScope).join('; ')}` : 'inactive';
  const series = isForecastCard(m.card) ? `${m.card.timeframe} h=${m.card.horizon}  ` : '';
  return `${m.active ? '*' : ' '} ${m.task.padEnd(19)} ${m.name}@${m.version}  ${m.kind}  ${series}${figures(m)}  ${where}  sha256 ${m.sha256.slice(0, 12)}`;
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'register, list and activate models per task (the registry in Postgres)',
  usage,
  async run(argv, io) {
    const { positionals, values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        task: { type: 'string' },
        symbol: { type: 'string' },
        timeframe: { type: 'string' },
      },
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
      throw new UsageError('models takes register <dir>, list or activate <name>@<version>');
    }
    if ((values.symbol || values.timeframe) && action !== 'activate')
      throw new UsageError('--symbol and --timeframe go with activate');
    const ref = action === 'activate' ? parseModelRef(arg!) : undefined;
    const scope: ModelScope | undefined =
      values.symbol || values.timeframe
        ? {
            ...(values.symbol ? { symbol: values.symbol } : {}),
            ...(values.timeframe ? { timeframe: values.timeframe } : {}),
          }
        : undefined;
    const db = await openDatabase(databaseConfig.compile(io.env), { applicationName: 'candleflow-models' });
    try {
      const registry = new PostgresModelRegistry(db.sql);
      if (action === 'register') {
        const m = await registry.register(arg!);
        io.stdout.write(
          `registered ${m.name}@${m.version} (${m.task}, ${m.kind}, sha256 ${m.sha256})${m.active ? ', active' : ''}\n`,
        );
      } else if (ref) {
        const m = await registry.activate(ref.name, ref.version, scope);
        io.stdout.write(`activated ${m.name}@${m.version} for ${m.task} (${describeScope(m.scope)})\n`);
      } else {
        const models = (await registry.list()).filter((m) => !values.task || m.task === values.task);
        if (values.json) io.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
        else if (models.length === 0) io.stdout.write('no models registered\n');
        else for (const m of [...models].sort((a, b) => a.task.localeCompare(b.task))) io.stdout.write(`${line(m)}\n`);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
