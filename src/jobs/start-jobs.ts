import { Cron } from 'croner';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../commands/types.js';
import { OfnError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { watcherLagSeconds } from '../core/telemetry.js';
import { forgetRequestsBefore } from '../state/seen-requests.js';
import type { StateDb } from '../state/store.js';
import { upsertWatch, watchedInstances } from '../state/watches.js';
import { composeBilling, enqueueMonthlyBilling, type BillingSource } from './billing-post.js';
import { channelGone, pulseGrant, refusalOf, refused } from './delivery-rules.js';
import { DeliveryWorker } from './outbox.js';
import { composePulse, enqueueDuePulses, type PulseSource } from './pulses.js';
import { pollInstance, type WatcherOptions } from './watcher.js';
import { composeWebhook, enqueueBillingClosed, feedInstances, webhookGone } from './webhooks.js';

export { composeBilling, enqueueMonthlyBilling, refusalOf };

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
}

export interface RunningJobs {
  /** Enqueues due pulse slots as of `now` (the clock is injectable for tests). */
  tick(now?: Date): Promise<void>;
  /** Polls every watched instance once. */
  pollAll(): Promise<void>;
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
      onGone: (delivery, status) => webhookGone(state, deps, delivery, status, logger),
    },
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
      if (delivery.kind === 'billing' && delivery.source) return composeBilling(state, deps, delivery.source as BillingSource, delivery.channel_id);
      return null;
    },
    onChannelGone: (delivery, error) => channelGone(state, delivery, error, logger),
  });

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
  void pollAll();
  worker.start(options.outboxMs ?? 500);
  return {
    tick,
    pollAll,
    worker,
    async stop() {
      cronTask?.stop();
      clearInterval(pollTimer);
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
