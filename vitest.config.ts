import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files in the opposite of vitest's usual order (failed and longest first becomes shortest first), so
 * that different files run side by side and a file that only passes after another shows up.
 * `npm run test:reverse` (OFN_TEST_ORDER=reverse).
 */
class ReverseSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return (await super.sort(files)).reverse();
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Hang detectors, not speed limits: on the shared two-core box under load (other suites, mutation
    // testing) a whole run took 700 s instead of 60 s, and seeding three PGlite databases in a beforeAll
    // took over 120 s. Speed is measured by the benchmarks (docs/benchmarks.md).
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Test files share one throwaway PostgreSQL cluster; each file makes its own database.
    pool: 'forks',
    maxWorkers: 2,
    ...(process.env.OFN_TEST_ORDER === 'reverse' ? { sequence: { sequencer: ReverseSequencer } } : {}),
  },
});
