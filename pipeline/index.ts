// The only module stages import from the runtime.
export * from './stage/define-stage.ts';
export * from './errors.ts';
export * from '../schemas/topics.ts';
export type * from '../schemas/types.ts';
export { timeframes, timeframeMs, type Timeframe } from '../schemas/timeframes.ts';
export type { Env } from './config/env.ts';
export {
  readBoolean,
  readDuration,
  readEnum,
  readInt,
  readList,
  readNumber,
  readOptionalString,
  readString,
  parseDuration,
} from './config/env.ts';
export type { Logger } from './log.ts';
export type { Resources } from './runtime/resources.ts';
export type { Unit } from './runtime/worker.ts';
export { sharedDatabase } from './db/shared-database.ts';
export type { Database } from './db/database.ts';
export { PostgresResultStore } from './db/result-store.ts';
export {
  validateModelCard,
  readModelCard,
  modelInputFields,
  type ModelCard,
  type ModelKind,
  type ModelMetrics,
} from './models/model-card.ts';
export { loadOnnxModel, executionProviders, type ExecutionProvider, type OnnxModel } from './models/onnx-model.ts';
export {
  ensureActiveModel,
  InMemoryModelRegistry,
  parseModelRef,
  validateModelDir,
  type ActiveModel,
  type ModelRegistry,
  type RegisteredModel,
} from './models/model-registry.ts';
export { normalisedRow, writeWindow } from './models/feature-input.ts';
export { PostgresModelRegistry } from './db/model-registry-store.ts';
export { openDatabase } from './db/database.ts';
export { parseDatabaseConfig } from './db/database-config.ts';
export {
  createResultQueries,
  type Cursor,
  type Page,
  type ResultQueries,
  type SeriesQuery,
  type SymbolSummary,
} from './db/queries.ts';
