import type { StateDb } from './store.js';

/** Records a request key; false when some process recorded it already (Slack redelivered it). */
export async function firstSighting(db: StateDb, key: string): Promise<boolean> {
  const row = await db.insertInto('seen_requests').values({ key }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
  return row !== undefined;
}

/** Request keys only matter while Slack might redeliver (minutes). */
export async function forgetRequestsBefore(db: StateDb, before: Date): Promise<void> {
  await db.deleteFrom('seen_requests').where('at', '<', before).execute();
}
