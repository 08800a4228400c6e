/**
 * Billing arithmetic (src/core/billing.ts) where the timestamps OFN stores meet the month start: what
 * the trial compares, to the sub-second, which created_at a group shows, malformed timestamps, and a
 * turnover above every band. Complements billing-arithmetic.test.ts; written for `npm run mutate` (issue 19).
 */
import { describe, expect, it } from 'vitest';
import { parseBillingPlan, type BillingPlan, type BillingPlanInput } from '../src/config/billing-plan.js';
import { billMonth, chargeFor, type BillableEnterprise } from '../src/core/billing.js';
import { OfnError } from '../src/core/errors.js';

const plan = (input: BillingPlanInput): BillingPlan => parseBillingPlan(input, 'instances.katuma.billing');
const MONTH_START = '2024-03-01 00:00:00';

function shop(overrides: Partial<BillableEnterprise> & { enterpriseId: number }): BillableEnterprise {
  return { name: `Shop ${overrides.enterpriseId}`, category: 'hub', createdAt: '2020-01-01 00:00:00', externalBillingId: null, turnover: '500', orders: 1, ...overrides };
}

const statusOf = (p: BillingPlan, createdAt: string, monthStart = MONTH_START) => billMonth(p, [shop({ enterpriseId: 1, createdAt })], monthStart).lines[0]!.status;

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OfnError);
    expect((error as OfnError).code).toBe('BadArguments');
    return (error as OfnError).message;
  }
  throw new Error('expected BadArguments');
}

describe('the trial against the month start', () => {
  it('counts trial days as 24 hours from created_at, whatever the months in between', () => {
    // 31 January + 31 days = 2 March, after 1 March: in trial. + 30 days = 1 March exactly: over.
    expect(statusOf(plan({ fixed: 5, trialDays: 31 }), '2024-01-31 00:00:00')).toBe('trial');
    expect(statusOf(plan({ fixed: 5, trialDays: 30 }), '2024-01-31 00:00:00')).toBe('billed');
    // Across February of a leap year: 1 February + 29 days = 1 March exactly.
    expect(statusOf(plan({ fixed: 5, trialDays: 29 }), '2024-02-01 00:00:00')).toBe('billed');
    expect(statusOf(plan({ fixed: 5, trialDays: 30 }), '2024-02-01 00:00:00')).toBe('trial');
  });

  it('compares to the sub-second, both ways, trailing zeros meaning nothing', () => {
    const p = plan({ fixed: 5, trialDays: 1 });
    // The trial ends 0.05 s into the month: in trial; 0.05 s before a month start at .1: over.
    expect(statusOf(p, '2024-02-29 00:00:00.05')).toBe('trial');
    expect(statusOf(p, '2024-02-29 00:00:00.05', '2024-03-01 00:00:00.1')).toBe('billed');
    expect(statusOf(p, '2024-02-29 00:00:00.15', '2024-03-01 00:00:00.1')).toBe('trial');
    expect(statusOf(p, '2024-02-29 00:00:00.099999', '2024-03-01 00:00:00.1')).toBe('billed');
    // The same instant however many zeros follow: the trial ends exactly at the month start, so it is over.
    expect(statusOf(p, '2024-02-29 00:00:00.10', '2024-03-01 00:00:00.1')).toBe('billed');
    expect(statusOf(p, '2024-02-29 00:00:00.1', '2024-03-01 00:00:00.100000')).toBe('billed');
    expect(statusOf(p, '2024-02-29 00:00:00.000', MONTH_START)).toBe('billed');
    expect(statusOf(p, '2024-02-29 00:00:00', '2024-03-01 00:00:00.000001')).toBe('billed');
    expect(statusOf(p, '2024-02-29 00:00:00.000001', MONTH_START)).toBe('trial');
  });

  it('reads the T separator and surrounding space', () => {
    const p = plan({ fixed: 5, trialDays: 1 });
    expect(statusOf(p, '2024-02-29T00:00:01')).toBe('trial');
    expect(statusOf(p, '  2024-02-29 00:00:01 ')).toBe('trial');
    expect(statusOf(p, '2024-02-28 23:59:59', ' 2024-03-01T00:00:00 ')).toBe('billed');
  });
});

describe('malformed timestamps', () => {
  const p = plan({ fixed: 5, trialDays: 30 });

  it('refuses a created_at that is not exactly a UTC timestamp, naming it', () => {
    for (const bad of ['x2024-01-01 00:00:00', '2024-01-01 00:00:00Z', '2024-01-01 00:00:00+01', '2024-01-01', '2024-01-01 00:00']) {
      expect(refusal(() => billMonth(p, [shop({ enterpriseId: 1, createdAt: bad })], MONTH_START)), bad).toBe(
        `createdAt is not a UTC timestamp 'YYYY-MM-DD HH:MM:SS': ${JSON.stringify(bad)}`,
      );
    }
  });

  it('refuses a month start that is not one, naming it', () => {
    expect(refusal(() => billMonth(p, [], '2024-03'))).toBe(`monthStartUtc is not a UTC timestamp 'YYYY-MM-DD HH:MM:SS': "2024-03"`);
    expect(refusal(() => billMonth(p, [], 'in 2024-03-01 00:00:00'))).toBe(`monthStartUtc is not a UTC timestamp 'YYYY-MM-DD HH:MM:SS': "in 2024-03-01 00:00:00"`);
  });
});

describe('groups', () => {
  const grouped = plan({ fixed: 5, groupBy: 'external_billing_id' });

  it('shows the earliest created_at of the members, whichever id it has', () => {
    const { lines } = billMonth(
      grouped,
      [
        shop({ enterpriseId: 3, externalBillingId: 'ACC', createdAt: '2022-05-01 00:00:00' }),
        shop({ enterpriseId: 8, externalBillingId: 'ACC', createdAt: '2021-01-01 12:00:00' }),
        shop({ enterpriseId: 9, externalBillingId: 'ACC', createdAt: '2023-01-01 00:00:00' }),
      ],
      MONTH_START,
    );
    expect(lines.map((l) => [l.enterpriseId, l.members, l.createdAt])).toEqual([[3, [3, 8, 9], '2021-01-01 12:00:00']]);
  });

  it('keeps the first member’s text when two members were created at the same instant', () => {
    const { lines } = billMonth(
      grouped,
      [shop({ enterpriseId: 4, externalBillingId: 'ACC', createdAt: '2021-01-01 00:00:00' }), shop({ enterpriseId: 6, externalBillingId: 'ACC', createdAt: '2021-01-01 00:00:00.000' })],
      MONTH_START,
    );
    expect(lines[0]!.createdAt).toBe('2021-01-01 00:00:00');
  });
});

describe('tiers', () => {
  it('charges a turnover above every band as the last band', () => {
    // The config always leaves the last band open; a plan built otherwise still charges, never nothing.
    const closed: BillingPlan = {
      kind: 'tiers',
      tiers: [
        { upTo: '100', charge: '5' },
        { upTo: '200', charge: '9' },
      ],
      minimumTurnover: '0',
      taxRate: '0',
      trialDays: 0,
      groupBy: null,
      channel: null,
      postAt: '09:00',
    };
    expect(chargeFor(closed, '50')).toBe('5.00');
    expect(chargeFor(closed, '150')).toBe('9.00');
    expect(chargeFor(closed, '500')).toBe('9.00');
  });
});
