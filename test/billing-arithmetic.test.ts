import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { billingPlanSchema, parseBillingPlan, type BillingPlan, type BillingPlanInput } from '../src/config/billing-plan.js';
import { billMonth, chargeFor, type BillableEnterprise } from '../src/core/billing.js';
import { OfnError } from '../src/core/errors.js';

const PATH = 'instances.katuma.billing';
const plan = (input: BillingPlanInput): BillingPlan => parseBillingPlan(input, PATH);

/** March 2024 in Europe/Madrid starts at local midnight = 23:00 UTC on 29 February (winter time, leap year). */
const MARCH_START = '2024-02-29 23:00:00';

let nextId = 1;
function shop(overrides: Partial<BillableEnterprise> = {}): BillableEnterprise {
  const id = overrides.enterpriseId ?? nextId++;
  return {
    enterpriseId: id,
    name: `Shop ${id}`,
    category: 'hub',
    createdAt: '2020-01-01 00:00:00',
    externalBillingId: null,
    turnover: '0.00',
    orders: 1,
    ...overrides,
  };
}

function oneLine(p: BillingPlan, enterprise: Partial<BillableEnterprise>) {
  const { lines } = billMonth(p, [shop(enterprise)], MARCH_START);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

function failure(input: unknown): string {
  try {
    parseBillingPlan(input, PATH);
  } catch (e) {
    expect(e).toBeInstanceOf(OfnError);
    expect((e as OfnError).code).toBe('ConfigInvalid');
    return (e as OfnError).message;
  }
  throw new Error('expected the plan to be refused');
}

describe('billing plan resolution', () => {
  it('resolves a rate plan with defaults, numbers and decimal strings to decimal text', () => {
    const p = plan({ fixed: 5, rate: '0.02', cap: 20, taxRate: 0.21, minimumTurnover: '100' });
    expect(p).toEqual({
      kind: 'rate',
      fixed: '5',
      rate: '0.02',
      cap: '20',
      minimumTurnover: '100',
      taxRate: '0.21',
      trialDays: 0,
      groupBy: null,
      channel: null,
      postAt: '09:00',
    });
    expect(Object.isFrozen(p)).toBe(true);
    expect(plan({ rate: 0.1 })).toMatchObject({ kind: 'rate', fixed: '0', rate: '0.1', cap: null, minimumTurnover: '0', taxRate: '0' });
  });

  it('resolves a tiers plan, keeping the last band open', () => {
    const p = plan({ tiers: [{ upTo: 500, charge: 0 }, { upTo: '2000', charge: '15' }, { charge: 40 }], trialDays: 30, groupBy: 'external_billing_id', channel: 'C0123ABCD', postAt: '07:30' });
    expect(p).toEqual({
      kind: 'tiers',
      tiers: [{ upTo: '500', charge: '0' }, { upTo: '2000', charge: '15' }, { upTo: null, charge: '40' }],
      minimumTurnover: '0',
      taxRate: '0',
      trialDays: 30,
      groupBy: 'external_billing_id',
      channel: 'C0123ABCD',
      postAt: '07:30',
    });
  });

  it('reads cap 0 as no cap', () => {
    expect(plan({ fixed: 5, rate: 0.02, cap: 0 })).toMatchObject({ cap: null });
    expect(plan({ fixed: 5, rate: 0.02, cap: '0.00' })).toMatchObject({ cap: null });
  });

  it('names the path of tiers given together with fixed/rate/cap', () => {
    const message = failure({ fixed: 5, rate: 0.02, tiers: [{ charge: 10 }] });
    expect(message).toBe(`${PATH}.tiers: give either tiers or fixed/rate/cap, not both (fixed, rate also given)`);
  });

  it('names the band whose upTo does not increase', () => {
    expect(failure({ tiers: [{ upTo: 2000, charge: 15 }, { upTo: 500, charge: 0 }, { charge: 40 }] })).toBe(
      `${PATH}.tiers.1.upTo: must be greater than the previous band's upTo (2000); got 500`,
    );
    expect(failure({ tiers: [{ upTo: 500, charge: 0 }, { upTo: 500, charge: 15 }, { charge: 40 }] })).toContain(`${PATH}.tiers.1.upTo: must be greater`);
  });

  it('wants upTo on every band but the last, and none on the last', () => {
    expect(failure({ tiers: [{ upTo: 500, charge: 0 }, { charge: 15 }, { charge: 40 }] })).toBe(`${PATH}.tiers.1.upTo: every band but the last needs upTo`);
    expect(failure({ tiers: [{ upTo: 500, charge: 0 }, { upTo: 2000, charge: 15 }] })).toContain(`${PATH}.tiers.1.upTo: the last band has no upTo`);
    expect(failure({ tiers: [] })).toContain(`${PATH}.tiers: at least one band`);
  });

  it('refuses a rate or tax rate above 1, negatives and non-numbers, naming the field', () => {
    expect(failure({ rate: 2 })).toBe(`${PATH}.rate: a fraction between 0 and 1 such as 0.02 for 2 %; got 2`);
    expect(failure({ rate: 0.02, taxRate: '1.5' })).toContain(`${PATH}.taxRate: a fraction between 0 and 1`);
    expect(failure({ fixed: -5 })).toBe(`${PATH}.fixed: must not be negative; got -5`);
    expect(failure({ fixed: '-5' })).toBe(`${PATH}.fixed: must not be negative; got -5`);
    expect(failure({ fixed: '.5' })).toBe(`${PATH}.fixed: an amount of money such as 12.50; got ".5"`);
    expect(failure({ fixed: '5 EUR' })).toContain(`${PATH}.fixed: an amount of money such as 12.50; got "5 EUR"`);
    expect(failure({ fixed: true })).toContain(`${PATH}.fixed: an amount of money such as 12.50 (a number or a decimal string)`);
    expect(failure({ tiers: [{ upTo: 500, charge: -1 }, { charge: 40 }] })).toContain(`${PATH}.tiers.0.charge: must not be negative`);
    expect(failure({ rate: 0.02, trialDays: 1.5 })).toContain(`${PATH}.trialDays: a whole number of days`);
    expect(failure({ rate: 0.02, trialDays: -1 })).toContain(`${PATH}.trialDays: must not be negative`);
  });

  it('refuses unknown keys, naming the plan', () => {
    expect(failure({ fixed: 5, rat: 0.02 })).toBe(
      `${PATH}: unknown key rat (a billing plan takes name, minimumTurnover, fixed, rate, cap, tiers, taxRate, trialDays, groupBy, channel, postAt)`,
    );
    // An unknown key does not stop the other checks: the misspelt upTo is also reported as missing.
    expect(failure({ tiers: [{ upto: 500, charge: 0 }, { charge: 40 }] }).split('\n')).toEqual([
      `${PATH}.tiers.0: unknown key upto (a band takes upTo and charge)`,
      `${PATH}.tiers.0.upTo: every band but the last needs upTo`,
    ]);
  });

  it('refuses plans without a price, other groupings, bad channels and times', () => {
    expect(failure({ minimumTurnover: 100 })).toContain(`${PATH}: a plan needs either fixed and/or rate`);
    expect(failure({ cap: 20 })).toContain(`${PATH}: cap alone charges nothing`);
    expect(failure({ rate: 0.02, groupBy: 'owner' })).toContain(`${PATH}.groupBy: the only grouping is external_billing_id`);
    expect(failure({ rate: 0.02, channel: '#billing' })).toContain(`${PATH}.channel: a Slack channel id`);
    expect(failure({ rate: 0.02, postAt: '9:00' })).toContain(`${PATH}.postAt: a local time HH:MM`);
    expect(failure({ rate: 0.02, postAt: '24:00' })).toContain(`${PATH}.postAt`);
  });

  it('embeds in a larger schema with the path of the instance', () => {
    const instances = z.record(z.string(), z.strictObject({ billing: billingPlanSchema.optional() }));
    const result = instances.safeParse({ katuma: { billing: { tiers: [{ upTo: 2000, charge: 15 }, { upTo: 500, charge: 0 }, { charge: 40 }] } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['katuma', 'billing', 'tiers', 1, 'upTo']);
  });
});

describe('charge before tax', () => {
  const rated = plan({ fixed: 5, rate: 0.02, cap: 20 });

  it('is fixed + rate × turnover without a cap', () => {
    const uncapped = plan({ fixed: 5, rate: 0.02 });
    // 5 + 0.02 × 1234.56 = 5 + 24.6912 = 29.6912 → 29.69
    expect(chargeFor(uncapped, '1234.56')).toBe('29.69');
    expect(chargeFor(uncapped, '0')).toBe('5.00');
  });

  it('stops at the cap when the cap binds', () => {
    // 5 + 0.02 × 700 = 19.00 (below the cap); 5 + 0.02 × 750 = 20.00 (at it); 5 + 0.02 × 10000 = 205 → 20.00
    expect(chargeFor(rated, '700.00')).toBe('19.00');
    expect(chargeFor(rated, '750.00')).toBe('20.00');
    expect(chargeFor(rated, '750.01')).toBe('20.00');
    expect(chargeFor(rated, '10000.00')).toBe('20.00');
  });

  it('has no cap when cap is 0', () => {
    const zeroCap = plan({ fixed: 5, rate: 0.02, cap: 0 });
    expect(chargeFor(zeroCap, '10000.00')).toBe('205.00');
    // Even a hand-built plan with cap "0" is uncapped.
    const handBuilt: BillingPlan = { ...zeroCap, kind: 'rate', fixed: '5', rate: '0.02', cap: '0' };
    expect(chargeFor(handBuilt, '10000.00')).toBe('205.00');
  });

  it('picks the band by turnover < upTo, so a turnover exactly at upTo is in the next band', () => {
    const banded = plan({ tiers: [{ upTo: 500, charge: 0 }, { upTo: 2000, charge: 15 }, { charge: 40 }] });
    expect(chargeFor(banded, '0.00')).toBe('0.00');
    expect(chargeFor(banded, '499.99')).toBe('0.00');
    expect(chargeFor(banded, '500.00')).toBe('15.00');
    expect(chargeFor(banded, '1999.99')).toBe('15.00');
    expect(chargeFor(banded, '2000.00')).toBe('40.00');
    expect(chargeFor(banded, '1000000.00')).toBe('40.00');
  });

  it('rounds half-up to cents', () => {
    const p = plan({ fixed: 0, rate: 0.015 });
    expect(chargeFor(p, '100.30')).toBe('1.50'); // 1.5045 → 1.50
    expect(chargeFor(p, '101.00')).toBe('1.52'); // 1.515 exactly → 1.52
    expect(chargeFor(p, '100.50')).toBe('1.51'); // 1.5075 → 1.51
    expect(chargeFor(plan({ fixed: '1.005', rate: 0 }), '0')).toBe('1.01'); // Math.round(1.005 * 100) / 100 is 1
  });
});

describe('billing a month', () => {
  const rated = plan({ minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30 });

  it('bills charge, tax and total with exactly two decimals', () => {
    // 5 + 0.02 × 500 = 15.00; tax 15 × 0.21 = 3.15; total 18.15
    expect(oneLine(rated, { turnover: '500', orders: 12, enterpriseId: 7, name: 'La Colmena', category: 'producer_hub' })).toEqual({
      enterpriseId: 7,
      billingId: null,
      name: 'La Colmena',
      category: 'producer_hub',
      createdAt: '2020-01-01 00:00:00',
      turnover: '500.00',
      orders: 12,
      charge: '15.00',
      tax: '3.15',
      total: '18.15',
      status: 'billed',
      members: [7],
    });
  });

  it('bills a turnover equal to the minimum and not one a cent below', () => {
    expect(oneLine(rated, { turnover: '100.00' })).toMatchObject({ status: 'billed', charge: '7.00', tax: '1.47', total: '8.47' });
    expect(oneLine(rated, { turnover: '99.99' })).toMatchObject({ status: 'below_minimum', charge: '0.00', tax: '0.00', total: '0.00', turnover: '99.99' });
  });

  it('bills a trial ending exactly at the month start, not one ending a second later', () => {
    // 30 days of 24 h after 2024-01-30 23:00:00 UTC is 2024-02-29 23:00:00 UTC = the start of March in Madrid.
    expect(oneLine(rated, { createdAt: '2024-01-30 23:00:00', turnover: '500' })).toMatchObject({ status: 'billed', total: '18.15' });
    expect(oneLine(rated, { createdAt: '2024-01-30 23:00:01', turnover: '500' })).toMatchObject({ status: 'trial', charge: '0.00', tax: '0.00', total: '0.00' });
    // Sub-second precision as PostgreSQL returns it is kept.
    expect(oneLine(rated, { createdAt: '2024-01-30 23:00:00.000001', turnover: '500' }).status).toBe('trial');
    expect(billMonth(rated, [shop({ createdAt: '2024-01-30 23:00:00.000', turnover: '500' })], '2024-02-29 23:00:00.000').lines[0]!.status).toBe('billed');
  });

  it('checks the trial before the minimum', () => {
    expect(oneLine(rated, { createdAt: '2024-03-10 10:00:00', turnover: '5.00' }).status).toBe('trial');
  });

  it('has no trial with trialDays 0: a shop created during the month is billed for it', () => {
    const noTrial = plan({ fixed: 5 });
    expect(oneLine(noTrial, { createdAt: '2024-03-10 10:00:00', turnover: '500' }).status).toBe('billed');
    expect(oneLine(noTrial, { createdAt: MARCH_START, turnover: '500' }).status).toBe('billed');
  });

  it('rounds the tax half-up to cents', () => {
    const taxed = plan({ fixed: '0.05', taxRate: 0.21 });
    expect(oneLine(taxed, { turnover: '1' })).toMatchObject({ charge: '0.05', tax: '0.01', total: '0.06' }); // 0.0105 → 0.01
    const taxed2 = plan({ fixed: '2.50', taxRate: 0.21 });
    expect(oneLine(taxed2, { turnover: '1' })).toMatchObject({ charge: '2.50', tax: '0.53', total: '3.03' }); // 0.525 → 0.53
  });

  it('gets exact cents where binary floating point would not', () => {
    // 0.10 + 0.70 is 0.7999999999999999 in floating point, which is below a minimum of 0.80.
    const grouped = plan({ minimumTurnover: '0.80', fixed: 1, groupBy: 'external_billing_id' });
    const { lines } = billMonth(grouped, [shop({ turnover: '0.10', externalBillingId: 'ACC-1' }), shop({ turnover: '0.70', externalBillingId: 'ACC-1' })], MARCH_START);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ turnover: '0.80', status: 'billed', charge: '1.00' });
    // 1.15 × 0.1 is 0.11499999999999999 in floating point (→ 0.11); exactly 0.115 → 0.12.
    expect(oneLine(plan({ fixed: '1.15', taxRate: 0.1 }), { turnover: '1' })).toMatchObject({ tax: '0.12', total: '1.27' });
    // 0.1 × 10.05 = 1.005 exactly → 1.01.
    expect(chargeFor(plan({ rate: 0.1 }), '10.05')).toBe('1.01');
  });

  it('groups enterprises sharing an external billing id into one line', () => {
    const grouped = plan({ minimumTurnover: 100, fixed: 5, rate: 0.02, taxRate: 0.21, trialDays: 30, groupBy: 'external_billing_id' });
    const members = [
      shop({ enterpriseId: 12, name: 'Hub B', category: 'hub', turnover: '60.00', orders: 3, externalBillingId: 'ACC-9', createdAt: '2024-03-05 08:00:00' }),
      shop({ enterpriseId: 4, name: 'Hub A', category: 'producer_hub', turnover: '40.00', orders: 2, externalBillingId: ' ACC-9 ', createdAt: '2023-06-01 10:00:00' }),
      shop({ enterpriseId: 20, name: 'Alone', turnover: '300.00', orders: 9, externalBillingId: '' }),
      shop({ enterpriseId: 21, name: 'Alone too', turnover: '50.00', orders: 1 }),
    ];
    const { lines, totals } = billMonth(grouped, members, MARCH_START);
    // Alone: 5 + 6 = 11.00, tax 2.31, total 13.31. Group: 100.00 (each member below the minimum, the sum at it)
    // → 5 + 2 = 7.00, tax 1.47, total 8.47, billed although Hub B is still in trial.
    expect(lines.map((l) => [l.enterpriseId, l.billingId, l.name, l.category, l.createdAt, l.turnover, l.orders, l.total, l.status, l.members])).toEqual([
      [20, null, 'Alone', 'hub', '2020-01-01 00:00:00', '300.00', 9, '13.31', 'billed', [20]],
      [4, 'ACC-9', 'Hub A + Hub B', 'producer_hub + hub', '2023-06-01 10:00:00', '100.00', 5, '8.47', 'billed', [4, 12]],
      [21, null, 'Alone too', 'hub', '2020-01-01 00:00:00', '50.00', 1, '0.00', 'below_minimum', [21]],
    ]);
    expect(totals).toEqual({ turnover: '450.00', charge: '18.00', tax: '3.78', total: '21.78', billed: 2, trial: 0, belowMinimum: 1 });

    // Without groupBy the same enterprises bill alone, each still showing its billing id.
    const separate = billMonth({ ...grouped, groupBy: null }, members, MARCH_START).lines;
    expect(separate.map((l) => [l.enterpriseId, l.billingId, l.status])).toEqual([
      [20, null, 'billed'],
      [4, 'ACC-9', 'below_minimum'],
      [12, 'ACC-9', 'trial'],
      [21, null, 'below_minimum'],
    ]);
  });

  it('keeps a group in trial only while all its members are', () => {
    const grouped = plan({ fixed: 5, trialDays: 30, groupBy: 'external_billing_id' });
    const { lines, totals } = billMonth(
      grouped,
      [
        shop({ enterpriseId: 2, externalBillingId: 'ACC-1', createdAt: '2024-02-20 00:00:00', turnover: '10' }),
        shop({ enterpriseId: 3, externalBillingId: 'ACC-1', createdAt: '2024-03-02 00:00:00', turnover: '20' }),
      ],
      MARCH_START,
    );
    expect(lines).toEqual([expect.objectContaining({ enterpriseId: 2, members: [2, 3], turnover: '30.00', orders: 2, status: 'trial', total: '0.00' })]);
    expect(totals).toEqual({ turnover: '30.00', charge: '0.00', tax: '0.00', total: '0.00', billed: 0, trial: 1, belowMinimum: 0 });
  });

  it('sorts by total descending, then enterprise id', () => {
    const flat = plan({ fixed: 5, rate: 0.02, cap: 20 });
    const { lines } = billMonth(
      flat,
      [shop({ enterpriseId: 9, turnover: '5000' }), shop({ enterpriseId: 3, turnover: '100' }), shop({ enterpriseId: 5, turnover: '9000' }), shop({ enterpriseId: 1, turnover: '100' })],
      MARCH_START,
    );
    expect(lines.map((l) => [l.enterpriseId, l.total])).toEqual([[5, '20.00'], [9, '20.00'], [1, '7.00'], [3, '7.00']]);
  });

  it('returns empty totals for no enterprises and refuses a malformed month start', () => {
    expect(billMonth(rated, [], MARCH_START)).toEqual({
      lines: [],
      totals: { turnover: '0.00', charge: '0.00', tax: '0.00', total: '0.00', billed: 0, trial: 0, belowMinimum: 0 },
    });
    expect(() => billMonth(rated, [], '2024-03')).toThrow(OfnError);
  });
});
