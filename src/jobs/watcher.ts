import { DateTime } from 'luxon';
import type { Deps } from '../commands/types.js';
import type { InstanceConfig } from '../config/config.js';
import type { Logger } from '../core/log.js';
import { categoryLabel, enterpriseSells, enterprisesUpdatedSince, isShop, type EnterpriseChange } from '../queries/watch-queries.js';
import { escapeMrkdwn, type Block } from '../slack/blocks.js';
import type { StateDb } from '../state/store.js';
import { enqueue, type OutboxMessage } from './outbox.js';

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

function describe(instance: InstanceConfig, change: EnterpriseChange): string {
  const place = [change.town, change.country].filter(Boolean).join(', ');
  const url = enterpriseUrl(instance, change);
  const name = url ? `<${url}|${escapeMrkdwn(change.name)}>` : `*${escapeMrkdwn(change.name)}*`;
  return `${name} · ${categoryLabel(change.isPrimaryProducer, change.sells)}${place ? ` · ${escapeMrkdwn(place)}` : ''}`;
}

/** One announcement: the enterprise, its OFN category, town and country, the instance and a link. No people. */
export function announcementMessage(instance: InstanceConfig, event: Event, changes: EnterpriseChange[], summarySince?: string): OutboxMessage {
  const what = event === 'new-shop' ? 'shop' : 'profile';
  if (changes.length === 1 && !summarySince) {
    const change = changes[0]!;
    // The notification preview renders mrkdwn too: a shop named `<!channel>` must not ping anyone.
    const text = escapeMrkdwn(`New ${what} on ${instance.name}: ${change.name}`);
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `:seedling: New ${what} on *${escapeMrkdwn(instance.name)}*\n${describe(instance, change)}` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Created ${DateTime.fromSQL(change.createdAt, { zone: 'UTC' }).setZone(instance.timezone).toFormat('d LLL yyyy HH:mm')} (${instance.timezone}) · enterprise #${change.id}` }] },
      ],
    };
  }
  const lines = changes.slice(0, 40).map((c) => `• ${describe(instance, c)}`);
  if (changes.length > 40) lines.push(`…and ${changes.length - 40} more.`);
  const header = `${changes.length} new ${what}s on ${instance.name}${summarySince ? ` since ${summarySince}` : ''}`;
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: `:seedling: *${escapeMrkdwn(header)}*` } }];
  for (let i = 0; i < lines.length; i += 15) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.slice(i, i + 15).join('\n') } });
  return { text: escapeMrkdwn(header), blocks };
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
  const watches = await state.selectFrom('watches').selectAll().where('instance_id', '=', instanceId).where('status', '=', 'active').execute();
  if (watches.length === 0) return { announced: 0, first: false };
  const replica = deps.replica(instanceId);
  const mark = await state.selectFrom('watermarks').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();

  if (!mark) {
    const all = await replica.read((tx) => enterpriseSells(tx));
    await state.transaction().execute(async (tx) => {
      for (let i = 0; i < all.length; i += 1000) {
        await tx
          .insertInto('enterprise_states')
          .values(all.slice(i, i + 1000).map((e) => ({ instance_id: instanceId, enterprise_id: e.id, sells: e.sells })))
          .onConflict((oc) => oc.columns(['instance_id', 'enterprise_id']).doNothing())
          .execute();
      }
      const last = all.at(-1);
      await tx
        .insertInto('watermarks')
        .values({ instance_id: instanceId, updated_at: last?.updatedAt ?? '1970-01-01 00:00:00', enterprise_id: last?.id ?? 0, updated_on: new Date() })
        .onConflict((oc) => oc.column('instance_id').doNothing())
        .execute();
    });
    logger.info({ instance: instanceId, enterprises: all.length }, 'watcher: first start, mark recorded, nothing announced');
    return { announced: 0, first: true };
  }

  const since = DateTime.fromSQL(mark.updated_at, { zone: 'UTC' }).minus({ seconds: overlap }).toFormat('yyyy-LL-dd HH:mm:ss.SSS');
  const { addresses } = await replica.capabilities();
  const changes = await replica.read((tx) => enterprisesUpdatedSince(tx, since, options.batchLimit ?? 2_000, addresses));
  if (changes.length === 0) return { announced: 0, first: false };
  const known = new Map(
    (
      await state
        .selectFrom('enterprise_states')
        .select(['enterprise_id', 'sells'])
        .where('instance_id', '=', instanceId)
        .where('enterprise_id', 'in', changes.map((c) => c.id))
        .execute()
    ).map((r) => [r.enterprise_id, r.sells]),
  );
  const events: { change: EnterpriseChange; event: Event }[] = [];
  for (const change of changes) {
    const previous = known.get(change.id);
    if (previous === undefined) events.push({ change, event: 'new-profile' });
    if (isShop(change.sells) && (previous === undefined || !isShop(previous))) events.push({ change, event: 'new-shop' });
  }
  let announced = 0;
  await state.transaction().execute(async (tx) => {
    for (const watch of watches) {
      const wanted = EVENT_OF_WATCH[watch.event];
      const fresh: EnterpriseChange[] = [];
      for (const { change, event } of events) {
        if (event !== wanted) continue;
        const key = `watch:${watch.id}:${instanceId}:${change.id}:${event}`;
        const inserted = await tx
          .insertInto('watch_events')
          .values({ watch_id: watch.id, instance_id: instanceId, enterprise_id: change.id, event, delivery_key: key })
          .onConflict((oc) => oc.columns(['watch_id', 'instance_id', 'enterprise_id', 'event']).doNothing())
          .returning('enterprise_id')
          .executeTakeFirst();
        if (inserted) fresh.push(change);
      }
      if (fresh.length === 0) continue;
      // Slack takes about one message per second per channel: when messages are already queued for this
      // channel, fold this poll's events into one message instead of lengthening the queue.
      const backlog = await tx
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('channel_id', '=', watch.channel_id)
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirstOrThrow();
      if (fresh.length > summaryAbove || (fresh.length > 1 && Number(backlog.n) > 0)) {
        const sinceLocal = DateTime.fromSQL(mark.updated_at, { zone: 'UTC' }).setZone(instance.timezone).toFormat('d LLL HH:mm');
        await enqueue(tx, {
          dedupeKey: `watch:${watch.id}:${instanceId}:summary:${fresh.map((c) => c.id).join(',')}`.slice(0, 500) + `:${fresh.length}`,
          kind: 'watch',
          ownerId: watch.id,
          channelId: watch.channel_id,
          message: announcementMessage(instance, wanted, fresh, sinceLocal),
        });
      } else {
        for (const change of fresh) {
          await enqueue(tx, {
            dedupeKey: `watch:${watch.id}:${instanceId}:${change.id}:${wanted}`,
            kind: 'watch',
            ownerId: watch.id,
            channelId: watch.channel_id,
            message: announcementMessage(instance, wanted, [change]),
          });
        }
      }
      announced += fresh.length;
    }
    for (const change of changes) {
      await tx
        .insertInto('enterprise_states')
        .values({ instance_id: instanceId, enterprise_id: change.id, sells: change.sells })
        .onConflict((oc) => oc.columns(['instance_id', 'enterprise_id']).doUpdateSet({ sells: change.sells }))
        .execute();
    }
    const last = changes.at(-1)!;
    await tx
      .updateTable('watermarks')
      .set({ updated_at: last.updatedAt, enterprise_id: last.id, updated_on: new Date() })
      .where('instance_id', '=', instanceId)
      .where('updated_at', '<', last.updatedAt)
      .execute();
  });
  if (announced > 0) logger.info({ instance: instanceId, announced }, 'watcher: announcements enqueued');
  return { announced, first: false };
}
