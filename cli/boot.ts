import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { UsageError, type Unit } from '../pipeline/index.ts';
import {
  assertWiring,
  checkUnitMatchesEntry,
  connectBus,
  createLogger,
  createRegistry,
  databaseConfig,
  kafkaConfig,
  Resources,
  runtimeConfig,
  schemaRegistryConfig,
  shutdownTelemetry,
  startTelemetry,
  startWorkerServer,
  Worker,
  type Env,
  type Logger,
  type ReadinessCheck,
  type RuntimeConfig,
} from '../pipeline/runtime/index.ts';
import { stageEntries, findStageEntry } from '../stages/index.ts';
import { apiConfig, type ApiConfig } from '../stages/predictions-api/config.ts';
import { createServices, modelDefaultsConfig, type ProcessServices } from './services.ts';

// The composition root: compiles every setting of what it runs (one line and exit 2 on the first bad one), checks
// the wiring, builds the named stages, starts them with an HTTP server, and drains them on SIGTERM/SIGINT.

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
  /** Called with the server's URL as soon as it listens (for `run`: before the stages have started). */
  onListening?: (url: string) => void;
}

/** Every name `candleflow run` takes. */
export const workerNames = [...stageEntries.map((e) => e.name), 'api'];

/** Everything a worker reads, compiled before anything starts. */
function compile(options: BootOptions) {
  const entries = options.stages.map((name) => {
    const entry = findStageEntry(name);
    if (!entry) throw new UsageError(`unknown stage "${name}"; workers: ${workerNames.join(', ')}`);
    return entry;
  });
  const { env } = options;
  const runtime = runtimeConfig.compile(env);
  return {
    runtime,
    bus: {
      kafka: kafkaConfig.compile(env),
      registry: schemaRegistryConfig.compile(env),
      busMaxBacklog: runtime.busMaxBacklog,
    },
    database: databaseConfig.compile(env),
    models: modelDefaultsConfig.compile(env),
    api: options.mode === 'run' ? undefined : apiConfig.compile(env),
    stages: entries.map((entry) => ({ entry, config: entry.config.compile(env) })),
  };
}

export async function boot(options: BootOptions): Promise<Booted> {
  const compiled = compile(options);
  assertWiring(stageEntries);
  const config = compiled.runtime;
  const log = options.log ?? createLogger({ level: config.logLevel });
  const resources = new Resources();
  const registry = createRegistry();
  const services = createServices({
    database: compiled.database,
    defaultModels: compiled.models.defaults,
    resources,
    log,
  });
  const serviceName = `candleflow-${options.mode === 'run' ? options.stages.join('-') : options.mode}`;
  const telemetry = await startTelemetry({ serviceName, env: options.env });
  const cleanUp = async () => {
    await resources.close();
    if (telemetry) await shutdownTelemetry();
  };
  let worker: Worker | undefined;
  // A `run` worker answers /health/live and a 503 /health/ready from the start, while its stages wait for what
  // they need (an unreachable database is waited out with backoff): an orchestrator sees it alive, not ready.
  const databaseCheck = () => services.databaseCheck();
  const checks = (): ReadinessCheck[] => [
    ...(worker ? worker.checks() : [{ name: 'starting', ready: () => false }]),
    ...[databaseCheck()].filter((c): c is ReadinessCheck => c !== undefined),
  ];
  let server: FastifyInstance | undefined;
  if (!compiled.api) {
    try {
      server = await startWorkerServer({ port: config.metricsPort, checks, registry });
    } catch (err) {
      await cleanUp();
      throw err;
    }
    options.onListening?.(urlOf(server));
  }
  try {
    const units: Unit[] = [];
    for (const { entry, config: stageConfig } of compiled.stages) {
      const unit = await entry.create({
        config: stageConfig,
        log,
        metrics: registry,
        services,
        onClose: (close) => resources.onClose(close),
      });
      checkUnitMatchesEntry(entry, unit);
      units.push(unit);
    }
    const { bus, codec } = await connectBus(compiled.bus, log);
    // Closed again (a no-op) after a drain; closed here first when start fails, or its sockets keep the process up.
    resources.onClose(() => bus.close());
    worker = new Worker(
      {
        bus,
        codec,
        registry,
        log,
        ...(config.topicReplicas ? { topicReplicas: config.topicReplicas } : {}),
        topicCheckIntervalMs: bus.kind === 'kafka' ? config.topicCheckIntervalMs : 0,
      },
      units,
      {
        maxBatchSize: config.batchMaxRecords,
        retry: config.retry,
        readyMaxLag: config.readyMaxLag,
        onInputLost: config.onInputLost,
        ...(config.exactlyOnce ? { exactlyOnce: config.exactlyOnce } : {}),
      },
    );
    await worker.start();
  } catch (err) {
    // A stage that cannot start (bad setting, refused database) leaves nothing open behind it.
    await server?.close();
    await cleanUp();
    throw err;
  }
  const started = worker;
  if (!server) {
    try {
      server = await startServer(compiled.api!, config, started, registry, services);
    } catch (err) {
      // A port in use stops the worker too, instead of leaving its stages running without an HTTP face.
      await started.stop(config.shutdownGraceMs).catch(() => undefined);
      await cleanUp();
      throw err;
    }
    options.onListening?.(urlOf(server));
  }
  const listening = server;
  const url = urlOf(listening);
  log.info({ url, stages: options.stages, bus: started.bus.kind }, `candleflow ${options.mode} ready on ${url}`);
  let stopping: Promise<void> | undefined;
  return {
    worker: started,
    server: listening,
    url,
    config,
    log,
    stop: () =>
      (stopping ??= (async () => {
        try {
          await started.stop(config.shutdownGraceMs);
        } finally {
          await listening.close();
          await cleanUp();
        }
      })()),
  };
}

