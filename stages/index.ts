import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import {
  ensureActiveModel,
  PostgresModelRegistry,
  PostgresResultStore,
  sharedDatabase,
  type Env,
  type Logger,
  type ModelRegistry,
  type Resources,
  type Unit,
} from '../pipeline/index.ts';
import { createPredictionErrorMetrics } from './error-monitor/prediction-error-metrics.ts';
import { readErrorMonitorConfig } from './error-monitor/error-monitor-config.ts';
import { createErrorMonitorStage } from './error-monitor/stage.ts';
import { indicatorsStage } from './indicators/stage.ts';
import { createPostgresSinkStage } from './postgres-sink/stage.ts';
import { readPredictorConfig } from './predictor/predictor-config.ts';
import { createPredictorStage } from './predictor/stage.ts';
import { createTradeSource } from './trade-source/source.ts';
import { parseTradeSourceConfig } from './trade-source/source-config.ts';
import { parseTradeToOhlcConfig } from './trade-to-ohlc/config.ts';
import { createTradeToOhlcStage } from './trade-to-ohlc/stage.ts';

// Every worker of the pipeline, listed explicitly in pipeline order. `candleflow dev` runs them all;
// `candleflow run <name>` runs one. A factory reads its own configuration from the environment (throwing a
// ConfigError that names the variable) and takes shared resources (database, models) from `resources`.

export interface StageFactoryContext {
  env: Env;
  log: Logger;
  resources: Resources;
  /** The process's metrics registry, for stages whose numbers are not per-record counts (rolling model error). */
  metrics: Registry;
}

export type StageFactory = (ctx: StageFactoryContext) => Unit | Promise<Unit>;

/** The models shipped in models/, registered on first start; DEFAULT_MODEL is activated when none is active. */
export const bundledModelDirs = ['ridge-h5', 'gru-h5'].map((name) =>
  fileURLToPath(new URL(`../models/${name}/`, import.meta.url)),
);

/** The model registry in the shared database, with a bundled model active on first start. */
export function sharedModelRegistry(ctx: StageFactoryContext): Promise<ModelRegistry> {
  return ctx.resources.get('model-registry', async () => {
    const registry = new PostgresModelRegistry((await sharedDatabase(ctx)).pool);
    const active = await ensureActiveModel(registry, bundledModelDirs, ctx.env.DEFAULT_MODEL?.trim() || 'ridge-h5');
    ctx.log.info({ model: `${active.name}@${active.version}` }, 'active model');
    return registry;
  });
}

export const stageFactories: Readonly<Record<string, StageFactory>> = {
  'trade-source': ({ env }) => createTradeSource(parseTradeSourceConfig(env)),
  'trade-to-ohlc': ({ env }) => createTradeToOhlcStage(parseTradeToOhlcConfig(env)),
  indicators: () => indicatorsStage,
  predictor: (ctx) =>
    ctx.resources.get('predictor', async (onClose) => {
      const predictor = createPredictorStage({
        registry: await sharedModelRegistry(ctx),
        config: readPredictorConfig(ctx.env),
        log: ctx.log,
      });
      onClose(() => predictor.close());
      return predictor.stage;
    }),
  'error-monitor': ({ env, metrics }) =>
    createErrorMonitorStage({ config: readErrorMonitorConfig(env), ...createPredictionErrorMetrics(metrics) }).stage,
  'postgres-sink': async (ctx) => createPostgresSinkStage(new PostgresResultStore((await sharedDatabase(ctx)).pool)),
};
