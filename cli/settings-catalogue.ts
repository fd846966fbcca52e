import type { Setting } from '../pipeline/index.ts';
import { databaseConfig, kafkaConfig, runtimeConfig, schemaRegistryConfig } from '../pipeline/runtime/index.ts';
import { stageEntries } from '../stages/index.ts';
import { apiConfig } from '../stages/predictions-api/config.ts';
import { modelDefaultsConfig } from './services.ts';

/** Every setting of every part a worker can run, each once (the README's configuration table is checked against it). */
export function allSettings(): Setting<unknown>[] {
  const specs = [runtimeConfig, kafkaConfig, schemaRegistryConfig, databaseConfig, modelDefaultsConfig, apiConfig];
  const byVariable = new Map<string, Setting<unknown>>();
  for (const spec of [...specs, ...stageEntries.map((e) => e.config)]) {
    for (const s of Object.values(spec.settings)) if (!byVariable.has(s.variable)) byVariable.set(s.variable, s);
  }
  return [...byVariable.values()];
}