function urlOf(server: FastifyInstance): string {
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}

/** The predictions API (dev, api), with the worker's stages in its readiness. */
async function startServer(
  api: ApiConfig,
  config: RuntimeConfig,
  worker: Worker,
  registry: Registry,
  services: ProcessServices,
): Promise<FastifyInstance> {
  // Fastify and its plugins load after the settings compiled: a config error answers without them.
  const { startPredictionsApi } = await import('../stages/predictions-api/server.ts');
  const database = await services.openDatabase();
  const running = await startPredictionsApi({
    config: api,
    sql: database.sql,
    registry,
    health: {
      ready: async () => {
        await database.sql.ping();
        const waiting = worker
          .checks()
          .filter((c) => !c.ready())
          .map((c) => c.name);
        if (waiting.length > 0) throw new Error(`waiting for ${waiting.join(', ')}`);
      },
    },
    // Requests are not logged at info: a dashboard polling the API would drown the pipeline's own lines.
    logger: { level: config.logLevel === 'debug' || config.logLevel === 'trace' ? config.logLevel : 'warn' },
  });
  return running.app;
}

/**
 * Drains on SIGTERM/SIGINT: exit 0 once done, 1 if the grace period ran out. A stage that fails for good stops the
 * worker with one error line and exit 1, so an orchestrator restarts it rather than keeping a live, idle process.
 */
export function exitOnSignals(booted: Booted): void {
  booted.worker.onFatal((err, stage) => {
    booted.log.error({ stage, err: err.message }, `candleflow: ${stage} failed: ${err.message}`);
    exitAfterStop(booted, 1);
  });
  const onSignal = (signal: NodeJS.Signals) => {
    booted.log.info({ signal }, 'shutting down');
    exitAfterStop(booted, 0);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/**
 * Stops and exits with `code`, or with 1 once SHUTDOWN_GRACE_MS has passed: closing a client whose broker is
 * gone can wait forever, and an orchestrator must see the process end.
 */
function exitAfterStop(booted: Booted, code: number): void {
  const graceMs = booted.config.shutdownGraceMs;
  setTimeout(() => {
    booted.log.error({ graceMs }, 'shutdown did not finish within SHUTDOWN_GRACE_MS: exiting');
    process.exit(1);
  }, graceMs);
  booted.stop().then(
    () => process.exit(code),
    (err: unknown) => {
      booted.log.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
}
