import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Sql } from '../../pipeline/index.ts';
import type { ApiHealth } from './api-deps.ts';
import { buildApp } from './app.ts';
import type { ApiConfig } from './config.ts';
import { createResultQueries } from './queries.ts';

// Builds the app over the process's database and listens: `candleflow run api`, and the API inside
// `candleflow dev`. The database belongs to the caller, which closes it.

export interface PredictionsApiOptions {
  config: ApiConfig;
  sql: Sql;
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
  const { config } = options;
  let registry = options.registry;
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  const app = await buildApp({
    queries: createResultQueries(options.sql),
    config,
    registry,
    ...(options.health ? { health: options.health } : {}),
    logger: options.logger ?? false,
  });
  try {
    const url = await app.listen({ port: config.port, host: config.host });
    return { app, url, close: () => app.close() };
  } catch (err) {
    await app.close();
    throw err;
  }
}
