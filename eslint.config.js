// The architecture, enforced. Dependencies point one way: cli/ -> stages/* -> market/ -> pipeline/ -> schemas/.
// Each rule below says which folder may import what; `architecture.test.ts` proves that a violation fails.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Packages only one place may import: the adapter that owns that piece of I/O. */
const owned = [
  {
    name: 'kafkajs',
    owner: 'pipeline/bus/kafka/',
    message: 'only the Kafka adapter (pipeline/bus/kafka/) imports kafkajs',
  },
  { name: 'pg', owner: 'pipeline/db/', message: 'only pipeline/db/ imports pg' },
  {
    name: '@opentelemetry/sdk-*',
    owner: 'pipeline/telemetry/sdk.ts',
    message:
      'only the telemetry bootstrap (pipeline/telemetry/sdk.ts) imports the OpenTelemetry SDK; use @opentelemetry/api',
  },
];

/** Production code: what runs in a worker. Tests, benchmarks and examples act as users and may use any client. */
const production = ['cli/**/*.ts', 'pipeline/**/*.ts', 'stages/**/*.ts', 'market/**/*.ts', 'schemas/**/*.ts'];
const tests = ['**/*.test.ts', 'pipeline/testing/**', 'test/**', 'bench/**', 'examples/**'];

const ownedPaths = (except) =>
  owned
    .filter((o) => o.owner !== except)
    .map((o) =>
      o.name.endsWith('*')
        ? { group: [o.name], message: o.message }
        : { group: [o.name, `${o.name}/*`], message: o.message },
    );

/** A layer's rule: the owned packages it may not import, plus its own import bans. */
function layer(files, patterns, except) {
  return {
    files,
    ignores: tests,
    rules: { 'no-restricted-imports': ['error', { patterns: [...ownedPaths(except), ...patterns] }] },
  };
}

const viaSdk = {
  regex: String.raw`(^|/)pipeline/(?!index\.ts$)`,
  message: 'stages and market code reach the runtime only through pipeline/index.ts (the stage SDK)',
};

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'data/**', 'models/dataset/build/**', '**/*.d.ts', 'test/kafka-broker/lib/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/extensions': ['.ts', '.js'], 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-console': 'error',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  // Benchmarks, training and generator scripts are command-line programs: printing is what they are for.
  { files: ['bench/**', 'models/**', '**/generate-*.ts'], rules: { 'no-console': 'off' } },
  // No process.env outside the config module: a worker's settings are read once, checked and handed down.
  {
    files: production,
    ignores: ['pipeline/config/**', ...tests],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'read settings through pipeline/config (compiled once at start)',
        },
      ],
    },
  },
  layer(['schemas/**/*.ts'], [{ group: ['../*', '!./*'], message: 'schemas/ imports nothing of ours' }]),
  // Later entries override earlier ones for the same file, so each owner repeats its folder's bans.
  ...['', 'pipeline/bus/kafka/', 'pipeline/db/', 'pipeline/telemetry/sdk.ts'].map((owner) =>
    layer(
      owner === '' ? ['pipeline/**/*.ts'] : [owner.endsWith('/') ? `${owner}**/*.ts` : owner],
      [
        {
          regex: String.raw`(^|/)(stages|cli|market)/`,
          message: 'pipeline/ is the runtime: it never imports stages/, market/ or cli/',
        },
      ],
      owner,
    ),
  ),
  layer(
    ['market/**/*.ts'],
    [
      viaSdk,
      {
        regex: String.raw`(^|/)(stages|cli)/`,
        message: 'market/ sits below the stages: it never imports stages/ or cli/',
      },
    ],
  ),
  // One stage never imports another: from stages/<a>/x.ts, '../' names a sibling stage (or the registry).
  layer(
    ['stages/*/*.ts'],
    [
      viaSdk,
      { regex: String.raw`^\.\./(?!\.\.)`, message: 'a stage never imports another stage or the stage registry' },
    ],
  ),
  layer(
    ['stages/*/*/*.ts'],
    [
      viaSdk,
      { regex: String.raw`^\.\./\.\./(?!\.\.)`, message: 'a stage never imports another stage or the stage registry' },
    ],
  ),
  layer(['stages/*.ts'], [viaSdk]),
  layer(['cli/**/*.ts'], []),
  // Files outside the tsconfig project (this config and its test) are linted without type information.
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
