import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['cli/**/*.test.ts', 'pipeline/**/*.test.ts', 'stages/**/*.test.ts', 'schemas/**/*.test.ts', 'models/**/*.test.ts'] } },
      // Integration suites start servers and brokers: one file at a time keeps ports and CPU predictable on 2 cores.
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], pool: 'forks', poolOptions: { forks: { singleFork: true } } } },
    ],
  },
});
