import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` (StrykerJS, stryker.config.mjs) runs against each mutant: the files that
 * exercise the mutated modules directly, not the whole suite, so a mutant costs seconds, not a minute.
 * Stryker's vitest runner forces one worker thread per Stryker process; the global setup still starts
 * one throwaway PostgreSQL for each of them (as the postgres user, in its own temp dir, outside the sandbox).
 */
export default defineConfig({
  test: {
    include: [
      'test/periods.test.ts',
      'test/billing-arithmetic.test.ts',
      'test/schedule.test.ts',
      'test/questions.test.ts',
      'test/mutation-kills-*.test.ts',
    ],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
