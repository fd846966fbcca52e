import type { Env, Logger, Resources, Unit } from '../pipeline/index.ts';
import { indicatorsStage } from './indicators/stage.ts';

// Every worker of the pipeline, listed explicitly in pipeline order. `candleflow dev` runs them all;
// `candleflow run <name>` runs one. A factory reads its own configuration from the environment (throwing a
// ConfigError that names the variable) and takes shared resources (database, models) from `resources`.

export interface StageFactoryContext {
  env: Env;
  log: Logger;
  resources: Resources;
}

export type StageFactory = (ctx: StageFactoryContext) => Unit | Promise<Unit>;

export const stageFactories: Readonly<Record<string, StageFactory>> = {
  indicators: () => indicatorsStage,
};
