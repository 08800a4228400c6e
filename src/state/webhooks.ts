import type { EnterpriseEventsTable } from './schema.js';
import type { StateDb } from './store.js';

/** The API's event feed (new profiles and shops, once per instance) and the webhooks whose receivers are gone. */

export interface EnterpriseEvent {
  seq: number;
  instanceId: string;
  enterpriseId: number;
  event: EnterpriseEventsTable['event'];
  name: string;
  category: string;
  /** UTC text as OFN stores it. */
  createdAt: string;
  detectedAt: Date;
}

/** Records a new profile or shop of an instance: when it was detected, or undefined when it was recorded already (by this or another process). */
export async function recordEnterpriseEvent(
  db: StateDb,
  event: { instanceId: string; enterpriseId: number; event: EnterpriseEventsTable['event']; name: string; category: string; createdAt: string },
): Promise<Date | undefined> {
  const inserted = await db
    .insertInto('enterprise_events')
    .values({ instance_id: event.instanceId, enterprise_id: event.enterpriseId, event: event.event, name: event.name, category: event.category, created_at: event.createdAt })
    .onConflict((oc) => oc.columns(['instance_id', 'enterprise_id', 'event']).doNothing())
    .returning('detected_at')
    .executeTakeFirst();
  return inserted?.detected_at;
}

/** An instance's events, newest first; `beforeSeq` pages back. */
export async function enterpriseEvents(db: StateDb, query: { instanceId: string; event?: EnterpriseEventsTable['event']; limit: number; beforeSeq?: number }): Promise<EnterpriseEvent[]> {
  let select = db.selectFrom('enterprise_events').selectAll().where('instance_id', '=', query.instanceId);
  if (query.event) select = select.where('event', '=', query.event);
  if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
  const rows = await select.orderBy('seq', 'desc').limit(query.limit).execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    instanceId: r.instance_id,
    enterpriseId: r.enterprise_id,
    event: r.event,
    name: r.name,
    category: r.category,
    createdAt: r.created_at,
    detectedAt: r.detected_at,
  }));
}

/** Why a webhook is disabled for this URL (its receiver said 410 Gone), or undefined. A new URL in the config enables it again. */
export async function webhookDisabled(db: StateDb, name: string, url: string): Promise<string | undefined> {
  const row = await db.selectFrom('webhook_states').select(['note']).where('name', '=', name).where('url', '=', url).where('status', '=', 'disabled').executeTakeFirst();
  return row?.note;
}

/** Disables a webhook for this URL; true when this call disabled it (so it is reported once). */
export async function disableWebhook(db: StateDb, name: string, url: string, note: string): Promise<boolean> {
  const row = await db
    .insertInto('webhook_states')
    .values({ name, url, status: 'disabled', note })
    .onConflict((oc) => oc.column('name').doUpdateSet({ url, status: 'disabled', note, updated_at: new Date() }).where('webhook_states.url', '!=', url))
    .returning('name')
    .executeTakeFirst();
  return row !== undefined;
}
