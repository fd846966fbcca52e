import { fileURLToPath } from 'node:url';
import { defineConfig, settings, type ModelRegistry, type StageServices } from '../pipeline/index.ts';
import {
  ensureActiveModels,
  openDatabase,
  PostgresModelRegistry,
  type Database,
  type DatabaseConfig,
  type Logger,
  type ReadinessCheck,
  type Resources,
} from '../pipeline/runtime/index.ts';

/** The models shipped in models/, registered on first start; DEFAULT_MODEL names the ones activated then. */
export const bundledModelDirs = ['ridge-h5', 'gru-h5'].map((name) =>
  fileURLToPath(new URL(`../models/${name}/`, import.meta.url)),
);

export const modelDefaultsConfig = defineConfig({
  defaults: settings.list('DEFAULT_MODEL', {
    default: ['ridge-h5'],
    doc: 'bundled models activated on first start, one per task, for tasks that have no active model yet',
  }),
});

export interface ProcessServices extends StageServices {
  /** The database handle itself (the API's queries and readiness share the stages' one). */
  openDatabase(): Promise<Database>;
  /**
   * Readiness of the database for a process whose stages use it (undefined when none asked for it): false while
   * it is still being reached at start, then whether the last health ping got an answer.
   */
  databaseCheck(): ReadinessCheck | undefined;
}

/** The shared services of one process: one database (opened on first use), one model registry on it. */
export function createServices(options: {
  database: DatabaseConfig;
  defaultModels: readonly string[];
  resources: Resources;
  log: Logger;
}): ProcessServices {
  const { resources, log } = options;
  let requested = false;
  let opened: Database | undefined;
  const open = () => {
    requested = true;
    return resources.get('database', async (onClose) => {
      // An unreachable server at start is waited out (with backoff, one log line), not a reason to exit.
      const db = await openDatabase(options.database, {
        applicationName: 'candleflow',
        wait: { log },
        healthIntervalMs: options.database.healthIntervalMs,
      });
      onClose(() => db.close());
      opened = db;
      return db;
    });
  };
  return {
    openDatabase: open,
    databaseCheck: () =>
      requested ? { name: 'database', ready: () => opened !== undefined && opened.reachable() } : undefined,
    database: async () => (await open()).sql,
    models: () =>
      resources.get<ModelRegistry>('model-registry', async () => {
        const registry = new PostgresModelRegistry((await open()).sql);
        for (const a of await ensureActiveModels(registry, bundledModelDirs, options.defaultModels)) {
          log.info({ model: `${a.name}@${a.version}`, task: a.task }, 'bundled model activated');
        }
        return registry;
      }),
  };
}
