import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import type { WebClient } from '@slack/web-api';
import { withDeadline } from '../commands/fan-out.js';
import type { Deps } from '../commands/types.js';
import { OfnError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { watcherLagSeconds } from '../core/telemetry.js';
import { forgetRequestsBefore } from '../state/seen-requests.js';
import type { StateDb } from '../state/store.js';
import { upsertWatch, watchById, watchedInstances } from '../state/watches.js';
import { composeBilling, enqueueMonthlyBilling, type BillingSource } from './billing-post.js';
import { channelGone, pulseGrant, refusalSaid, refused } from './delivery-rules.js';
import { checkReplicas, deliveryFailed, ownerDisabled } from './ops-notices.js';
import { DeliveryWorker } from './outbox.js';
import { composePulse, enqueueDuePulses, type PulseSource } from './pulses.js';
import { pollInstance, type WatcherOptions } from './watcher.js';
import { composeWebhook, enqueueBillingClosed, feedInstances, webhookGone } from './webhooks.js';

export { composeBilling, enqueueMonthlyBilling };

/** The background jobs of `serve`: the pulse scheduler, the monthly billing post, watchers and the delivery worker. */

export interface JobsOptions {
  state: StateDb;
  deps: Deps;
  /** Slack's Web API. Without it (`ofn-insights api`) only webhooks are delivered, and no pulse or Slack billing post is enqueued. */
  client?: WebClient;
  logger: Logger;
  /** Watcher poll interval (default 15 s). */
  pollMs?: number;
  /** Outbox poll interval (default 500 ms). */
  outboxMs?: number;
  watcher?: WatcherOptions;
  /** Run the pulse scheduler every minute (default); tests call tick() instead. */
  cronEnabled?: boolean;
  backoffBaseMs?: number;
  /** How long a claimed delivery stays with its process before another may take it over (default 120 s). */
  leaseSeconds?: number;
  /** How often every replica is checked for the ops channel's outage notices (default: a third of replicaDownNoticeSeconds, at most a minute). */
  replicaCheckMs?: number;
}

export interface RunningJobs {
  /** Enqueues due pulse slots as of `now` (the clock is injectable for tests). */
  tick(now?: Date): Promise<void>;
  /** Polls every watched instance once. */
  pollAll(): Promise<void>;
  /** Checks every replica once for the ops channel (outage and recovery notices); `now` is injectable for tests. */
  checkReplicas(now?: Date): Promise<void>;
  worker: DeliveryWorker;
  stop(): Promise<void>;
}

export async function startJobs(options: JobsOptions): Promise<RunningJobs> {
  const { state, deps, client, logger } = options;
  const worker = new DeliveryWorker({
    db: state,
    ...(client ? { client } : {}),
    logger: logger.child({ component: 'outbox' }),
    webhooks: {
      // The URL and secret as the config says now: a rotated secret or moved receiver applies to retries too.
      target: (delivery) => deps.config.webhooks.find((w) => `webhook:${w.name}` === delivery.channel_id),
      compose: (delivery) => composeWebhook(state, deps, delivery),
      async onGone(delivery, status) {
        await webhookGone(state, deps, delivery, status, logger);
        const name = delivery.channel_id.replace(/^webhook:/, '');
        // Once per webhook and URL: a new URL that is gone too is reported again.
        const url = deps.config.webhooks.find((w) => w.name === name)?.url ?? '';
        const urlKey = createHash('sha256').update(url).digest('hex').slice(0, 12);
        await ownerDisabled(state, deps, `Webhook \`${name}\` is disabled: its receiver said it is gone`, `webhook:${name}:${urlKey}:${status}`, `HTTP ${status} Gone from its receiver`, 'Give it a new `url` in the ofn-insights config (or remove it) and restart; nothing is sent to it until then.', logger);
      },
    },
    ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
    ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
    authorize: (delivery) => refusalSaid(state, deps, delivery),
    onRefused: (delivery, reason, said) => refused(state, deps, delivery, said ?? reason, logger),
    async compose(delivery) {
      const source = delivery.source as PulseSource | null;
      if (delivery.kind === 'pulse' && source) {
        const grant = await pulseGrant(state, deps, delivery);
        if (!grant) throw new OfnError('AccessDenied', `Channel ${delivery.channel_id} has no access rule.`);
        return composePulse(deps, source, grant);
      }
      if (delivery.kind === 'billing' && delivery.source) return composeBilling(state, deps, delivery.source as BillingSource, delivery.channel_id);
      return null;
    },
    async onChannelGone(delivery, error) {
      await channelGone(state, deps, delivery, error, logger);
      if ((delivery.kind === 'pulse' || delivery.kind === 'watch') && delivery.owner_id !== null) {
        const what = `${delivery.kind === 'pulse' ? 'Pulse' : 'Watch'} #${delivery.owner_id}`;
        const watch = delivery.kind === 'watch' ? await watchById(state, delivery.owner_id) : undefined;
        // A watch has no resume: adding it again (same event, instance and channel) makes it active.
        const then =
          delivery.kind === 'pulse'
            ? `\`/ofn pulse resume ${delivery.owner_id}\``
            : `add the watch again from that channel: \`/ofn watch ${watch ? `${watch.event} ${watch.instance_id}` : 'new-shops|new-profiles <instance>'}\``;
        await ownerDisabled(state, deps, `${what} is disabled: I can’t post in <#${delivery.channel_id}>`, `${delivery.kind}:${delivery.owner_id}:${error}`, error, `Invite the bot to <#${delivery.channel_id}> (\`/invite @ofn-insights\`), then ${then}.`, logger);
      }
    },
    async onFailed(delivery, reason) {
      // A pulse or watch whose channel is gone, or a webhook whose receiver is, was reported as disabled just before.
      if ((delivery.kind === 'pulse' || delivery.kind === 'watch') && /^(channel_not_found|not_in_channel|is_archived|channel_is_archived|user_not_found|cannot_dm_bot)$/.test(reason)) return;
      if (delivery.kind === 'webhook' && reason === 'HTTP 410 Gone') return;
      await deliveryFailed(state, deps, delivery, reason, logger);
    },
  });
  const probe = async (id: string): Promise<string | undefined> => {
    try {
      await withDeadline(deps.replica(id).read((tx) => tx.selectFrom('enterprises').select('id').limit(1).execute()), 10_000, () => new Error('no answer in 10 s'));
      return undefined;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return `${(error as Error).message}${cause ? ` (${cause})` : ''}`;
    }
  };
  const replicaCheck = (now = deps.now()) => checkReplicas(state, deps, probe, now, logger);

  const tick = async (now = deps.now()) => {
    await enqueueBillingClosed(state, deps, now, logger);
    if (!client) return; // no Slack: pulses and the Slack billing post wait for a process that has it
    await enqueueMonthlyBilling(state, deps, now, logger);
    // Request keys only matter while Slack might redeliver (minutes); keep a day.
    await forgetRequestsBefore(state, new Date(Date.now() - 24 * 3600_000)).catch(() => undefined);
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
    const watched = await watchedInstances(state).catch((error) => {
      logger.error({ err: (error as Error).message }, 'watcher: cannot read watches');
      return [] as string[];
    });
    // Instances with an API event feed or webhooks are polled too, Slack watch or not.
    const instances = [...new Set([...watched, ...feedInstances(deps.config)])];
    await Promise.all(
      instances.map(async (instance_id) => {
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

  // Every minute at :00 (croner); pulses compute their own local slots from the ledger's mark.
  const cronTask = options.cronEnabled === false ? undefined : new Cron('* * * * *', { protect: true }, () => void tick());
  await tick();
  const pollTimer = setInterval(() => void pollAll(), options.pollMs ?? 15_000);
  // Outages are only worth tracking where someone hears of them.
  const replicaTimer = deps.config.opsChannel ? setInterval(() => void replicaCheck(), options.replicaCheckMs ?? Math.min(60_000, (deps.config.replicaDownNoticeSeconds * 1000) / 3)) : undefined;
  replicaTimer?.unref();
  void pollAll();
  worker.start(options.outboxMs ?? 500);
  return {
    tick,
    pollAll,
    checkReplicas: replicaCheck,
    worker,
    async stop() {
      cronTask?.stop();
      clearInterval(pollTimer);
      if (replicaTimer) clearInterval(replicaTimer);
      clearInterval(lagTimer);
      await worker.stop();
    },
  };
}

/** Watches written in the config are kept in the state store like the ones made in Slack. */
export async function syncConfigWatches(state: StateDb, config: Deps['config']): Promise<void> {
  for (const watch of config.watches) {
    await upsertWatch(state, { event: watch.event, instanceId: watch.instance, channelId: watch.channel, createdBy: 'config', source: 'config' }, false);
  }
}
