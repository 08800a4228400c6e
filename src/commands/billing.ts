import { createHash } from 'node:crypto';
import { billMonth, planTerms, type BillingLine } from '../core/billing.js';
import { OfnError } from '../core/errors.js';
import type { BillingAllReport, BillingChange, BillingReport } from '../core/outcome.js';
import { parsePeriod, resolvePeriod, type PeriodOptions, type PeriodSpec } from '../core/periods.js';
import { readPeriod } from '../core/period-phrases.js';
import { closest } from '../core/suggest.js';
import { t } from '../core/i18n.js';
import { isFiller } from '../core/vocabulary.js';
import { billableEnterprises } from '../queries/billing-queries.js';
import { billingRun, recordBillingRun as storeBillingRun } from '../state/billing-runs.js';
import type { StateDb } from '../state/store.js';
import { fanOutInstances, sumMoney } from './fan-out.js';
import { instanceRef, lookupInstance, utcWindow } from './question.js';
import type { Deps, Route } from './types.js';

export interface BillingArgs {
  instance: string;
  /** `billing all`: every instance the audience may see that has a plan (authorized as `all`). */
  all?: true;
  month?: string; // YYYY-MM; default: last month in the instance's zone
  /** A month named otherwise (`october`, `el mes pasado`, `this-month`), resolved in each instance's zone. */
  period?: PeriodSpec;
  asSent: boolean;
}

/** A period that names one calendar month: the only kind billing takes (a month is what is invoiced). */
function isOneMonth(spec: PeriodSpec): boolean {
  return spec.kind === 'month' || spec.kind === 'recent-month' || (spec.kind === 'current' && spec.unit === 'month');
}

/** Pure: words after `billing`. A month may be written as any question writes it (`2026-10`, `october`, `el mes pasado`). */
export function parseBilling(words: readonly string[], instanceIds: readonly string[], visibleIds: readonly string[] = instanceIds, options: PeriodOptions = {}): BillingArgs {
  let instance: string | undefined;
  let all = false;
  let month: string | undefined;
  let period: PeriodSpec | undefined;
  let asSent = false;
  for (let i = 0; i < words.length; ) {
    const raw = words[i]!;
    const w = raw.toLowerCase();
    if (w === 'as-sent') asSent = true;
    else if (w === 'all') all = true;
    // Instance ids first: `au` is an instance before it is French for "to the".
    else if (instanceIds.includes(w)) instance = w;
    else if (isFiller(w)) {
      /* `de`, `el`, `for`: words around a period or an instance */
    }
    else {
      const read = readPeriod(words, i, options); // throws BadPeriod for 2026-13, with the usual message
      if (!read) {
        const guess = closest(w, [...visibleIds, 'all', 'as-sent']);
        throw OfnError.say('BadArguments', guess ? 'error.billing.wordGuess' : 'error.billing.word', { word: raw.slice(0, 40), ...(guess ? { guess } : {}) }, 'hint.billingUsage');
      }
      const spec = read.spec;
      if (!isOneMonth(spec)) {
        const typed = words.slice(i, i + read.used).join(' ');
        throw OfnError.say('BadPeriod', 'error.billing.oneMonth', { text: typed.slice(0, 60) }, 'hint.billing.oneMonth');
      }
      month = undefined;
      period = undefined;
      if (spec.kind === 'month') month = `${spec.year}-${String(spec.month).padStart(2, '0')}`;
      else if (!(spec.kind === 'current' && spec.offset === -1)) period = spec; // last month is the default
      i += read.used;
      continue;
    }
    i++;
  }
  if (all) {
    if (instance) throw OfnError.say('BadArguments', 'error.billing.allAndOne', { instance }, 'hint.billingUsage');
    return { instance: 'all', all: true, ...(month ? { month } : {}), ...(period ? { period } : {}), asSent };
  }
  if (!instance) {
    if (visibleIds.length === 1) instance = visibleIds[0]!;
    else throw OfnError.say('UnknownInstance', 'error.whichInstance', { instances: visibleIds.join(', ') }, 'hint.billingUsage');
  }
  return { instance, ...(month ? { month } : {}), ...(period ? { period } : {}), asSent };
}

