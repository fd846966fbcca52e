import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Env } from '../pipeline/config/env.ts';
import { UsageError } from '../pipeline/errors.ts';
import { parseRuntimeConfig, type RuntimeConfig } from '../pipeline/config/runtime-config.ts';
import { startWorkerServer } from '../pipeline/http/worker-server.ts';
import { createLogger, type Logger } from '../pipeline/log.ts';
import { createRegistry } from '../pipeline/metrics/stage-metrics.ts';
import { Resources } from '../pipeline/runtime/resources.ts';
import { connectBus } from '../pipeline/runtime/connect-bus.ts';
import { Worker, type Unit } from '../pipeline/runtime/worker.ts';
import { shutdownTelemetry, startTelemetry } from '../pipeline/telemetry/sdk.ts';
import { sharedDatabase } from '../pipeline/db/shared-database.ts';
import type { Database } from '../pipeline/db/database.ts';
import { stageFactories } from '../stages/index.ts';
import { startPredictionsApi } from '../stages/predictions-api/server.ts';

// The composition root: reads configuration, picks the bus and codec, builds the named stages, starts them with
// an HTTP server, and drains them on SIGTERM/SIGINT.

export interface Booted {
  worker: Worker;
  server: FastifyInstance;
  url: string;
  config: RuntimeConfig;
  log: Logger;
  /** Graceful stop: drain the stages, close the server and shared resources. */
  stop(): Promise<void>;
}

export interface BootOptions {
  env: Env;
  /** Stage names to run; every stage for `dev`. */
  stages: readonly string[];
  /**
   * `dev`: the stages plus the predictions API (with health and metrics) on PORT, sharing one database;
   * `run`: the stages with health and metrics on METRICS_PORT; `api`: the predictions API alone on PORT.
   */
  mode: 'dev' | 'run' | 'api';
  log?: Logger;
}

export async function boot(options: BootOptions): Promise<Booted> {
  const config = parseRuntimeConfig(options.env);
  const log = options.log ?? createLogger({ level: config.logLevel });
  const resources = new Resources();
  for (const name of options.stages) {
    if (!stageFactories[name])
      throw new UsageError(`unknown stage "${name}"; stages: ${Object.keys(stageFactories).join(', ')}`);
  }
  const registry = createRegistry();
  const telemetry = startTelemetry({
    serviceName: `candleflow-${options.mode === 'run' ? options.stages.join('-') : options.mode}`,
    env: options.env,
  });
  let worker: Worker;
  try {
    const units: Unit[] = [];
    for (const name of options.stages)
      units.push(await stageFactories[name]!({ env: options.env, log, resources, metrics: registry }));
    const { bus, codec } = await connectBus(options.env, config, log);
    worker = new Worker(
      { bus, codec, registry, log, ...(config.topicReplicas ? { topicReplicas: config.topicReplicas } : {}) },
      units,
      {
        maxBatchSize: config.batchMaxRecords,
        retry: config.retry,
        readyMaxLag: config.readyMaxLag,
      },
    );
    await worker.start();
  } catch (err) {
    // A stage that cannot start (bad setting, unreachable database) leaves nothing open behind it.
    await resources.close();
    if (telemetry) await shutdownTelemetry();
    throw err;
  }
  let server: FastifyInstance;
  try {
    server = await startServer(options, config, worker, registry, resources);
  } catch (err) {
    // A port in use stops the worker too, instead of leaving its stages running without an HTTP face.
    await worker.stop(config.shutdownGraceMs).catch(() => undefined);
    await resources.close();
    if (telemetry) await shutdownTelemetry();
    throw err;
  }
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  log.info({ url, stages: options.stages, bus: worker.bus.kind }, `candleflow ${options.mode} ready on ${url}`);
  let stopping: Promise<void> | undefined;
  return {
    worker,
    server,
    url,
    config,
    log,
    stop: () =>
      (stopping ??= (async () => {
        try {
          await worker.stop(config.shutdownGraceMs);
        } finally {
          await server.close();
          await resources.close();
          if (telemetry) await shutdownTelemetry();
        }
      })()),
  };
}

async function startServer(
  options: BootOptions,
  config: RuntimeConfig,
  worker: Worker,
  registry: Registry,
  resources: Resources,
): Promise<FastifyInstance> {
  if (options.mode === 'run') {
    return startWorkerServer({ port: config.metricsPort, checks: () => worker.checks(), registry });
  }
  const database = await sharedDatabase({ env: options.env, resources });
  const api = await startPredictionsApi({
    env: options.env,
    database,
    registry,
    health: { ready: () => workerAndDatabaseReady(worker, database) },
    // Requests are not logged at info: a dashboard polling the API would drown the pipeline's own lines.
    logger: { level: config.logLevel === 'debug' || config.logLevel === 'trace' ? config.logLevel : 'warn' },
  });
  return api.app;
}

async function workerAndDatabaseReady(worker: Worker, database: Database): Promise<void> {
  await database.pool.query('select 1');
  const waiting = worker
    .checks()
    .filter((c) => !c.ready())
    .map((c) => c.name);
  if (waiting.length > 0) throw new Error(`waiting for ${waiting.join(', ')}`);
}

/** Drains on SIGTERM/SIGINT: exit 0 once done, 1 if the grace period ran out. */
export function exitOnSignals(booted: Booted): void {
  const onSignal = (signal: NodeJS.Signals) => {
    booted.log.info({ signal }, 'shutting down');
    booted.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        booted.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
