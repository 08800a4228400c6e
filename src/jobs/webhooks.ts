import { createHash, createHmac } from 'node:crypto';
import { DateTime } from 'luxon';
import { ask } from '../commands/pipeline.js';
import { recordBillingRun } from '../commands/billing.js';
import type { Deps } from '../commands/types.js';
import type { Webhook, WebhookEvent } from '../config/config.js';
import { covers, grantForWebhook, type Grant, type Reach } from '../core/access.js';
import type { Logger } from '../core/log.js';
import type { BillingReport } from '../core/outcome.js';
import type { EnterpriseChange } from '../queries/watch-queries.js';
import { categoryLabel } from '../queries/watch-queries.js';
import { billingLineItems, type BillingLineItem } from '../render/billing-lines.js';
import { escapeMrkdwn } from '../render/mrkdwn.js';
import { audit } from '../state/audit.js';
import { billingRun } from '../state/billing-runs.js';
import { enqueue, type Delivery } from '../state/deliveries.js';
import type { StateDb } from '../state/store.js';
import { disableWebhook, recordEnterpriseEvent, webhookDisabled, type EnterpriseEvent } from '../state/webhooks.js';
import { closedMonthDue } from './billing-post.js';
import { enqueueNotice } from './ops-notices.js';

/**
 * Outgoing webhooks (docs/api.md) and the API's event feed: what is recorded when the watcher sees a
 * new profile or shop, what goes out when a month's bill is final, how each post is signed (Standard
 * Webhooks) and what happens when a receiver is gone. Every post is a row of the same ledger as the
 * Slack messages (kind `webhook`), so it goes out once whichever process sees the event first.
 */

export type EnterpriseEventType = 'new-profile' | 'new-shop';

/** One event as the API's feed and the webhooks show it: ids, names and categories, never people. */
export interface FeedEvent {
  /** `<instance>:<enterprise id>:<type>`: the watch ledger's key without the watch. */
  id: string;
  type: EnterpriseEventType;
  instance: string;
  enterprise_id: number;
  name: string;
  category: string;
  /** The enterprise's created_at (ISO 8601, UTC). */
  created_at: string;
  /** When ofn-insights first saw it as this event (a profile becomes a shop long after it was created). */
  detected_at: string;
}

/** A webhook's body: `{type, timestamp, data}` as the Standard Webhooks specification suggests. */
export interface WebhookBody {
  type: WebhookEvent;
  /** When the event happened (ISO 8601): the same on every retry. */
  timestamp: string;
  data: unknown;
}

/** What a `webhook` ledger row carries beside its body (stored as the exact text that is signed and sent). */
export interface WebhookSource {
  webhook: string;
  type: WebhookEvent;
  instance: string;
  /** billing.closed: the month whose bill is final. */
  month?: string;
}

export function feedEventJson(event: EnterpriseEvent): FeedEvent {
  return {
    id: `${event.instanceId}:${event.enterpriseId}:${event.event}`,
    type: event.event,
    instance: event.instanceId,
    enterprise_id: event.enterpriseId,
    name: event.name,
    category: event.category,
    created_at: DateTime.fromSQL(event.createdAt, { zone: 'UTC' }).toISO() ?? event.createdAt,
    detected_at: event.detectedAt.toISOString(),
  };
}

/**
 * The instances the watcher must poll even without a Slack watch: those an API token may read events
 * of, and those a webhook takes new profiles or shops of.
 */
export function feedInstances(config: Deps['config']): Set<string> {
  const ids = new Set<string>();
  const add = (listed: readonly string[]) => {
    for (const id of listed.includes('*') ? config.instances.keys() : listed) if (config.instances.has(id)) ids.add(id);
  };
  for (const token of config.api.tokens) add(token.instances);
  for (const webhook of config.webhooks) if (webhook.events.some((e) => e !== 'billing.closed')) add(webhook.instances);
  return ids;
}

