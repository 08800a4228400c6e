import { cleanForLog, type Logger } from '../core/log.js';
import type { StateDb } from './store.js';

export interface AuditEntry {
  userId?: string | null;
  channelId?: string | null;
  action: string;
  question?: string | null;
  durationMs?: number | null;
  outcome: string;
  detail?: string | null;
}

const clean = (text: string | null | undefined, max: number) => (text === undefined || text === null ? null : cleanForLog(text).slice(0, max));

/** Records who did what, without answers' contents. Failing to audit never fails the action. */
export async function audit(db: StateDb, entry: AuditEntry, logger?: Logger): Promise<void> {
  try {
    await db
      .insertInto('audit_log')
      .values({
        user_id: entry.userId ?? null,
        channel_id: entry.channelId ?? null,
        action: entry.action,
        question: clean(entry.question, 500),
        duration_ms: entry.durationMs ?? null,
        outcome: entry.outcome,
        detail: clean(entry.detail, 1000),
      })
      .execute();
  } catch (error) {
    logger?.warn({ err: (error as Error).message }, 'audit log write failed');
  }
}
