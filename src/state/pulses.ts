import type { JobStatus } from './schema.js';
import type { StateDb } from './store.js';

/** Pulses: a question on a schedule in a time zone, posted to a channel through the ledger. */

export interface NewPulse {
  question: string;
  schedule: string;
  timezone: string;
  channelId: string;
  onlyIfResults: boolean;
  createdBy: string;
  /** Slots after this are due (creation or resume time: missed ones are not delivered late). */
  from: Date;
}

export async function insertPulse(db: StateDb, pulse: NewPulse): Promise<number> {
  const row = await db
    .insertInto('pulses')
    .values({ question: pulse.question, schedule: pulse.schedule, timezone: pulse.timezone, channel_id: pulse.channelId, only_if_results: pulse.onlyIfResults, grace_minutes: 360, status: 'active', created_by: pulse.createdBy, last_slot_at: pulse.from, note: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A pulse that has not been removed. */
export async function livePulse(db: StateDb, id: number) {
  return db.selectFrom('pulses').selectAll().where('id', '=', id).where('status', '!=', 'removed').executeTakeFirst();
}

export async function livePulses(db: StateDb) {
  return db.selectFrom('pulses').selectAll().where('status', '!=', 'removed').orderBy('id').execute();
}

export async function activePulses(db: StateDb) {
  return db.selectFrom('pulses').selectAll().where('status', '=', 'active').execute();
}

export async function pulseById(db: StateDb, id: number) {
  return db.selectFrom('pulses').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Pause, resume (from `resumeFrom`: slots missed while paused are not delivered late) or remove. */
export async function setPulseStatus(db: StateDb, id: number, status: JobStatus, resumeFrom?: Date): Promise<void> {
  await db
    .updateTable('pulses')
    .set({ status, note: null, ...(resumeFrom ? { last_slot_at: resumeFrom } : {}) })
    .where('id', '=', id)
    .execute();
}

/** Records the newest slot enqueued; never moves the mark back (another process may be ahead). */
export async function advancePulseSlot(db: StateDb, id: number, at: Date): Promise<void> {
  await db
    .updateTable('pulses')
    .set({ last_slot_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_slot_at', 'is', null), eb('last_slot_at', '<', at)]))
    .execute();
}

/** Disables the pulse or watch feeding a channel the bot can't post in. */
export async function disableOwner(db: StateDb, kind: 'pulse' | 'watch', id: number, note: string): Promise<void> {
  await db
    .updateTable(kind === 'pulse' ? 'pulses' : 'watches')
    .set({ status: 'disabled', note })
    .where('id', '=', id)
    .execute();
}

