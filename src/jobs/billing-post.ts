import { DateTime } from 'luxon';
import { ask } from '../commands/pipeline.js';
import type { Deps } from '../commands/types.js';
import { grantFor } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { billingMessage } from '../render/billing.js';
import { csvFile } from '../render/csv.js';
import { recordBillingRun } from '../commands/billing.js';
import { billingRun } from '../state/billing-runs.js';
import { enqueue, type OutboxMessage } from '../state/deliveries.js';
import type { StateDb } from '../state/store.js';

export interface BillingSource {
  instance: string;
  month: string;
}

// The monthly post goes out from the configured time on the 1st; a bot that was down catches up
// within this window, and does not post an old month out of the blue after a long stop.
const BILLING_CATCH_UP_DAYS = 3;

/**
 * The month whose bill is final and due to go out now (the monthly post, the `billing.closed` webhook):
 * from the plan's local time on the 1st, for BILLING_CATCH_UP_DAYS; undefined otherwise.
 */
export function closedMonthDue(instance: { timezone: string; billing?: { postAt: string } }, now: Date): string | undefined {
  if (!instance.billing) return undefined;
  const local = DateTime.fromJSDate(now, { zone: instance.timezone });
  const [hour, minute] = instance.billing.postAt.split(':').map(Number) as [number, number];
  const due = local.startOf('month').set({ hour, minute });
  if (local < due || local > due.plus({ days: BILLING_CATCH_UP_DAYS })) return undefined;
  return local.startOf('month').minus({ months: 1 }).toFormat('yyyy-LL');
}

/** On the 1st at the plan's local time, the previous month's billing goes once to the instance's billing channel. */
export async function enqueueMonthlyBilling(state: StateDb, deps: Deps, now: Date, logger: Logger): Promise<number> {
  let enqueued = 0;
  for (const instance of deps.config.instances.values()) {
    const plan = instance.billing;
    if (!plan?.channel) continue;
    const month = closedMonthDue(instance, now);
    if (!month) continue;
    try {
      const inserted = await enqueue(state, { dedupeKey: `billing:${instance.id}:${month}`, kind: 'billing', channelId: plan.channel, source: { instance: instance.id, month } satisfies BillingSource });
      if (inserted) {
        enqueued++;
        logger.info({ instance: instance.id, month }, 'billing: monthly post enqueued');
      }
    } catch (error) {
      logger.error({ instance: instance.id, err: (error as Error).message }, 'billing: cannot enqueue the monthly post');
    }
  }
  return enqueued;
}

/**
 * The monthly post, asked like any question as the billing channel: what is stored in billing_runs is
 * what is sent (a retry reuses the first computation).
 */
export async function composeBilling(state: StateDb, deps: Deps, source: BillingSource, channelId: string): Promise<OutboxMessage> {
  const grant = grantFor(deps.config, { userId: '', channelId });
  if (!grant) throw new OfnError('AccessDenied', `Channel ${channelId} has no access rule.`);
  const sent = await billingRun(state, source.instance, source.month);
  const outcome = await ask(deps, `billing ${source.instance} ${source.month}${sent ? ' as-sent' : ''}`, state, { grant });
  if (outcome.kind !== 'billing') throw new Error(`billing post: unexpected ${outcome.kind}`);
  // Never an invoice from a month that is not over (the post goes out for the previous month; a clock error must not change that).
  if (outcome.provisional) throw new OfnError('BadPeriod', `billing post: ${source.month} is not over in ${outcome.instance.timezone}; not sending a provisional bill.`);
  const report = sent ? outcome : await recordBillingRun(state, outcome);
  const file = csvFile(report);
  return { ...billingMessage(report), files: [{ filename: file.filename, title: file.title, base64: Buffer.from(file.text, 'utf8').toString('base64') }] };
}
