import { defineConfig, stageEntry } from '../../pipeline/index.ts';
import { PostgresResultStore } from './result-store.ts';
import { createPostgresSinkStage, sinkInputs } from './stage.ts';

export const postgresSinkEntry = stageEntry({
  name: 'postgres-sink',
  inputs: sinkInputs,
  outputs: [],
  config: defineConfig({}),
  create: async ({ services }) => createPostgresSinkStage(new PostgresResultStore(await services.database())),
});
