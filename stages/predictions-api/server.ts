import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import {
  createResultQueries,
  openDatabase,
  parseDatabaseConfig,
  type Database,
  type Env,
} from '../../pipeline/index.ts';
import type { ApiHealth } from './api-deps.ts';
import { buildApp } from './app.ts';
import { parseApiConfig } from './config.ts';

// The composition root of `candleflow run api` (and of the API inside `candleflow dev`): config, database,
// app, listen. Closing the app closes the database it opened.

export interface PredictionsApiOptions {
  env: Env;
  /** An already open database (dev mode shares the sink's); otherwise one is opened from env and closed on close. */
  database?: Database;
  registry?: Registry;
  health?: ApiHealth;
  logger?: boolean | object;
}

export interface RunningApi {
  app: FastifyInstance;
  /** http://host:port it listens on. */
  url: string;
  close(): Promise<void>;
}

export async function startPredictionsApi(options: PredictionsApiOptions): Promise<RunningApi> {
  const { env } = options;
  const config = parseApiConfig(env);
  const ownDatabase = options.database === undefined;
  const database =
    options.database ?? (await openDatabase(parseDatabaseConfig(env), { applicationName: 'candleflow-api' }));
  let registry = options.registry;
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  let app: FastifyInstance;
  try {
    app = await buildApp({
      queries: createResultQueries(database.pool),
      config,
      registry,
      ...(options.health ? { health: options.health } : {}),
      logger: options.logger ?? { level: env.LOG_LEVEL ?? 'info' },
    });
  } catch (err) {
    if (ownDatabase) await database.close();
    throw err;
  }
  const close = async () => {
    await app.close();
    if (ownDatabase) await database.close();
  };
  try {
    const url = await app.listen({ port: config.port, host: config.host });
    return { app, url, close };
  } catch (err) {
    await close();
    throw err;
  }
}
