// The process wiring, for cli/ (the composition root): configuration, buses, the worker, the database, the model
// registry, telemetry and the HTTP server of a worker. Stages never import it; they get what they need through
// StageFactoryContext (pipeline/index.ts).
export { processEnv, type Env } from '../config/env.ts';
export { runtimeConfig, type RuntimeConfig } from '../config/runtime-config.ts';
export type { Settings } from '../config/settings.ts';
export { kafkaConfig } from '../bus/kafka/kafka-config.ts';
export { connectBus, schemaRegistryConfig, type BusChoice } from './connect-bus.ts';
export { Worker, type WorkerParts } from './worker.ts';
export { Resources } from './resources.ts';
export { databaseConfig, type DatabaseConfig } from '../db/database-config.ts';
export { openDatabase, type Database } from '../db/database.ts';
export { PostgresModelRegistry } from '../db/model-registry-store.ts';
export { InMemoryModelRegistry } from '../models/memory-model-registry.ts';
export { ensureActiveModels } from '../models/model-registry.ts';
export { startWorkerServer } from '../http/worker-server.ts';
export type { ReadinessCheck } from '../http/health-routes.ts';
export { createLogger, type Logger } from '../log.ts';
export { createRegistry } from '../metrics/stage-metrics.ts';
export { shutdownTelemetry, startTelemetry } from '../telemetry/sdk.ts';
export { assertWiring, checkWiring, type WiringReport } from '../stage/wiring.ts';
export { checkUnitMatchesEntry, type StageEntry, type StageServices } from '../stage/stage-entry.ts';