/** A stable fingerprint of what is billed, to tell whether the replica changed since sending. */
export function billingHash(lines: readonly BillingLine[]): string {
  const canonical = lines.map((l) => [l.enterpriseId, l.billingId, l.turnover, l.orders, l.charge, l.tax, l.total, l.status]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function compare(sent: readonly BillingLine[], now: readonly BillingLine[]): BillingChange[] {
  const changes: BillingChange[] = [];
  const before = new Map(sent.map((l) => [l.enterpriseId, l]));
  const after = new Map(now.map((l) => [l.enterpriseId, l]));
  for (const [id, line] of after) {
    const old = before.get(id);
    if (!old) {
      changes.push({ enterpriseId: id, name: line.name, field: 'line', sent: '(absent)', now: `${line.total} ${line.status}` });
      continue;
    }
    for (const field of ['turnover', 'orders', 'total', 'status'] as const) {
      if (String(old[field]) !== String(line[field])) changes.push({ enterpriseId: id, name: line.name, field, sent: String(old[field]), now: String(line[field]) });
    }
  }
  for (const [id, line] of before) if (!after.has(id)) changes.push({ enterpriseId: id, name: line.name, field: 'line', sent: `${line.total} ${line.status}`, now: '(absent)' });
  return changes;
}

/** The month to bill: YYYY-MM, resolved in the instance's zone (its local midnights). */
export function billingMonth(args: BillingArgs, timezone: string, now: Date): { month: string; window: { fromUtc: string; toUtc: string }; provisional: boolean } {
  const spec = args.period ?? parsePeriod(args.month ?? 'last-month');
  const period = resolvePeriod(spec, timezone, now);
  const month = period.from.toFormat('yyyy-LL');
  // A month that has not started has nothing to bill: refused, so nobody sends an all-zero invoice.
  if (period.future) throw OfnError.say('BadPeriod', 'error.billing.notStarted', { month, zone: timezone });
  return { month, window: utcWindow(period), provisional: period.asOf !== undefined };
}

/** Computes a month's billing from the replica (or shows what was sent), and what changed since sending. */
export async function runBilling(deps: Deps, state: StateDb | undefined, args: BillingArgs): Promise<BillingReport> {
  const instance = lookupInstance(deps, args.instance);
  if (!instance.billing) throw OfnError.say('BadArguments', 'error.billing.noPlan', { name: instance.name, id: instance.id });
  const { month, window, provisional } = billingMonth(args, instance.timezone, deps.now());
  const sent = state ? await billingRun(state, instance.id, month) : undefined;
  if (args.asSent) {
    // Both say what to do instead: the bill as the replica has it now is one question away.
    const values = { id: instance.id, name: instance.name, month };
    if (!state) throw OfnError.say('BadArguments', 'error.billing.asSentNoState', values, 'hint.billing.asSentNoState');
    if (!sent) throw OfnError.say('NotFound', 'error.billing.notSent', values, 'hint.billing.insteadNow');
    return { kind: 'billing', instance: instanceRef(instance), month, lines: sent.lines, totals: sent.totals, hash: sent.hash, plan: sent.plan, sentAt: sent.sentAt };
  }
  const replica = deps.replica(instance.id);
  const capabilities = await replica.capabilities();
  const enterprises = await replica.read((tx) => billableEnterprises(tx, window, capabilities.externalBillingId));
  const { lines, totals } = billMonth(instance.billing, enterprises, window.fromUtc);
  const hash = billingHash(lines);
  // The month is not over: the bill may still grow, and says so in every format.
  const report: BillingReport = { kind: 'billing', instance: instanceRef(instance), month, lines, totals, hash, plan: planTerms(instance.billing), ...(provisional ? { provisional: true, asOf: deps.now().toISOString() } : {}) };
  if (sent && sent.hash !== hash) report.changes = compare(sent.lines, lines);
  return report;
}

/** Stores what a monthly post sent; the first run of a month wins, so a retry reuses it. */
export async function recordBillingRun(state: StateDb, report: BillingReport): Promise<BillingReport> {
  const stored = await storeBillingRun(state, { instanceId: report.instance.id, month: report.month, currency: report.instance.currency, lines: report.lines, totals: report.totals, hash: report.hash, plan: report.plan });
  return { ...report, lines: stored.lines, totals: stored.totals, hash: stored.hash, plan: stored.plan ?? report.plan, sentAt: stored.sentAt };
}

/**
 * `billing all`: each instance the audience may see that has a plan, each in its own zone and
 * currency (in parallel, bounded like `all`), and what they bill in total in the reporting currency.
 * A dead replica costs its own row; an instance without a plan is named, not billed.
 */
export async function runBillingAll(deps: Deps, state: StateDb | undefined, args: BillingArgs, instanceIds: readonly string[]): Promise<BillingAllReport> {
  const withPlan = instanceIds.filter((id) => deps.config.instances.get(id)?.billing);
  const warnings: BillingAllReport['warnings'] = instanceIds
    .filter((id) => !withPlan.includes(id))
    .map((id) => ({ instance: id, name: deps.config.instances.get(id)?.name ?? id, message: t('en', 'warning.noBillingPlan'), text: { key: 'warning.noBillingPlan' as const } }));
  if (withPlan.length === 0) throw OfnError.say('BadArguments', 'error.billing.noneWithPlan');
  const { results, warnings: failed } = await fanOutInstances(deps, withPlan, (instance) => runBilling(deps, state, { ...args, instance: instance.id, all: undefined }));
  warnings.push(...failed);
  const reports = results.map((r) => r.value);
  const total = sumMoney(deps, reports.map((r) => ({ value: r.totals.total, currency: r.instance.currency, month: r.month })), failed.length > 0);
  // A month named otherwise (`october`) is resolved in each zone: named when they all agree, as they do but for a few hours.
  const resolved = new Set(reports.map((r) => r.month));
  const month = args.month ?? (args.period && resolved.size === 1 ? [...resolved][0] : undefined);
  return { kind: 'billing-all', ...(month ? { month } : {}), reports, total, warnings };
}

/** `billing <instance|all> [YYYY-MM] [as-sent]`: needs `billing: true` for the audience (core/access.ts). */
export const billingRoute: Route<BillingArgs> = {
  name: 'billing',
  aliases: [],
  group: 'billing',
  summary: 'What to charge each enterprise for a month, from the instance’s plan (docs/billing.md); `all` for every instance, with a total.',
  usage: 'billing <instance|all> [YYYY-MM] [as-sent]',
  examples: ['billing katuma', 'billing katuma 2026-10', 'billing katuma 2026-10 as-sent', 'billing all 2026-10'],
  parse: (words, context) => parseBilling(words, context.instanceIds, context.visibleIds, context.dateOrder ? { dateOrder: context.dateOrder } : {}),
  reach: (args) => ({ instances: args.all ? 'all' : [args.instance], billing: true }),
  run: (deps, args, context) => (args.all ? runBillingAll(deps, context.state, args, context.instances) : runBilling(deps, context.state, args)),
};
