import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files share one throwaway PostgreSQL cluster; each file makes its own database.
    pool: 'forks',
    maxWorkers: 2,
  },
});
