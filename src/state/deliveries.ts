import { sql, type Updateable } from 'kysely';
import type { DeliveriesTable } from './schema.js';
import type { StateDb } from './store.js';

/**
 * The delivery ledger (outbox): one row per message that must reach Slack exactly once.
 *
 * The ledger keeps one clock, the state database's: every time it stores (due, sent, leased until) is
 * `now()` there or `now()` plus a wait, and every comparison is made there. Several bot processes on
 * several machines share the ledger, and a clock that differs between them (or between a process and
 * the database) must not make a retry come early or a lease look expired.
 */

/** `now()` in the state database, plus `ms` (negative: ago). */
export const ledgerTime = (ms = 0) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;

/** A message as stored in the outbox. */
export interface OutboxMessage {
  text: string;
  /** Block Kit blocks as built by render/slack-message.ts. */
  blocks: Record<string, unknown>[];
  /** Files shared in the same channel after the message (base64 bytes). */
  files?: { filename: string; title: string; base64: string; altText?: string }[];
  /**
   * Images uploaded before the message, shared nowhere, and shown in it by file id (a dashboard's
   * charts): image `i` replaces the `slack_file` id `upload:<i>` in the blocks. Once uploaded they are
   * replaced in the stored payload, so a retry does not upload them again.
   */
  images?: { filename: string; title: string; base64: string; altText: string }[];
  /** Further messages, posted after this one, when Slack's limits cut a dashboard in several. */
  more?: { text: string; blocks: Record<string, unknown>[] }[];
}

export interface EnqueueRequest {
  dedupeKey: string;
  kind: DeliveriesTable['kind'];
  ownerId?: number | null;
  channelId: string;
  message?: OutboxMessage;
  /** A webhook's JSON body, posted as it is (kind `webhook`). */
  body?: unknown;
  /** Computed at send time when no message is given (a pulse's question and slot). */
  source?: unknown;
  status?: 'pending' | 'skipped';
  note?: string;
}

/**
 * Records a delivery in the ledger. The unique dedupe key makes this the exactly-once point: of all
 * processes that try to enqueue the same (pulse, slot) or (watch, enterprise, event), one wins.
 */
export async function enqueue(db: StateDb, request: EnqueueRequest): Promise<boolean> {
  const result = await db
    .insertInto('deliveries')
    .values({
      dedupe_key: request.dedupeKey,
      kind: request.kind,
      owner_id: request.ownerId ?? null,
      channel_id: request.channelId,
      payload: request.message ? JSON.stringify(request.message) : request.body !== undefined ? JSON.stringify(request.body) : null,
      source: request.source === undefined ? null : JSON.stringify(request.source),
      status: request.status ?? 'pending',
      next_attempt_at: ledgerTime(),
      locked_until: null,
      last_error: request.note ?? null,
      sent_at: null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return result !== undefined;
}

export type Delivery = Awaited<ReturnType<typeof claimNextDelivery>>;

/**
 * Takes the next due delivery, skipping rows another process holds and Slack channels posted to in the
 * last second; `kinds` limits it to those kinds (a process without Slack takes only webhooks).
 */
export async function claimNextDelivery(db: StateDb, leaseSeconds: number, channelGapMs: number, kinds?: readonly DeliveriesTable['kind'][]) {
  const claimed = await sql<{
    id: number;
    dedupe_key: string;
    kind: string;
    owner_id: number | null;
    channel_id: string;
    payload: unknown;
    source: unknown;
    attempts: number;
    /** 'sending' when a previous attempt's lease ran out: it may have posted before dying. */
    previous_status: string;
    created_at: Date;
    /** Why the previous attempt failed, if one did. */
    last_error: string | null;
    /** How long ago it was enqueued, by the ledger's clock. */
    age_ms: number;
  }>`
    with target as (
      select d.id, d.status from deliveries d
       where ((d.status = 'pending' and d.next_attempt_at <= now()) or (d.status = 'sending' and d.locked_until < now()))
         ${kinds ? sql`and d.kind in (${sql.join([...kinds])})` : sql``}
         and (d.kind = 'webhook' or not exists (select 1 from deliveries s
                          where s.channel_id = d.channel_id and s.sent_at > now() - make_interval(secs => ${channelGapMs / 1000})))
       order by d.next_attempt_at, d.id
       for update skip locked
       limit 1)
    update deliveries set status = 'sending', attempts = deliveries.attempts + 1,
           locked_until = now() + make_interval(secs => ${leaseSeconds})
      from target
     where deliveries.id = target.id
    returning deliveries.id, deliveries.dedupe_key, deliveries.kind, deliveries.owner_id, deliveries.channel_id,
              deliveries.payload, deliveries.source, deliveries.attempts, target.status as previous_status, deliveries.created_at, deliveries.last_error,
              (extract(epoch from now() - deliveries.created_at) * 1000)::float8 as age_ms`.execute(db);
  return claimed.rows[0];
}

/**
 * Records the outcome of an attempt (sent, pending again, failed, refused …). `sent` stamps sent_at and
 * `retryInMs` sets the next attempt, both by the ledger's clock.
 */
export async function finishDelivery(
  db: StateDb,
  id: number,
  values: Omit<Updateable<DeliveriesTable>, 'sent_at' | 'next_attempt_at'> & { sent?: true; retryInMs?: number },
): Promise<void> {
  const { sent, retryInMs, ...rest } = values;
  await db
    .updateTable('deliveries')
    .set({ ...rest, ...(sent ? { sent_at: ledgerTime() } : {}), ...(retryInMs !== undefined ? { next_attempt_at: ledgerTime(retryInMs) } : {}) })
    .where('id', '=', id)
    .execute();
}

/** How many deliveries wait (pending or being sent), in all channels or one. */
export async function deliveryBacklog(db: StateDb, channelId?: string): Promise<number> {
  let query = db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'sending']);
  if (channelId) query = query.where('channel_id', '=', channelId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
