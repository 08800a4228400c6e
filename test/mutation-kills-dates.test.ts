import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../src/core/periods.js';

/** A survivor of the mutation run at b3555ba (docs/testing.md): a typed date the calendar does not have. */
describe('typed dates', () => {
  it('refuses a day the month does not have, and 29 February outside leap years', () => {
    for (const text of ['2026-02-30', '2026-04-31', '2025-02-29', '2026-13-01']) {
      expect(() => parsePeriod(text), text).toThrow();
    }
    expect(() => parsePeriod('2026-02-30')).toThrow(/not a date/);
    expect(() => parsePeriod('2024-02-29')).not.toThrow();
  });
});
