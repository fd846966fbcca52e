import { defineConfig, executionProviders, settings } from '../../pipeline/index.ts';

export const predictorConfig = defineConfig({
  /** Most feature vectors per batch and per model call. */
  batchMax: settings.int('PREDICTOR_BATCH_MAX', {
    default: 256,
    min: 1,
    max: 100_000,
    doc: 'feature vectors per model call',
  }),
  /** How long a partition's batch may wait to fill up to batchMax. */
  batchWaitMs: settings.int('PREDICTOR_BATCH_WAIT_MS', {
    default: 5,
    min: 0,
    max: 10_000,
    doc: 'how long a batch may wait to fill (ms)',
  }),
  provider: settings.oneOf('MODEL_EXECUTION_PROVIDER', executionProviders, {
    default: 'cpu',
    doc: 'onnxruntime execution provider: `cpu` or `cuda` (falls back to cpu with one log line)',
  }),
  /** How often the registry's active model is polled (hot reload). */
  reloadIntervalMs: settings.duration('MODEL_RELOAD_INTERVAL', {
    default: 2_000,
    min: 10,
    doc: "how often the predictor checks the registry's active model (hot reload)",
  }),
  /** Feature rows kept per symbol|timeframe (at least the active model's window). */
  historyLength: settings.int('PREDICTOR_HISTORY', {
    default: 64,
    min: 1,
    max: 10_000,
    doc: "feature rows kept per series (at least the active model's window)",
  }),
});

export type PredictorConfig = ReturnType<typeof predictorConfig.compile>;

export const defaultPredictorConfig: PredictorConfig = predictorConfig.compile({});

export function readPredictorConfig(env: Readonly<Record<string, string | undefined>>): PredictorConfig {
  return predictorConfig.compile(env);
}
