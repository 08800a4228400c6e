import cron from 'node-cron';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../commands/types.js';
import { cleanForLog, type Logger } from '../core/log.js';
import { watcherLagSeconds } from '../core/metrics.js';
import type { StateDb } from '../state/store.js';
import { DeliveryWorker, enqueue, type Delivery } from './outbox.js';
import { composePulse, enqueueDuePulses, type PulseSource } from './pulses.js';
import { pollInstance, type WatcherOptions } from './watcher.js';
import { DateTime } from 'luxon';
import { recordBillingRun, runBilling } from '../commands/billing.js';
import { billingCsv, billingMessage } from '../render/billing.js';
import type { OutboxMessage } from './outbox.js';
import { authorize, grantFor, type Grant, type Reach } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import { questionReach } from '../commands/pipeline.js';
import { escapeMrkdwn } from '../slack/blocks.js';

interface BillingSource {
  instance: string;
  month: string;
}

// The monthly post goes out from the configured time on the 1st; a bot that was down catches up
// within this window, and does not post an old month out of the blue after a long stop.
const BILLING_CATCH_UP_DAYS = 3;

/** On the 1st at the plan's local time, the previous month's billing goes once to the instance's billing channel. */
export async function enqueueMonthlyBilling(state: StateDb, deps: Deps, now: Date, logger: Logger): Promise<number> {
  let enqueued = 0;
  for (const instance of deps.config.instances.values()) {
    const plan = instance.billing;
    if (!plan?.channel) continue;
    const local = DateTime.fromJSDate(now, { zone: instance.timezone });
    const [hour, minute] = plan.postAt.split(':').map(Number) as [number, number];
    const due = local.startOf('month').set({ hour, minute });
    if (local < due || local > due.plus({ days: BILLING_CATCH_UP_DAYS })) continue;
    const month = local.startOf('month').minus({ months: 1 }).toFormat('yyyy-LL');
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

/** The monthly post: what is stored in billing_runs is what is sent (a retry reuses the first computation). */
export async function composeBilling(state: StateDb, deps: Deps, source: BillingSource): Promise<OutboxMessage> {
  const existing = await state.selectFrom('billing_runs').select('month').where('instance_id', '=', source.instance).where('month', '=', source.month).executeTakeFirst();
  const report = existing
    ? await runBilling(deps, state, { instance: source.instance, month: source.month, asSent: true })
    : await recordBillingRun(state, await runBilling(deps, state, { instance: source.instance, month: source.month, asSent: false }));
  const message = billingMessage(report);
  return {
    ...message,
    files: [{ filename: `billing-${report.instance.id}-${report.month}.csv`, title: `Billing ${report.instance.name} ${report.month} (CSV)`, base64: Buffer.from(billingCsv(report), 'utf8').toString('base64') }],
  };
}

export interface JobsOptions {
  state: StateDb;
  deps: Deps;
  client: WebClient;
  logger: Logger;
  /** Watcher poll interval (default 15 s). */
  pollMs?: number;
  /** Outbox poll interval (default 500 ms). */
  outboxMs?: number;
  watcher?: WatcherOptions;
  /** Run the pulse scheduler every minute with node-cron (default); tests call tick() instead. */
  cronEnabled?: boolean;
  backoffBaseMs?: number;
  /** How long a claimed delivery stays with its process before another may take it over (default 120 s). */
  leaseSeconds?: number;
}

export interface RunningJobs {
  /** Enqueues due pulse slots as of `now` (the clock is injectable for tests). */
  tick(now?: Date): Promise<void>;
  /** Polls every watched instance once. */
  pollAll(): Promise<void>;
  worker: DeliveryWorker;
  stop(): Promise<void>;
}

/** Records who did what, without answers' contents. Failing to audit never fails the action. */
export async function audit(state: StateDb, entry: { userId?: string | null; channelId?: string | null; action: string; question?: string | null; durationMs?: number | null; outcome: string; detail?: string | null }, logger?: Logger) {
  try {
    await state
      .insertInto('audit_log')
      .values({
        user_id: entry.userId ?? null,
        channel_id: entry.channelId ?? null,
        action: entry.action,
        question: entry.question === undefined || entry.question === null ? null : cleanForLog(entry.question).slice(0, 500),
        duration_ms: entry.durationMs ?? null,
        outcome: entry.outcome,
        detail: entry.detail === undefined || entry.detail === null ? null : cleanForLog(entry.detail).slice(0, 1000),
      })
      .execute();
  } catch (error) {
    logger?.warn({ err: (error as Error).message }, 'audit log write failed');
  }
}

/**
 * A channel the bot can't post in: disable the pulse or watch that feeds it (instead of retrying forever,
 * metabase #49647), note it in the audit log and tell the person who created it.
 */
async function channelGone(state: StateDb, delivery: NonNullable<Delivery>, error: string, logger: Logger) {
  const table = delivery.kind === 'pulse' ? 'pulses' : delivery.kind === 'watch' ? 'watches' : undefined;
  if (!table || delivery.owner_id === null) return;
  const note = `disabled: Slack said ${error} for channel ${delivery.channel_id}`;
  const owner = await state.updateTable(table).set({ status: 'disabled', note }).where('id', '=', delivery.owner_id).returning(['id', 'created_by']).executeTakeFirst();
  await audit(state, { action: `${delivery.kind}.disabled`, channelId: delivery.channel_id, outcome: error, detail: `${delivery.kind} #${delivery.owner_id}: ${note}` }, logger);
  if (owner && /^[UW]/.test(owner.created_by)) {
    const what = `${delivery.kind === 'pulse' ? 'Pulse' : 'Watch'} #${owner.id}`;
    await enqueue(state, {
      dedupeKey: `notice:${delivery.kind}:${owner.id}:disabled:${error}`,
      kind: 'notice',
      channelId: owner.created_by,
      message: {
        text: `${what} is disabled: I can't post in <#${delivery.channel_id}> (${error}).`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${what} is disabled: I can’t post in <#${delivery.channel_id}> (Slack says \`${error}\`). Invite me to the channel, then \`/ofn ${delivery.kind} resume ${owner.id}\`.` } }],
      },
    });
  }
}

/** The grant of a pulse's channel under the config as it is now (for a DM, its creator's). */
async function pulseGrant(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>): Promise<Grant | undefined> {
  const pulse = delivery.owner_id === null ? undefined : await state.selectFrom('pulses').select('created_by').where('id', '=', delivery.owner_id).executeTakeFirst();
  return grantFor(deps.config, { userId: pulse?.created_by ?? '', channelId: delivery.channel_id });
}

/**
 * Why a delivery may no longer go to its channel, checked before every attempt with the config as it
 * is now: a channel whose grant lost an instance stops getting that instance's pulses, announcements
 * and billing posts at once, without anyone having to find and remove them.
 */
export async function refusalOf(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>): Promise<string | undefined> {
  const { config } = deps;
  let reach: Reach | undefined;
  let grant: Grant | undefined;
  if (delivery.kind === 'pulse' && delivery.owner_id !== null) {
    const pulse = await state.selectFrom('pulses').select(['question', 'created_by']).where('id', '=', delivery.owner_id).executeTakeFirst();
    if (!pulse) return `pulse #${delivery.owner_id} no longer exists`;
    grant = grantFor(config, { userId: pulse.created_by, channelId: delivery.channel_id });
    try {
      reach = questionReach(deps, pulse.question);
    } catch (error) {
      if (error instanceof OfnError) return `the question no longer parses: ${error.message}`;
      throw error;
    }
  } else if (delivery.kind === 'watch' && delivery.owner_id !== null) {
    const watch = await state.selectFrom('watches').select(['instance_id', 'created_by']).where('id', '=', delivery.owner_id).executeTakeFirst();
    if (!watch) return `watch #${delivery.owner_id} no longer exists`;
    grant = grantFor(config, { userId: watch.created_by, channelId: delivery.channel_id });
    reach = { instances: [watch.instance_id], billing: false };
  } else if (delivery.kind === 'billing' && delivery.source) {
    grant = grantFor(config, { userId: '', channelId: delivery.channel_id });
    reach = { instances: [(delivery.source as BillingSource).instance], billing: true };
  } else {
    return undefined; // notices to a creator carry no figures
  }
  if (!grant) return `channel ${delivery.channel_id} has no access rule any more`;
  try {
    authorize(config, grant, reach);
    return undefined;
  } catch (error) {
    if (error instanceof OfnError) return error.message;
    throw error;
  }
}

/** A refused delivery: audited, and its creator told once (per pulse or watch) in a direct message. */
async function refused(state: StateDb, delivery: NonNullable<Delivery>, reason: string, logger: Logger) {
  await audit(state, { action: `${delivery.kind}.refused`, channelId: delivery.channel_id, outcome: 'AccessDenied', detail: `${delivery.dedupe_key}: ${reason}` }, logger);
  const table = delivery.kind === 'pulse' ? 'pulses' : delivery.kind === 'watch' ? 'watches' : undefined;
  if (!table || delivery.owner_id === null) return;
  const owner = await state.selectFrom(table).select(['id', 'created_by']).where('id', '=', delivery.owner_id).executeTakeFirst();
  if (!owner || !/^[UW]/.test(owner.created_by)) return;
  const what = `${delivery.kind === 'pulse' ? 'Pulse' : 'Watch'} #${owner.id}`;
  await enqueue(state, {
    dedupeKey: `notice:${delivery.kind}:${owner.id}:refused`,
    kind: 'notice',
    channelId: owner.created_by,
    message: {
      text: escapeMrkdwn(`${what} was not delivered to its channel: the access rules no longer allow it.`),
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:no_entry: ${what} was not delivered to <#${delivery.channel_id}>: ${escapeMrkdwn(reason)} I keep checking at every slot; change the config or \`/ofn ${delivery.kind} remove ${owner.id}\`.` } }],
    },
  });
}

export async function startJobs(options: JobsOptions): Promise<RunningJobs> {
  const { state, deps, client, logger } = options;
  const worker = new DeliveryWorker({
    db: state,
    client,
    logger: logger.child({ component: 'outbox' }),
    ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
    ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
    authorize: (delivery) => refusalOf(state, deps, delivery),
    onRefused: (delivery, reason) => refused(state, delivery, reason, logger),
    async compose(delivery) {
      const source = delivery.source as PulseSource | null;
      if (delivery.kind === 'pulse' && source) {
        const grant = await pulseGrant(state, deps, delivery);
        if (!grant) throw new OfnError('AccessDenied', `Channel ${delivery.channel_id} has no access rule.`);
        return composePulse(deps, source, grant);
      }
      if (delivery.kind === 'billing' && delivery.source) return composeBilling(state, deps, delivery.source as BillingSource);
      return null;
    },
    onChannelGone: (delivery, error) => channelGone(state, delivery, error, logger),
  });

  const tick = async (now = deps.now()) => {
    await enqueueMonthlyBilling(state, deps, now, logger);
    // Request keys only matter while Slack might redeliver (minutes); keep a day.
    await state.deleteFrom('seen_requests').where('at', '<', new Date(Date.now() - 24 * 3600_000)).execute().catch(() => undefined);
    try {
      const { enqueued, skipped } = await enqueueDuePulses(state, now, logger);
      if (enqueued || skipped) logger.info({ enqueued, skipped }, 'pulses: slots enqueued');
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'pulses: tick failed');
    }
  };

  const polling = new Set<string>();
  const lastPoll = new Map<string, number>();
  const lagTimer = setInterval(() => {
    for (const [instance, at] of lastPoll) watcherLagSeconds.set({ instance }, (Date.now() - at) / 1000);
  }, 5_000);
  lagTimer.unref();
  const pollAll = async () => {
    const instances = await state.selectFrom('watches').select('instance_id').distinct().where('status', '=', 'active').execute().catch((error) => {
      logger.error({ err: (error as Error).message }, 'watcher: cannot read watches');
      return [];
    });
    await Promise.all(
      instances.map(async ({ instance_id }) => {
        if (polling.has(instance_id)) return; // the previous poll of a slow replica is still running
        polling.add(instance_id);
        try {
          await pollInstance(state, deps, instance_id, logger, options.watcher);
          lastPoll.set(instance_id, Date.now());
        } catch (error) {
          // A replica outage just delays announcements: the mark stays, the next poll catches up.
          logger.warn({ instance: instance_id, err: (error as Error).message }, 'watcher: poll failed');
        } finally {
          polling.delete(instance_id);
        }
      }),
    );
  };

  const cronTask = options.cronEnabled === false ? undefined : cron.schedule('* * * * *', () => void tick());
  await tick();
  const pollTimer = setInterval(() => void pollAll(), options.pollMs ?? 15_000);
  void pollAll();
  worker.start(options.outboxMs ?? 500);
  return {
    tick,
    pollAll,
    worker,
    async stop() {
      await cronTask?.stop();
      clearInterval(pollTimer);
      clearInterval(lagTimer);
      await worker.stop();
    },
  };
}

/** Watches written in the config are kept in the state store like the ones made in Slack. */
export async function syncConfigWatches(state: StateDb, config: Deps['config']): Promise<void> {
  for (const watch of config.watches) {
    await state
      .insertInto('watches')
      .values({ event: watch.event, instance_id: watch.instance, channel_id: watch.channel, status: 'active', created_by: 'config', source: 'config', note: null })
      .onConflict((oc) => oc.columns(['event', 'instance_id', 'channel_id']).doNothing())
      .execute();
  }
}