/** Webhooks of the config as it is now that take `type` for `instance` (their grant covers it) and are not disabled. */
async function subscribers(state: StateDb, deps: Deps, type: WebhookEvent, instance: string): Promise<Webhook[]> {
  const found: Webhook[] = [];
  for (const webhook of deps.config.webhooks) {
    if (!webhook.events.includes(type)) continue;
    const grant = grantForWebhook(deps.config, webhook.name);
    if (!covers(deps.config, grant, { instances: [instance], billing: type === 'billing.closed' })) continue;
    if (await webhookDisabled(state, webhook.name, webhook.url)) continue;
    found.push(webhook);
  }
  return found;
}

/**
 * Called by the watcher, inside its transaction, with the new profiles and shops of one poll: each is
 * recorded once per instance (the feed), and the first process to record it enqueues its webhooks.
 */
export async function recordFeedEvents(tx: StateDb, deps: Deps, instanceId: string, events: readonly { change: EnterpriseChange; event: EnterpriseEventType }[]): Promise<number> {
  let recorded = 0;
  for (const { change, event } of events) {
    const category = categoryLabel(change.isPrimaryProducer, change.sells);
    const detectedAt = await recordEnterpriseEvent(tx, { instanceId, enterpriseId: change.id, event, name: change.name, category, createdAt: change.createdAt });
    if (!detectedAt) continue;
    recorded++;
    const data = feedEventJson({ seq: 0, instanceId, enterpriseId: change.id, event, name: change.name, category, createdAt: change.createdAt, detectedAt });
    for (const webhook of await subscribers(tx, deps, event, instanceId)) {
      await enqueue(tx, {
        dedupeKey: `webhook:${webhook.name}:${instanceId}:${change.id}:${event}`,
        kind: 'webhook',
        channelId: `webhook:${webhook.name}`,
        source: { webhook: webhook.name, type: event, instance: instanceId } satisfies WebhookSource,
        body: JSON.stringify({ type: event, timestamp: data.detected_at, data } satisfies WebhookBody),
      });
    }
  }
  return recorded;
}

/** On the 1st at the plan's local time, `billing.closed` for the previous month, once per webhook, instance and month. */
export async function enqueueBillingClosed(state: StateDb, deps: Deps, now: Date, logger: Logger): Promise<number> {
  let enqueued = 0;
  for (const instance of deps.config.instances.values()) {
    const month = closedMonthDue(instance, now);
    if (!month) continue;
    try {
      for (const webhook of await subscribers(state, deps, 'billing.closed', instance.id)) {
        const inserted = await enqueue(state, {
          dedupeKey: `webhook:${webhook.name}:billing.closed:${instance.id}:${month}`,
          kind: 'webhook',
          channelId: `webhook:${webhook.name}`,
          source: { webhook: webhook.name, type: 'billing.closed', instance: instance.id, month } satisfies WebhookSource,
        });
        if (inserted) {
          enqueued++;
          logger.info({ webhook: webhook.name, instance: instance.id, month }, 'webhooks: billing.closed enqueued');
        }
      }
    } catch (error) {
      logger.error({ instance: instance.id, err: (error as Error).message }, 'webhooks: cannot enqueue billing.closed');
    }
  }
  return enqueued;
}

/** `billing.closed`'s data: the month's lines as the API's `billing-lines` gives them, and the totals. */
export function billingClosedData(deps: Deps, report: BillingReport): { instance: string; month: string; currency: string; provisional: false; totals: Record<string, string>; lines: BillingLineItem[] } {
  const grouped = deps.config.instances.get(report.instance.id)?.billing?.groupBy === 'external_billing_id';
  const { turnover, charge, tax, total } = report.totals;
  return {
    instance: report.instance.id,
    month: report.month,
    currency: report.instance.currency,
    provisional: false,
    totals: { turnover, charge, tax, total },
    lines: billingLineItems(report, { provisional: false, groupedByBillingId: grouped }),
  };
}

/**
 * The body of a webhook delivery stored without one (billing.closed): the bill asked as the webhook
 * (its grant, under the config as it is now). What the monthly post stored is what goes out; the first
 * to compute a month stores it, so Slack and the webhooks carry the same lines.
 */
