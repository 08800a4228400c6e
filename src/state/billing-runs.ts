import type { BillingLine, BillingPlanTerms, BillingTotals } from '../core/billing.js';
import type { StateDb } from './store.js';

/** What each monthly billing post sent, so it can be shown again exactly. */
export interface BillingRun {
  lines: BillingLine[];
  totals: BillingTotals;
  hash: string;
  sentAt: Date;
  /** null for runs sent before plans were stored (migration 006). */
  plan: BillingPlanTerms | null;
}

export async function billingRun(db: StateDb, instanceId: string, month: string): Promise<BillingRun | undefined> {
  const row = await db.selectFrom('billing_runs').selectAll().where('instance_id', '=', instanceId).where('month', '=', month).executeTakeFirst();
  return row ? { lines: row.lines as BillingLine[], totals: row.totals as BillingTotals, hash: row.hash, sentAt: row.sent_at, plan: (row.plan as BillingPlanTerms | null) ?? null } : undefined;
}

/** Stores a month's run; the first one wins (a retry reuses it). Returns what is stored. */
export async function recordBillingRun(db: StateDb, run: { instanceId: string; month: string; currency: string; lines: readonly BillingLine[]; totals: BillingTotals; hash: string; plan: BillingPlanTerms | null; sentAt?: Date }): Promise<BillingRun> {
  await db
    .insertInto('billing_runs')
    // sentAt: the demo records the posts its stopped clock says were sent (default: the database's now()).
    .values({ instance_id: run.instanceId, month: run.month, currency: run.currency, lines: JSON.stringify(run.lines), totals: JSON.stringify(run.totals), hash: run.hash, ...(run.plan ? { plan: JSON.stringify(run.plan) } : {}), ...(run.sentAt ? { sent_at: run.sentAt } : {}) })
    .onConflict((oc) => oc.columns(['instance_id', 'month']).doNothing())
    .execute();
  return (await billingRun(db, run.instanceId, run.month))!;
}

/** Forgets an instance's sent runs: the demo's, when it seeds its data again (they described the old data). */
export async function forgetBillingRuns(db: StateDb, instanceId: string): Promise<void> {
  await db.deleteFrom('billing_runs').where('instance_id', '=', instanceId).execute();
}
