import { defineConfig } from 'vitest/config';

const unit = [
  '*.test.ts',
  ...['cli', 'pipeline', 'stages', 'market', 'schemas', 'models'].map((d) => `${d}/**/*.test.ts`),
];

export default defineConfig({
  test: {
    globals: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      // Integration suites start servers and brokers: one file at a time keeps ports and CPU predictable on 2 cores.
      // One Kafka broker for the whole run (inject('kafkaBroker')): a node's start-up is paid once, not per file.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/kafka-broker/global-setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