export async function composeWebhook(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>): Promise<string | null> {
  const source = delivery.source as WebhookSource;
  if (source.type !== 'billing.closed' || !source.month) return null;
  const grant = grantForWebhook(deps.config, source.webhook);
  if (!grant) return null;
  const sent = await billingRun(state, source.instance, source.month);
  const outcome = await ask(deps, `billing ${source.instance} ${source.month}${sent ? ' as-sent' : ''}`, state, { grant });
  if (outcome.kind !== 'billing') throw new Error(`billing.closed: unexpected ${outcome.kind}`);
  const report = sent ? outcome : await recordBillingRun(state, outcome);
  return JSON.stringify({ type: 'billing.closed', timestamp: (report.sentAt ?? new Date()).toISOString(), data: billingClosedData(deps, report) } satisfies WebhookBody);
}

/**
 * What a webhook delivery needs checked before each attempt, with the config as it is now: the
 * webhook's grant and what the event touches (for `authorize`), or why it may not go at all.
 */
export async function webhookReach(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>): Promise<{ refusal: string } | { grant: Grant; reach: Reach }> {
  const source = delivery.source as WebhookSource | null;
  if (!source) return { refusal: 'a webhook delivery without its source' };
  const webhook = deps.config.webhooks.find((w) => w.name === source.webhook);
  const grant = grantForWebhook(deps.config, source.webhook);
  if (!webhook || !grant) return { refusal: `webhook ${source.webhook} is no longer in the config` };
  if (!webhook.events.includes(source.type)) return { refusal: `webhook ${source.webhook} no longer takes ${source.type}` };
  const disabled = await webhookDisabled(state, webhook.name, webhook.url);
  if (disabled) return { refusal: `webhook ${source.webhook} is disabled: ${disabled}` };
  return { grant, reach: { instances: [source.instance], billing: source.type === 'billing.closed' } };
}

/** The webhook-id header: the same on every retry of a delivery (receivers deduplicate on it), opaque. */
export function webhookMessageId(dedupeKey: string): string {
  return `msg_${createHash('sha256').update(dedupeKey).digest('base64url').slice(0, 27)}`;
}

/**
 * Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed with the
 * base64-decoded part of the `whsec_` secret.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface WebhookResponse {
  status: number;
  /** Seconds, from Retry-After on a 429 or 503. */
  retryAfter?: number;
}

/** One signed POST; a fresh timestamp (and so signature) per attempt. Network errors and timeouts throw. */
export async function postWebhook(url: string, secret: string, id: string, body: string, timeoutMs: number, now = Date.now()): Promise<WebhookResponse> {
  const timestamp = Math.floor(now / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'ofn-insights-webhooks/1',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, id, timestamp, body),
    },
    body,
    // A redirect is not followed: the signed body goes only where the operator said.
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer().catch(() => undefined); // read to the end so the connection can be reused
  const retryAfter = Number(response.headers.get('retry-after'));
  return { status: response.status, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}) };
}

/**
 * A receiver that answered 410 Gone: the webhook is disabled for that URL (a new URL in the config
 * enables it again), the audit log says so, and each admin (access rules with `admin: true` on a user)
 * is told once in a direct message.
 */
export async function webhookGone(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>, status: number, logger: Logger): Promise<void> {
  const source = delivery.source as WebhookSource;
  const webhook = deps.config.webhooks.find((w) => w.name === source.webhook);
  if (!webhook) return;
  const note = `its receiver answered ${status} Gone`;
  const first = await disableWebhook(state, webhook.name, webhook.url, note);
  if (!first) return;
  logger.warn({ webhook: webhook.name, status }, 'webhooks: receiver gone; webhook disabled until its url changes in the config');
  await audit(state, { action: 'webhook.disabled', outcome: String(status), detail: `webhook ${webhook.name}: ${note}` }, logger);
  const admins = [...new Set(deps.config.access.filter((r) => r.user && r.admin).map((r) => r.user!))];
  for (const admin of admins) {
    const key = `notice:webhook:${webhook.name}:disabled:${createHash('sha256').update(webhook.url).digest('hex').slice(0, 12)}:${admin}`;
    const section = `:warning: Webhook \`${escapeMrkdwn(webhook.name)}\` is disabled: ${escapeMrkdwn(note)}, so nothing more is sent to it. Give it a new \`url\` in the ofn-insights config (or remove it) and restart.`;
    await enqueueNotice(state, admin, key, escapeMrkdwn(`Webhook ${webhook.name} is disabled: ${note}.`), section);
  }
}
