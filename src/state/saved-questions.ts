import type { StateDb } from './store.js';

/** Saved questions: names are unique per channel (migration 004). */

export async function savedQuestion(db: StateDb, channelId: string, name: string) {
  return db.selectFrom('saved_questions').selectAll().where('channel_id', '=', channelId).where('name', '=', name).executeTakeFirst();
}

/** Saves or replaces (the caller checked that the name is free or the asker's own). */
export async function saveQuestion(db: StateDb, row: { channelId: string; name: string; question: string; createdBy: string }): Promise<void> {
  await db
    .insertInto('saved_questions')
    .values({ channel_id: row.channelId, name: row.name, question: row.question, created_by: row.createdBy })
    .onConflict((oc) => oc.columns(['channel_id', 'name']).doUpdateSet({ question: row.question }))
    .execute();
}

export async function savedQuestionsIn(db: StateDb, channelId: string) {
  return db.selectFrom('saved_questions').selectAll().where('channel_id', '=', channelId).orderBy('name').execute();
}
