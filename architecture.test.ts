import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The layer rules are the architecture: each case lints a would-be file at a real path and checks that the wrong
// import fails (and the right one passes), so loosening the configuration breaks this test.

const eslint = new ESLint({
  cwd: import.meta.dirname,
  // Type information is not needed for import rules, and virtual files are not in the TypeScript project.
  overrideConfig: [tseslint.configs.disableTypeChecked],
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const refused: [string, string, string][] = [
  ['a stage importing kafkajs', 'stages/indicators/probe.ts', "import { Kafka } from 'kafkajs';"],
  ['a stage importing pg', 'stages/indicators/probe.ts', "import pg from 'pg';"],
  [
    'a stage importing the OpenTelemetry SDK',
    'stages/indicators/probe.ts',
    "import { NodeSDK } from '@opentelemetry/sdk-node';",
  ],
  ['a stage importing another stage', 'stages/indicators/probe.ts', "import { x } from '../predictor/stage.ts';"],
  [
    'a nested stage file importing another stage',
    'stages/indicators/golden/probe.ts',
    "import { x } from '../../predictor/stage.ts';",
  ],
  ['a stage importing the stage registry', 'stages/indicators/probe.ts', "import { x } from '../index.ts';"],
  ['a stage reaching past the SDK', 'stages/indicators/probe.ts', "import { x } from '../../pipeline/bus/bus.ts';"],
  ['market code reaching past the SDK', 'market/probe.ts', "import { x } from '../pipeline/errors.ts';"],
  ['market code importing a stage', 'market/probe.ts', "import { x } from '../stages/indicators/stage.ts';"],
  ['the runtime importing a stage', 'pipeline/runtime/probe.ts', "import { x } from '../../stages/index.ts';"],
  ['the runtime importing the CLI', 'pipeline/probe.ts', "import { x } from '../cli/main.ts';"],
  ['schemas importing the runtime', 'schemas/probe.ts', "import { x } from '../pipeline/index.ts';"],
  ['the database layer importing kafkajs', 'pipeline/db/probe.ts', "import { Kafka } from 'kafkajs';"],
  ['the Kafka adapter importing pg', 'pipeline/bus/kafka/probe.ts', "import pg from 'pg';"],
  [
    'the runtime importing the OpenTelemetry SDK',
    'pipeline/runtime/probe.ts',
    "import { NodeSDK } from '@opentelemetry/sdk-node';",
  ],
  ['a stage reading process.env', 'stages/indicators/probe.ts', 'const x = process.env.X;'],
  ['the runtime reading process.env', 'pipeline/runtime/probe.ts', 'const x = process.env.X;'],
];

const allowed: [string, string, string][] = [
  ['a stage importing the SDK', 'stages/indicators/probe.ts', "import { defineStage } from '../../pipeline/index.ts';"],
  ['a stage importing its own files', 'stages/indicators/probe.ts', "import { x } from './indicator-set.ts';"],
  ['a stage importing market code', 'stages/indicators/probe.ts', "import { x } from '../../market/symbols.ts';"],
  ['the registry importing a stage', 'stages/probe.ts', "import { x } from './indicators/stage.ts';"],
  ['the Kafka adapter importing kafkajs', 'pipeline/bus/kafka/probe.ts', "import { Kafka } from 'kafkajs';"],
  ['the database layer importing pg', 'pipeline/db/probe.ts', "import pg from 'pg';"],
  [
    'the telemetry bootstrap importing the SDK',
    'pipeline/telemetry/sdk.ts',
    "import { NodeSDK } from '@opentelemetry/sdk-node';",
  ],
  ['the config module reading process.env', 'pipeline/config/probe.ts', 'const x = process.env.X;'],
  ['a test acting as a user with kafkajs', 'test/kafka/probe.test.ts', "import { Kafka } from 'kafkajs';"],
];

describe('layer rules', () => {
  it.each(refused)('refuses %s', async (_what, file, code) => {
    const found = await problems(file, code);
    expect(
      found.some((p) => /^no-restricted-(imports|properties)/.test(p)),
      found.join('\n'),
    ).toBe(true);
  });

  it.each(allowed)('allows %s', async (_what, file, code) => {
    const found = await problems(file, code);
    expect(found.filter((p) => p.startsWith('no-restricted'))).toEqual([]);
  });
});
