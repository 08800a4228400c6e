import type { StateDb } from './store.js';

/** Dashboards added from Slack (`dashboard add`): a name, a title and questions in order. */

export interface StoredDashboard {
  name: string;
  title: string;
  questions: string[];
  createdBy: string;
  channelId: string;
}

function fromRow(row: { name: string; title: string; questions: unknown; created_by: string; channel_id: string }): StoredDashboard {
  const questions = typeof row.questions === 'string' ? (JSON.parse(row.questions) as unknown) : row.questions;
  return { name: row.name, title: row.title, questions: Array.isArray(questions) ? questions.map(String) : [], createdBy: row.created_by, channelId: row.channel_id };
}

export async function storedDashboard(db: StateDb, name: string): Promise<StoredDashboard | undefined> {
  const row = await db.selectFrom('dashboards').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function storedDashboards(db: StateDb): Promise<StoredDashboard[]> {
  return (await db.selectFrom('dashboards').selectAll().orderBy('name').execute()).map(fromRow);
}

/** Adds or replaces (the caller checked that the asker may). */
export async function saveDashboard(db: StateDb, dashboard: StoredDashboard): Promise<void> {
  const questions = JSON.stringify(dashboard.questions);
  await db
    .insertInto('dashboards')
    .values({ name: dashboard.name, title: dashboard.title, questions, created_by: dashboard.createdBy, channel_id: dashboard.channelId })
    .onConflict((oc) => oc.column('name').doUpdateSet({ title: dashboard.title, questions, created_by: dashboard.createdBy, channel_id: dashboard.channelId }))
    .execute();
}

export async function removeDashboard(db: StateDb, name: string): Promise<boolean> {
  const result = await db.deleteFrom('dashboards').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
