// @ts-check
/**
 * Mutation testing of the modules where a wrong line costs money, privacy or trust (issue 19):
 * `npm run mutate`. Not part of `npm test`; the results are recorded in docs/testing.md.
 * Mutants are listed by file: when a module moves, update `mutate` (never a `// Stryker disable` to raise the score).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  mutate: [
    'src/core/periods.ts', // period resolution
    'src/queries/definitions.ts', // the official definitions, incl. the half-open window
    'src/core/billing.ts', // billing arithmetic
    'src/core/access.ts', // access decisions
    'src/render/mrkdwn.ts', // escapeMrkdwn and codeBlock: the one place text becomes Slack markup
    'src/jobs/outbox.ts', // retry: Retry-After, backoff, what is transient, crash recovery
    'src/state/deliveries.ts', // the ledger: enqueue (exactly once) and the claim (its SQL: only the literals inside it are mutated)
    'src/core/schedule.ts', // slot naming
  ],
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/*', './stryker-ignore-logging.mjs'],
  // Statements that only write a log line (stryker-ignore-logging.mjs): they change no decision.
  ignorers: ['log-lines'],
  vitest: { configFile: 'vitest.mutate.config.ts' },
  coverageAnalysis: 'perTest',
  // Mutants that do not type-check are not bugs anyone could ship: count them as compile errors, not survivors.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Two cores, shared with other engineers' test runs.
  concurrency: 2,
  timeoutMS: 60_000,
  ignorePatterns: ['dist', 'data', 'reports', '.stryker-tmp', '*.log'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  // Later runs test again only the mutants whose code or covering tests changed (`npm run mutate -- --force` for all).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
