// The stage SDK: the only module stages (and market/) import from the runtime. The process wiring (worker,
// buses, database, model registry, HTTP server) is pipeline/runtime/index.ts, used by cli/ alone.
export * from './stage/define-stage.ts';
export * from './stage/stage-entry.ts';
export * from './errors.ts';
export * from '../schemas/topics.ts';
export type * from '../schemas/types.ts';
export { timeframes, timeframeMs, type Timeframe } from '../schemas/timeframes.ts';
export { MARKET_SYMBOL, SYMBOL_PATTERN } from '../schemas/validate.ts';
export type { Env } from './config/env.ts';
export { parseDuration } from './config/env.ts';
export {
  defineConfig,
  formatDuration,
  setting,
  settings,
  type ConfigSpec,
  type Setting,
  type Settings,
} from './config/settings.ts';
export type { Logger } from './log.ts';
export type { Sql, SqlClient } from './db/sql.ts';
export {
  isForecastCard,
  modelTasks,
  type ForecastCard,
  type ModelCard,
  type ModelTask,
  type TensorType,
} from './models/card-types.ts';
export { validateModelCard, readModelCard } from './models/model-card.ts';
export { modelInputFields } from './models/forecast-card.ts';
export {
  loadForecastModel,
  loadOnnxModel,
  executionProviders,
  type ExecutionProvider,
  type OnnxModel,
} from './models/onnx-model.ts';
export {
  describeScope,
  parseModelRef,
  resolveActivation,
  type ActiveModel,
  type ModelRegistry,
  type ModelScope,
  type RegisteredModel,
} from './models/model-registry.ts';
export { normalisedRow, writeWindow } from './models/feature-input.ts';
