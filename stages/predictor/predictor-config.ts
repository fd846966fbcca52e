import {
  executionProviders,
  readDuration,
  readEnum,
  readInt,
  type Env,
  type ExecutionProvider,
} from '../../pipeline/index.ts';

export interface PredictorConfig {
  /** PREDICTOR_BATCH_MAX: most feature vectors per batch and per model call. */
  batchMax: number;
  /** PREDICTOR_BATCH_WAIT_MS: how long a partition's batch may wait to fill up to batchMax. */
  batchWaitMs: number;
  /** MODEL_EXECUTION_PROVIDER: cpu or cuda (falls back to cpu with one log line). */
  provider: ExecutionProvider;
  /** MODEL_RELOAD_INTERVAL: how often the registry's active model is polled (hot reload). */
  reloadIntervalMs: number;
  /** PREDICTOR_HISTORY: feature rows kept per symbol|timeframe (at least the active model's window). */
  historyLength: number;
}

export const defaultPredictorConfig: PredictorConfig = {
  batchMax: 256,
  batchWaitMs: 5,
  provider: 'cpu',
  reloadIntervalMs: 2_000,
  historyLength: 64,
};

export function readPredictorConfig(env: Env): PredictorConfig {
  return {
    batchMax: readInt(env, 'PREDICTOR_BATCH_MAX', defaultPredictorConfig.batchMax, { min: 1, max: 100_000 }),
    batchWaitMs: readInt(env, 'PREDICTOR_BATCH_WAIT_MS', defaultPredictorConfig.batchWaitMs, { min: 0, max: 10_000 }),
    provider: readEnum(env, 'MODEL_EXECUTION_PROVIDER', executionProviders, defaultPredictorConfig.provider),
    reloadIntervalMs: readDuration(env, 'MODEL_RELOAD_INTERVAL', defaultPredictorConfig.reloadIntervalMs),
    historyLength: readInt(env, 'PREDICTOR_HISTORY', defaultPredictorConfig.historyLength, { min: 1, max: 10_000 }),
  };
}
