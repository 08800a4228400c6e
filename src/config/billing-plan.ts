import Big from 'big.js';
import { z } from 'zod';
import { OfnError } from '../core/errors.js';
import type { BillingPlan, BillingPlanCommon } from '../core/billing.js';

export type { BillingPlan, BillingTier } from '../core/billing.js';

/**
 * The monthly billing plan of one instance (`instances.<id>.billing` in the config). The rules it feeds
 * are written down in docs/billing.md; src/core/billing.ts does the arithmetic.
 *
 * Money and rates are kept as decimal strings from the YAML onwards: a YAML number such as 0.1 is read
 * as the JS number 0.1, whose String() is "0.1", so it is converted straight to text and never used in
 * binary arithmetic.
 */

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** A non-negative decimal given as a YAML number or a decimal string, resolved to canonical decimal text. */
function decimal(expected: string, max?: string) {
  return z
    .union([z.number(), z.string()], { error: `${expected} (a number or a decimal string)` })
    .transform((value, ctx) => {
      const text = typeof value === 'number' ? String(value) : value.trim();
      const fail = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      let parsed: Big;
      try {
        // String(n) of a tiny or huge number is exponent notation ("1e-7"); Big reads it exactly.
        if (typeof value === 'string' && !DECIMAL_TEXT.test(text)) throw new Error('not plain decimal text');
        parsed = new Big(text);
      } catch {
        return fail(`${expected}; got ${JSON.stringify(value)}`);
      }
      if (parsed.lt(0)) return fail(`must not be negative; got ${text}`);
      if (max !== undefined && parsed.gt(max)) return fail(`${expected}; got ${text}`);
      return parsed.toFixed();
    });
}

const money = () => decimal('an amount of money such as 12.50');
const fraction = () => decimal('a fraction between 0 and 1 such as 0.02 for 2 %', '1');

const tierSchema = z.strictObject(
  {
    /** The band applies to a turnover strictly below upTo; absent on the last band only. */
    upTo: money().optional(),
    charge: money(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')} (a band takes upTo and charge)` : undefined) },
);

export const billingPlanSchema = z
  .strictObject(
    {
      /** What the operators call it ("Katuma 2026"): named in every billing summary beside its terms. */
      name: z.string({ error: 'a short name such as "Katuma 2026"' }).trim().min(1, 'a short name such as "Katuma 2026"').max(80, 'at most 80 characters').optional(),
      /** Below this monthly turnover the charge is 0 (status below_minimum); a turnover equal to it is billed. */
      minimumTurnover: money().default('0'),
      fixed: money().optional(),
      rate: fraction().optional(),
      /** Maximum charge before tax; 0 means no cap, as in OFN's old account_invoices_monthly_cap. */
      cap: money().optional(),
      tiers: z.array(tierSchema).min(1, 'at least one band').optional(),
      taxRate: fraction().default('0'),
      trialDays: z.number({ error: 'a whole number of days' }).int('a whole number of days').min(0, 'must not be negative').default(0),
      groupBy: z.literal('external_billing_id', { error: 'the only grouping is external_billing_id' }).optional(),
      /** Where the monthly summary is posted. */
      channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD (ids survive renames; names do not)').optional(),
      /** Local time (instance time zone) at which the monthly summary is posted. */
      postAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM such as 09:00').default('09:00'),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (a billing plan takes name, minimumTurnover, fixed, rate, cap, tiers, taxRate, trialDays, groupBy, channel, postAt)`
          : undefined,
    },
  )
  .superRefine((plan, ctx) => {
    const rateKeys = (['fixed', 'rate', 'cap'] as const).filter((key) => plan[key] !== undefined);
    if (plan.tiers !== undefined && rateKeys.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['tiers'],
        message: `give either tiers or fixed/rate/cap, not both (${rateKeys.join(', ')} also given)`,
      });
      return;
    }
    if (plan.tiers === undefined && plan.fixed === undefined && plan.rate === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: plan.cap === undefined ? 'a plan needs either fixed and/or rate (with an optional cap) or tiers' : 'cap alone charges nothing: give fixed and/or rate as well',
      });
      return;
    }
    if (plan.tiers === undefined) return;
    const last = plan.tiers.length - 1;
    let previous: string | undefined;
    plan.tiers.forEach((tier, i) => {
      const path = ['tiers', i, 'upTo'];
      if (i === last) {
        if (tier.upTo !== undefined) {
          ctx.addIssue({ code: 'custom', path, message: 'the last band has no upTo: it takes every turnover from the previous upTo up' });
        }
        return;
      }
      if (tier.upTo === undefined) {
        ctx.addIssue({ code: 'custom', path, message: 'every band but the last needs upTo' });
        return;
      }
      if (previous === undefined ? new Big(tier.upTo).lte(0) : new Big(tier.upTo).lte(previous)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: previous === undefined ? 'must be greater than 0' : `must be greater than the previous band's upTo (${previous}); got ${tier.upTo}`,
        });
      }
      previous = tier.upTo;
    });
  });

/** What the YAML may contain. */
export type BillingPlanInput = z.input<typeof billingPlanSchema>;
/** What the schema produces; resolveBillingPlan turns it into a BillingPlan. */
export type ParsedBillingPlan = z.output<typeof billingPlanSchema>;

/** The frozen, fully resolved plan from the schema's output (nothing optional left). */
export function resolveBillingPlan(parsed: ParsedBillingPlan): BillingPlan {
  const common: BillingPlanCommon = {
    ...(parsed.name !== undefined ? { name: parsed.name } : {}),
    minimumTurnover: parsed.minimumTurnover,
    taxRate: parsed.taxRate,
    trialDays: parsed.trialDays,
    groupBy: parsed.groupBy ?? null,
    channel: parsed.channel ?? null,
    postAt: parsed.postAt,
  };
  if (parsed.tiers !== undefined) {
    const tiers = parsed.tiers.map((tier) => Object.freeze({ upTo: tier.upTo ?? null, charge: tier.charge }));
    return Object.freeze({ ...common, kind: 'tiers', tiers: Object.freeze(tiers) });
  }
  const cap = parsed.cap === undefined || new Big(parsed.cap).eq(0) ? null : parsed.cap;
  return Object.freeze({ ...common, kind: 'rate', fixed: parsed.fixed ?? '0', rate: parsed.rate ?? '0', cap });
}

/**
 * Validates and resolves a billing plan on its own. `path` is where it sits in the config
 * (e.g. "instances.katuma.billing"); each problem is reported as "path.field: what was expected".
 */
export function parseBillingPlan(input: unknown, path: string): BillingPlan {
  const result = billingPlanSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const where = [path, ...issue.path.map(String)].filter((part) => part !== '').join('.');
      return `${where || '(top level)'}: ${issue.message}`;
    });
    throw new OfnError('ConfigInvalid', lines.join('\n'));
  }
  return resolveBillingPlan(result.data);
}
