import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` (StrykerJS, stryker.config.mjs) runs against each mutant: the files that
 * exercise the mutated modules directly, not the whole suite, so a mutant costs seconds, not a minute.
 * Stryker's vitest runner forces one worker thread per Stryker process; the global setup still starts
 * one throwaway PostgreSQL for each of them (as the postgres user, in its own temp dir, outside the sandbox).
 *
 * Keep mutated code out of module scope and beforeAll/beforeEach in these files: a mutant reached there
 * is "static" for Stryker and costs a run of every related test file instead of the few tests covering it
 * (questions.test.ts answers in a beforeAll, which made half of access.ts static; the definitions it
 * checks are covered directly by mutation-kills-definitions.test.ts).
 */
export default defineConfig({
  test: {
    include: [
      'test/periods.test.ts',
      'test/billing-arithmetic.test.ts',
      'test/schedule.test.ts',
      'test/mutation-kills-*.test.ts',
      'test/api-access.test.ts', // grantForToken and grantForWebhook (core/access.ts)
      // After the whole run at 890d702 (docs/testing.md): the growth story's definitions had no test in
      // the set (184 mutants without coverage), the typed and spoken period forms were tested only by
      // files outside it, and grantForHome (core/access.ts) by the Home tab's tests.
      'test/growth-story.test.ts',
      'test/parser.test.ts',
      'test/i18n.test.ts',
      'test/spoken-questions.test.ts',
      'test/dashboards.test.ts',
    ],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
