import { sql } from 'kysely';
import type { StateDb } from './store.js';

/**
 * Replica outages as every process sees them, in one row per instance: the first process to find a
 * replica down records since when; the first to find it down for longer than the threshold claims the
 * notice (one process wins the update); the first to find it back closes the outage and, if a notice
 * went out, claims the recovery notice. So the ops channel hears once per outage, and once when it ends.
 */

/** Records that the replica is down (keeps the earliest `down_since`); returns the open outage. */
export async function replicaDown(db: StateDb, instanceId: string, at: Date, error: string) {
  await db
    .insertInto('replica_outages')
    .values({ instance_id: instanceId, down_since: at, last_error: error.slice(0, 500), notified_at: null })
    .onConflict((oc) => oc.column('instance_id').doUpdateSet({ last_error: error.slice(0, 500) }))
    .execute();
  return db.selectFrom('replica_outages').selectAll().where('instance_id', '=', instanceId).executeTakeFirstOrThrow();
}

/** Claims the "down" notice of an outage that began before `before`: true for exactly one caller. */
export async function claimDownNotice(db: StateDb, instanceId: string, before: Date, at: Date): Promise<boolean> {
  const claimed = await db
    .updateTable('replica_outages')
    .set({ notified_at: at })
    .where('instance_id', '=', instanceId)
    .where('notified_at', 'is', null)
    .where('down_since', '<=', before)
    .returning('instance_id')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Closes an open outage; returns it when this caller closed it (so one process reports the recovery). */
export async function replicaUp(db: StateDb, instanceId: string) {
  const { rows } = await sql<{ instance_id: string; down_since: Date; notified_at: Date | null; last_error: string }>`
    delete from replica_outages where instance_id = ${instanceId} returning instance_id, down_since, notified_at, last_error`.execute(db);
  return rows[0];
}
