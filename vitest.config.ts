import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,connectors,console,workers,app,infra,tests}/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'data'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
