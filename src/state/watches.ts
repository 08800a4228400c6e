import type { StateDb } from './store.js';
import type { WatchesTable } from './schema.js';

/** Watches and the watcher's memory: high-water marks, each enterprise's last `sells`, announced events. */

export async function upsertWatch(db: StateDb, watch: { event: WatchesTable['event']; instanceId: string; channelId: string; createdBy: string; source: 'slack' | 'config' }, reactivate = true): Promise<number | undefined> {
  const row = await db
    .insertInto('watches')
    .values({ event: watch.event, instance_id: watch.instanceId, channel_id: watch.channelId, status: 'active', created_by: watch.createdBy, source: watch.source, note: null })
    .onConflict((oc) => (reactivate ? oc.columns(['event', 'instance_id', 'channel_id']).doUpdateSet({ status: 'active', note: null }) : oc.columns(['event', 'instance_id', 'channel_id']).doNothing()))
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function liveWatches(db: StateDb) {
  return db.selectFrom('watches').selectAll().where('status', '!=', 'removed').orderBy('id').execute();
}

export async function liveWatch(db: StateDb, id: number) {
  return db.selectFrom('watches').selectAll().where('id', '=', id).where('status', '!=', 'removed').executeTakeFirst();
}

export async function watchById(db: StateDb, id: number) {
  return db.selectFrom('watches').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function removeWatch(db: StateDb, id: number): Promise<void> {
  await db.updateTable('watches').set({ status: 'removed' }).where('id', '=', id).execute();
}

export async function activeWatchesOf(db: StateDb, instanceId: string) {
  return db.selectFrom('watches').selectAll().where('instance_id', '=', instanceId).where('status', '=', 'active').execute();
}

/** The instances some active watch looks at. */
export async function watchedInstances(db: StateDb): Promise<string[]> {
  return (await db.selectFrom('watches').select('instance_id').distinct().where('status', '=', 'active').execute()).map((r) => r.instance_id);
}

export async function watermarkOf(db: StateDb, instanceId: string) {
  return db.selectFrom('watermarks').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
}

/** The first poll: every enterprise's `sells` and the mark, without announcing anything. */
export async function recordFirstMark(db: StateDb, instanceId: string, all: readonly { id: number; sells: string; updatedAt: string }[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
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
}

/** The last `sells` seen for these enterprises (absent = never seen: a new profile). */
export async function knownSells(db: StateDb, instanceId: string, enterpriseIds: readonly number[]): Promise<Map<number, string>> {
  if (enterpriseIds.length === 0) return new Map();
  const rows = await db.selectFrom('enterprise_states').select(['enterprise_id', 'sells']).where('instance_id', '=', instanceId).where('enterprise_id', 'in', [...enterpriseIds]).execute();
  return new Map(rows.map((r) => [r.enterprise_id, r.sells]));
}

/** Records an event for a watch; false when it was recorded already (by this or another process). */
export async function recordWatchEvent(db: StateDb, event: { watchId: number; instanceId: string; enterpriseId: number; event: 'new-profile' | 'new-shop'; deliveryKey: string }): Promise<boolean> {
  const inserted = await db
    .insertInto('watch_events')
    .values({ watch_id: event.watchId, instance_id: event.instanceId, enterprise_id: event.enterpriseId, event: event.event, delivery_key: event.deliveryKey })
    .onConflict((oc) => oc.columns(['watch_id', 'instance_id', 'enterprise_id', 'event']).doNothing())
    .returning('enterprise_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function saveEnterpriseState(db: StateDb, instanceId: string, enterpriseId: number, sells: string): Promise<void> {
  await db
    .insertInto('enterprise_states')
    .values({ instance_id: instanceId, enterprise_id: enterpriseId, sells })
    .onConflict((oc) => oc.columns(['instance_id', 'enterprise_id']).doUpdateSet({ sells }))
    .execute();
}

/** Moves the mark forward only (a slower process must not move it back). */
export async function advanceWatermark(db: StateDb, instanceId: string, mark: { updatedAt: string; enterpriseId: number }): Promise<void> {
  await db
    .updateTable('watermarks')
    .set({ updated_at: mark.updatedAt, enterprise_id: mark.enterpriseId, updated_on: new Date() })
    .where('instance_id', '=', instanceId)
    .where('updated_at', '<', mark.updatedAt)
    .execute();
}
