import { DateTime } from 'luxon';
import type { Deps } from '../commands/types.js';
import type { InstanceConfig } from '../config/config.js';
import { languageOfLocale } from '../core/i18n.js';
import type { Logger } from '../core/log.js';
import { dateLocale } from '../core/periods.js';
import { categoryLabel, enterpriseSells, enterprisesUpdatedSince, isShop, type EnterpriseChange } from '../queries/watch-queries.js';
import { announcementMessage, type NewEnterprise } from '../render/announcement.js';
import type { StateDb } from '../state/store.js';
import { deliveryBacklog, enqueue } from '../state/deliveries.js';
import { feedInstances, recordFeedEvents } from './webhooks.js';
import { activeWatchesOf, advanceWatermark, knownSells, recordFirstMark, recordWatchEvent, saveEnterpriseState, watermarkOf } from '../state/watches.js';

type Event = 'new-profile' | 'new-shop';
const EVENT_OF_WATCH = { 'new-profiles': 'new-profile', 'new-shops': 'new-shop' } as const;

export interface WatcherOptions {
  /** Re-read this far behind the mark: a replica can commit rows out of updated_at/id order. */
  overlapSeconds?: number;
  /** More events than this in one poll become one summary message. */
  summaryAbove?: number;
  batchLimit?: number;
}

/** Link to an enterprise's page on its instance, when the instance URL is configured. */
export function enterpriseUrl(instance: InstanceConfig, change: Pick<EnterpriseChange, 'permalink' | 'sells'>): string | undefined {
  if (!instance.url) return undefined;
  const base = instance.url.replace(/\/$/, '');
  return isShop(change.sells) ? `${base}/${encodeURIComponent(change.permalink)}/shop` : `${base}/producers/${encodeURIComponent(change.permalink)}`;
}

/** The locale of an announcement's dates: the instance's customs in its language (`16 nov 2026` at Katuma). */
function announceLocale(instance: InstanceConfig): string {
  return dateLocale(instance.locale, instance.language ?? languageOfLocale(instance.locale));
}

/** An enterprise as announced: category, place and link; never people. */
function asNewEnterprise(instance: InstanceConfig, change: EnterpriseChange): NewEnterprise {
  const url = enterpriseUrl(instance, change);
  return {
    id: change.id,
    name: change.name,
    category: categoryLabel(change.isPrimaryProducer, change.sells),
    town: change.town,
    country: change.country,
    ...(url ? { url } : {}),
    createdLocal: DateTime.fromSQL(change.createdAt, { zone: 'UTC' }).setZone(instance.timezone).setLocale(announceLocale(instance)).toFormat('d LLL yyyy HH:mm'),
  };
}

/**
 * Polls one instance's replica for new profiles and shops and turns them into ledger rows, exactly once
 * per (watch, enterprise, event) whichever process sees them first. Keeps a high-water mark on
 * (updated_at, id) with an overlap window, and the last seen `sells` per enterprise. The first poll
 * only records the mark: history is never announced.
 */
export async function pollInstance(state: StateDb, deps: Deps, instanceId: string, logger: Logger, options: WatcherOptions = {}): Promise<{ announced: number; first: boolean }> {
  const overlap = options.overlapSeconds ?? 600;
  const summaryAbove = options.summaryAbove ?? 5;
  const instance = deps.config.instances.get(instanceId);
  if (!instance) return { announced: 0, first: false };
  const watches = await activeWatchesOf(state, instanceId);
  // The API's event feed and the webhooks need the same polling, with or without a Slack watch.
  const feed = feedInstances(deps.config).has(instanceId);
  if (watches.length === 0 && !feed) return { announced: 0, first: false };
  const replica = deps.replica(instanceId);
  const mark = await watermarkOf(state, instanceId);

  if (!mark) {
    const all = await replica.read((tx) => enterpriseSells(tx));
    await recordFirstMark(state, instanceId, all);
    logger.info({ instance: instanceId, enterprises: all.length }, 'watcher: first start, mark recorded, nothing announced');
    return { announced: 0, first: true };
  }

  const since = DateTime.fromSQL(mark.updated_at, { zone: 'UTC' }).minus({ seconds: overlap }).toFormat('yyyy-LL-dd HH:mm:ss.SSS');
  const { addresses } = await replica.capabilities();
  const changes = await replica.read((tx) => enterprisesUpdatedSince(tx, since, options.batchLimit ?? 2_000, addresses));
  if (changes.length === 0) return { announced: 0, first: false };
  const known = await knownSells(state, instanceId, changes.map((c) => c.id));
  const events: { change: EnterpriseChange; event: Event }[] = [];
  for (const change of changes) {
    const previous = known.get(change.id);
    if (previous === undefined) events.push({ change, event: 'new-profile' });
    if (isShop(change.sells) && (previous === undefined || !isShop(previous))) events.push({ change, event: 'new-shop' });
  }
  let announced = 0;
  await state.transaction().execute(async (tx) => {
    if (feed) await recordFeedEvents(tx, deps, instanceId, events);
    for (const watch of watches) {
      const wanted = EVENT_OF_WATCH[watch.event];
      const fresh: EnterpriseChange[] = [];
      for (const { change, event } of events) {
        if (event !== wanted) continue;
        const key = `watch:${watch.id}:${instanceId}:${change.id}:${event}`;
        if (await recordWatchEvent(tx, { watchId: watch.id, instanceId, enterpriseId: change.id, event, deliveryKey: key })) fresh.push(change);
      }
      if (fresh.length === 0) continue;
      // Slack takes about one message per second per channel: when messages are already queued for this
      // channel, fold this poll's events into one message instead of lengthening the queue.
      const backlog = await deliveryBacklog(tx, watch.channel_id);
      const summary = fresh.length > summaryAbove || (fresh.length > 1 && backlog > 0);
      const sinceLocal = summary ? DateTime.fromSQL(mark.updated_at, { zone: 'UTC' }).setZone(instance.timezone).setLocale(announceLocale(instance)).toFormat('d LLL HH:mm') : undefined;
      const messages = summary
        ? [{ key: `watch:${watch.id}:${instanceId}:summary:${fresh.map((c) => c.id).join(',')}`.slice(0, 500) + `:${fresh.length}`, about: fresh }]
        : fresh.map((change) => ({ key: `watch:${watch.id}:${instanceId}:${change.id}:${wanted}`, about: [change] }));
      for (const { key, about } of messages) {
        const message = announcementMessage(instance, wanted, about.map((c) => asNewEnterprise(instance, c)), sinceLocal);
        await enqueue(tx, { dedupeKey: key, kind: 'watch', ownerId: watch.id, channelId: watch.channel_id, message });
      }
      announced += fresh.length;
    }
    for (const change of changes) await saveEnterpriseState(tx, instanceId, change.id, change.sells);
    const last = changes.at(-1)!;
    await advanceWatermark(tx, instanceId, { updatedAt: last.updatedAt, enterpriseId: last.id });
  });
  if (announced > 0) logger.info({ instance: instanceId, announced }, 'watcher: announcements enqueued');
  return { announced, first: false };
}
