import { PostgresResultStore, sharedDatabase, type Env, type Logger, type Resources, type Unit } from '../pipeline/index.ts';
import { indicatorsStage } from './indicators/stage.ts';
import { createPostgresSinkStage } from './postgres-sink/stage.ts';
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
}

export type StageFactory = (ctx: StageFactoryContext) => Unit | Promise<Unit>;

export const stageFactories: Readonly<Record<string, StageFactory>> = {
  'trade-source': ({ env }) => createTradeSource(parseTradeSourceConfig(env)),
  'trade-to-ohlc': ({ env }) => createTradeToOhlcStage(parseTradeToOhlcConfig(env)),
  indicators: () => indicatorsStage,
  'postgres-sink': async (ctx) => createPostgresSinkStage(new PostgresResultStore((await sharedDatabase(ctx)).pool)),
};
