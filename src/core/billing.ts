import Big from 'big.js';
import { OfnError } from './errors.js';
import { roundCents, type Money } from './money.js';

/** A billing plan, resolved from the config (config/billing-plan.ts validates it): decimals as text. */
export interface BillingTier {
  /** Decimal text; the band applies when turnover < upTo. null on the last band. */
  readonly upTo: string | null;
  /** Decimal text, before tax. */
  readonly charge: string;
}

export interface BillingPlanCommon {
  /** What the operators call the plan ("Katuma 2026"), named in every billing summary; absent when the config gives none. */
  readonly name?: string;
  /** Decimal text; a turnover below it is not billed, a turnover equal to it is. */
  readonly minimumTurnover: string;
  /** Decimal text between 0 and 1, added on top of the charge. */
  readonly taxRate: string;
  /** Counted from the enterprise's created_at as an instant (days of 24 hours). */
  readonly trialDays: number;
  readonly groupBy: 'external_billing_id' | null;
  /** Slack channel id for the monthly summary; null when none is posted. */
  readonly channel: string | null;
  /** "HH:MM" local time of the monthly summary. */
  readonly postAt: string;
}

export type BillingPlan =
  | (BillingPlanCommon & {
      readonly kind: 'rate';
      /** Decimal text per billed line and month. */
      readonly fixed: string;
      /** Decimal text between 0 and 1, fraction of the month's turnover. */
      readonly rate: string;
      /** Decimal text; null when there is no cap (absent or 0 in the config). */
      readonly cap: string | null;
    })
  | (BillingPlanCommon & {
      readonly kind: 'tiers';
      readonly tiers: readonly BillingTier[];
    });

/** A plan's terms, as a bill names them (without where and when the summary is posted). */
export type BillingPlanTerms = BillingPlan extends infer P ? (P extends BillingPlan ? Omit<P, 'channel' | 'postAt'> : never) : never;

export function planTerms(plan: BillingPlan): BillingPlanTerms {
  const { channel: _channel, postAt: _postAt, ...terms } = plan;
  return terms as BillingPlanTerms;
}

/**
 * Monthly billing arithmetic, pure and without I/O. docs/billing.md is the single source of truth for
 * the rules; change both together. Every amount goes through big.js: a turnover of 0.10 + 0.70 is
 * exactly 0.80 here, where binary floating point would make it 0.7999999999999999 and put a shop on
 * the wrong side of the minimum.
 */

/** One shop of the instance as it stood at the end of the month, with its official turnover for that local month. */
export interface BillableEnterprise {
  enterpriseId: number;
  name: string;
  category: string;
  /** UTC 'YYYY-MM-DD HH:MM:SS' (fractional seconds allowed), as OFN stores it. */
  createdAt: string;
  externalBillingId: string | null;
  /** Decimal text. */
  turnover: string;
  orders: number;
}

export type BillingStatus = 'billed' | 'trial' | 'below_minimum';

export interface BillingLine {
  /** The enterprise's id, or the smallest member id of a group. */
  enterpriseId: number;
  /** The (trimmed) external_billing_id shared by the members; null when the enterprise has none. */
  billingId: string | null;
  /** The enterprise's name, or the members' names joined by " + " in id order. */
  name: string;
  /** The enterprise's category, or the members' distinct categories joined by " + " in id order. */
  category: string;
  /** The earliest created_at of the members (UTC text as given). */
  createdAt: string;
  turnover: Money;
  orders: number;
  /** Before tax. */
  charge: Money;
  tax: Money;
  total: Money;
  status: BillingStatus;
  /** Enterprise ids billed on this line, ascending. */
  members: number[];
}

export interface BillingTotals {
  turnover: Money;
  charge: Money;
  tax: Money;
  total: Money;
  billed: number;
  trial: number;
  belowMinimum: number;
}

const UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/** An instant read from OFN's UTC text exactly, in seconds (sub-millisecond digits kept, so boundaries are exact). */
function parseUtc(text: string, what: string): Big {
  const m = UTC_TIMESTAMP.exec(text.trim());
  if (!m) throw new OfnError('BadArguments', `${what} is not a UTC timestamp 'YYYY-MM-DD HH:MM:SS': ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return new Big(ms / 1000).plus(`0.${frac ?? '0'}`);
}

/**
 * True when the trial had not ended when the month began: created_at + trialDays × 24 h (an instant)
 * is after the month's start instant. A trial ending exactly at the month start is over.
 */
function inTrial(createdAt: string, trialDays: number, monthStart: Big): boolean {
  // trialDays 0 means no trial at all: a shop created mid-month pays for that month.
  if (trialDays === 0) return false;
  return parseUtc(createdAt, 'createdAt').plus(trialDays * 86_400).gt(monthStart);
}

/** The monthly charge before tax for a turnover, rounded half-up to cents; never negative. */
export function chargeFor(plan: BillingPlan, turnover: string): Money {
  const amount = new Big(turnover);
  let charge: Big;
  if (plan.kind === 'rate') {
    charge = new Big(plan.fixed).plus(new Big(plan.rate).times(amount));
    // cap 0 means no cap, as in OFN's account_invoices_monthly_cap (resolveBillingPlan already maps it to null).
    if (plan.cap !== null && new Big(plan.cap).gt(0) && charge.gt(plan.cap)) charge = new Big(plan.cap);
  } else {
    // The first band whose upTo is above the turnover: a turnover exactly at upTo belongs to the next band.
    const band = plan.tiers.find((tier) => tier.upTo === null || amount.lt(tier.upTo)) ?? plan.tiers[plan.tiers.length - 1];
    charge = new Big(band?.charge ?? 0);
  }
  return roundCents(charge.lt(0) ? 0 : charge);
}

/** One line of the bill before pricing: a single enterprise, or a group sharing an external_billing_id. */
interface Account {
  billingId: string | null;
  members: BillableEnterprise[];
}

function billingIdOf(enterprise: BillableEnterprise): string | null {
  const id = enterprise.externalBillingId?.trim() ?? '';
  return id === '' ? null : id;
}

function accountsOf(plan: BillingPlan, enterprises: readonly BillableEnterprise[]): Account[] {
  // Keyed by billing id when grouping, else by position: a number never equals a string key.
  const accounts = new Map<string | number, Account>();
  for (const [i, e] of [...enterprises].sort((a, b) => a.enterpriseId - b.enterpriseId).entries()) {
    const billingId = billingIdOf(e);
    const key = plan.groupBy === 'external_billing_id' && billingId !== null ? billingId : i;
    const account = accounts.get(key);
    if (account) account.members.push(e);
    else accounts.set(key, { billingId, members: [e] });
  }
  return [...accounts.values()];
}

function priceAccount(plan: BillingPlan, account: Account, monthStart: Big): BillingLine {
  const { members } = account;
  const first = members[0]!;
  const turnover = members.reduce((sum, e) => sum.plus(e.turnover), new Big(0));
  const orders = members.reduce((sum, e) => sum + e.orders, 0);
  const createdAt = members.reduce(
    (earliest, e) => (parseUtc(e.createdAt, 'createdAt').lt(parseUtc(earliest, 'createdAt')) ? e.createdAt : earliest),
    first.createdAt,
  );
  // A group is in trial only while every member is: one member past its trial makes the account billable.
  const trial = members.every((e) => inTrial(e.createdAt, plan.trialDays, monthStart));
  const status: BillingStatus = trial ? 'trial' : turnover.lt(plan.minimumTurnover) ? 'below_minimum' : 'billed';
  const charge = status === 'billed' ? chargeFor(plan, turnover.toFixed()) : '0.00';
  const tax = roundCents(new Big(charge).times(plan.taxRate));
  return {
    enterpriseId: first.enterpriseId,
    billingId: account.billingId,
    name: members.map((e) => e.name).join(' + '),
    category: [...new Set(members.map((e) => e.category))].join(' + '),
    createdAt,
    turnover: roundCents(turnover),
    orders,
    charge,
    tax,
    total: new Big(charge).plus(tax).toFixed(2),
    status,
    members: members.map((e) => e.enterpriseId),
  };
}

/**
 * Bills one month. `enterprises` are the instance's shops at the end of the month with their official
 * turnover for the local month; `monthStartUtc` is local midnight of the 1st as UTC text. Lines are sorted
 * by total descending, then enterprise id.
 */
export function billMonth(
  plan: BillingPlan,
  enterprises: readonly BillableEnterprise[],
  monthStartUtc: string,
): { lines: BillingLine[]; totals: BillingTotals } {
  const monthStart = parseUtc(monthStartUtc, 'monthStartUtc');
  const lines = accountsOf(plan, enterprises)
    .map((account) => priceAccount(plan, account, monthStart))
    .sort((a, b) => new Big(b.total).cmp(a.total) || a.enterpriseId - b.enterpriseId);

  const sum = (pick: (line: BillingLine) => Money) => lines.reduce((total, line) => total.plus(pick(line)), new Big(0)).toFixed(2);
  const totals: BillingTotals = {
    turnover: sum((line) => line.turnover),
    charge: sum((line) => line.charge),
    tax: sum((line) => line.tax),
    total: sum((line) => line.total),
    billed: lines.filter((line) => line.status === 'billed').length,
    trial: lines.filter((line) => line.status === 'trial').length,
    belowMinimum: lines.filter((line) => line.status === 'below_minimum').length,
  };
  return { lines, totals };
}
