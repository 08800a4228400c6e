import pRetry from 'p-retry';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../core/log.js';
import type { Said } from '../core/errors.js';
import { deliveriesTotal, outboxDepth } from '../core/telemetry.js';
import type { StateDb } from '../state/store.js';
import { claimNextDelivery, deliveryBacklog, finishDelivery, type Delivery, type OutboxMessage } from '../state/deliveries.js';
import { postWebhook, webhookMessageId } from './webhooks.js';

export { enqueue, type Delivery, type EnqueueRequest, type OutboxMessage } from '../state/deliveries.js';

/** The marker put on every message the outbox posts, so a retry can tell whether it already went out. */
export const DELIVERY_EVENT = 'ofn_insights_delivery';

const CHANNEL_GONE = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived', 'user_not_found', 'cannot_dm_bot']);

/** How the outbox posts `webhook` deliveries (jobs/webhooks.ts): to which URL, signed with what, and what a 410 does. */
export interface WebhookDeliveryOptions {
  /** The webhook's URL and secret under the config as it is now; undefined when it is gone. */
  target(delivery: NonNullable<Delivery>): { url: string; secret: string } | undefined;
  /** The JSON body of a delivery stored without one (billing.closed); null = nothing to send. */
  compose(delivery: NonNullable<Delivery>): Promise<string | null>;
  /** The receiver answered 410 Gone: disable the webhook and tell someone. */
  onGone(delivery: NonNullable<Delivery>, status: number): Promise<void>;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** How long after it was enqueued a failing webhook is still retried (default 24 h). */
  retryForMs?: number;
}

const WEBHOOK_MAX_BACKOFF_MS = 3_600_000;

export interface DeliveryWorkerOptions {
  db: StateDb;
  /** Slack's Web API; without it only webhook deliveries are taken (`ofn-insights api`, no Slack). */
  client?: WebClient;
  logger: Logger;
  /** Webhook deliveries; without it they are left to a process that has it. */
  webhooks?: WebhookDeliveryOptions;
  /** Builds the message of a delivery stored without one; null = nothing to send (only-if-results). */
  compose(delivery: NonNullable<Delivery>): Promise<OutboxMessage | null>;
  /**
   * Asked before every attempt, with the config as it is now: the reason a delivery may no longer go
   * to its channel (core/access.ts), or undefined. A refused delivery is recorded, never sent. The
   * reason may come with its words in the catalogs (`Said`), for whoever is told in their language.
   */
  authorize?(delivery: NonNullable<Delivery>): Promise<string | Said | undefined>;
  /** Told once per refused delivery (to tell its creator): the reason in English, and as `authorize` said it. */
  onRefused?(delivery: NonNullable<Delivery>, reason: string, said?: Said): Promise<void>;
  /** A channel the bot can't post to: disable what feeds it and tell someone. */
  onChannelGone(delivery: NonNullable<Delivery>, error: string): Promise<void>;
  /** A delivery failed for good (retries spent or refused by Slack or the receiver), with the reason in their words. */
  onFailed?(delivery: NonNullable<Delivery>, reason: string): Promise<void>;
  maxAttempts?: number;
  channelGapMs?: number;
  leaseSeconds?: number;
  backoffBaseMs?: number;
}

function slackError(error: unknown): { code?: string; status?: number; retryAfter?: number; slack?: string } {
  const e = error as { code?: string; statusCode?: number; retryAfter?: number; data?: { error?: string } };
  return { ...(e.code ? { code: e.code } : {}), ...(e.statusCode ? { status: e.statusCode } : {}), ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}), ...(e.data?.error ? { slack: e.data.error } : {}) };
}

/**
 * Sends what the ledger holds: honours Retry-After, about one message per second per channel, retries
 * 5xx and network errors with backoff, records the final outcome. Never throws upward.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly options: Required<Omit<DeliveryWorkerOptions, 'compose' | 'onChannelGone' | 'onFailed' | 'authorize' | 'onRefused' | 'db' | 'client' | 'logger' | 'webhooks'>> & DeliveryWorkerOptions;
  /** The kinds this process can send: all of them, only Slack's, or only webhooks. */
  private readonly kinds: readonly NonNullable<Parameters<typeof claimNextDelivery>[3]>[number][] | undefined;

  constructor(options: DeliveryWorkerOptions) {
    this.options = { maxAttempts: 8, channelGapMs: 1_000, leaseSeconds: 120, backoffBaseMs: 1_000, ...options };
    const slackKinds = ['pulse', 'watch', 'billing', 'notice'] as const;
    this.kinds = options.client && options.webhooks ? undefined : options.client ? slackKinds : ['webhook'];
  }

  /** Sends every delivery due now; returns how many were handled. */
  async drain(limit = 100): Promise<number> {
    let handled = 0;
    try {
      outboxDepth.set(await deliveryBacklog(this.options.db));
    } catch {
      /* reported below by the claim */
    }
    for (; handled < limit; handled++) {
      let delivery: Delivery;
      try {
        delivery = await claimNextDelivery(this.options.db, this.options.leaseSeconds, this.options.channelGapMs, this.kinds);
      } catch (error) {
        this.options.logger.error({ err: (error as Error).message }, 'outbox: cannot claim deliveries (state database?)');
        break;
      }
      if (!delivery) break;
      await this.deliver(delivery);
    }
    return handled;
  }

  private async finish(id: number, values: Parameters<typeof finishDelivery>[2]) {
    await finishDelivery(this.options.db, id, values);
  }

  /** Tells `onFailed`, never throwing: reporting a failure must not turn into another. */
  private async failed(delivery: NonNullable<Delivery>, reason: string, log: Logger): Promise<void> {
    await this.options.onFailed?.(delivery, reason).catch((err) => log.error({ err: (err as Error).message }, 'outbox: onFailed failed'));
  }

  /** Uploads a message's images (shared nowhere) and puts their file ids in its blocks; the stored payload is updated. */
  private async uploadImages(delivery: NonNullable<Delivery>, message: OutboxMessage): Promise<OutboxMessage> {
    const client = this.options.client!;
    const ids: string[] = [];
    for (const image of message.images ?? []) {
      const result = (await client.filesUploadV2({ file: Buffer.from(image.base64, 'base64'), filename: image.filename, title: image.title, alt_text: image.altText })) as { files?: { files?: { id?: string }[] }[] };
      const id = result.files?.[0]?.files?.[0]?.id;
      if (!id) throw new Error('files.completeUploadExternal returned no file id');
      ids.push(id);
    }
    const placed = (blocks: Record<string, unknown>[]) =>
      blocks.map((b) => {
        const ref = /^upload:(\d+)$/.exec(String((b.slack_file as { id?: unknown } | undefined)?.id ?? ''));
        return ref ? { ...b, slack_file: { id: ids[Number(ref[1])] } } : b;
      });
    const { images: _uploaded, ...rest } = message;
    const uploaded: OutboxMessage = { ...rest, blocks: placed(message.blocks), ...(message.more ? { more: message.more.map((m) => ({ ...m, blocks: placed(m.blocks) })) } : {}) };
    await this.finish(delivery.id, { payload: JSON.stringify(uploaded) });
    return uploaded;
  }

  /** Marks a delivery sent, retrying for up to a minute while the state database is unreachable. */
  private async finishSent(id: number, log: Logger): Promise<void> {
    await pRetry(() => this.finish(id, { status: 'sent', sent: true, locked_until: null, last_error: null }), { retries: 30, factor: 1, minTimeout: 2_000 }).catch((error: Error) =>
      // Left as 'sending': when its lease runs out, the next claim finds it in the channel history.
      log.error({ err: error.message }, 'outbox: sent, but cannot record it; the history check will'),
    );
  }

  private async deliver(delivery: NonNullable<Delivery>) {
    try {
      await this.attempt(delivery);
    } catch (error) {
      // Only the state database can fail here (recording an outcome); the lease brings the row back.
      this.options.logger.error({ err: (error as Error).message, delivery: delivery.dedupe_key }, 'outbox: cannot record a delivery outcome');
    }
  }

  private async attempt(delivery: NonNullable<Delivery>) {
    const { logger } = this.options;
    const client = this.options.client!;
    const log = logger.child({ delivery: delivery.dedupe_key, channel: delivery.channel_id, attempt: delivery.attempts });
    try {
      const said = await this.options.authorize?.(delivery);
      const refusal = typeof said === 'string' ? said : said?.message;
      if (refusal) {
        await this.finish(delivery.id, { status: 'refused', locked_until: null, last_error: refusal.slice(0, 500) });
        deliveriesTotal.inc({ kind: delivery.kind, outcome: 'refused' });
        log.warn({ reason: refusal }, 'outbox: delivery refused by the access rules; not sent');
        await this.options.onRefused?.(delivery, refusal, typeof said === 'string' ? undefined : said).catch((err) => log.error({ err: (err as Error).message }, 'outbox: onRefused failed'));
        return;
      }
      if (delivery.kind === 'webhook') return await this.attemptWebhook(delivery, log);
      let message = delivery.payload as OutboxMessage | null;
      if (!message) {
        message = await this.options.compose(delivery);
        if (!message) {
          await this.finish(delivery.id, { status: 'skipped', locked_until: null, last_error: 'nothing to report' });
          return;
        }
        await this.finish(delivery.id, { payload: JSON.stringify(message) });
      }
      // A dashboard's charts go up first: the message shows them by file id.
      if (message.images?.length) message = await this.uploadImages(delivery, message);
      // Slack refuses image blocks of files it has not finished processing; after two tries, the message goes without them.
      if (delivery.attempts > 2 && message.blocks.some((b) => b.type === 'image') && /invalid_blocks/.test(delivery.last_error ?? '')) {
        const strip = (m: { text: string; blocks: Record<string, unknown>[] }) => ({ ...m, blocks: m.blocks.filter((b) => b.type !== 'image') });
        message = { ...strip(message), blocks: [...strip(message).blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: 'Charts not shown: Slack said invalid_blocks for them. The figures above are complete.' }] }], ...(message.more ? { more: message.more.map(strip) } : {}) };
        await this.finish(delivery.id, { payload: JSON.stringify(message) });
      }
      // A retry after an unknown outcome (a crash while sending, a cut connection, a timeout) may find
      // the message already in the channel: Slack can accept a post whose answer never reaches us.
      if ((delivery.previous_status === 'sending' || delivery.attempts > 1) && (await this.alreadyPosted(delivery))) {
        // The process that held this delivery died after Slack accepted the message: don't post it twice.
        await this.finish(delivery.id, { status: 'sent', sent: true, locked_until: null, last_error: 'recovered: already in the channel' });
        deliveriesTotal.inc({ kind: delivery.kind, outcome: 'recovered' });
        log.warn('outbox: delivery found already posted after a crash; not posting again');
        return;
      }
      await client.chat.postMessage({
        channel: delivery.channel_id,
        text: message.text,
        blocks: message.blocks as never[],
        unfurl_links: false,
        metadata: { event_type: DELIVERY_EVENT, event_payload: { key: delivery.dedupe_key } },
      });
      for (const [i, more] of (message.more ?? []).entries()) {
        await client.chat.postMessage({ channel: delivery.channel_id, text: more.text, blocks: more.blocks as never[], unfurl_links: false, metadata: { event_type: DELIVERY_EVENT, event_payload: { key: `${delivery.dedupe_key}#${i + 2}` } } });
      }
      for (const file of message.files ?? []) {
        await client.filesUploadV2({ channel_id: delivery.channel_id, file: Buffer.from(file.base64, 'base64'), filename: file.filename, title: file.title, ...(file.altText ? { alt_text: file.altText } : {}) });
      }
      // The message is out: recording that must not be given up because the state database blinks.
      await this.finishSent(delivery.id, log);
      deliveriesTotal.inc({ kind: delivery.kind, outcome: 'sent' });
      log.info('delivered');
    } catch (error) {
      const e = slackError(error);
      if (e.code === 'slack_webapi_rate_limited_error') {
        // A 429 is not a failure: wait as told and try again, without using up an attempt.
        const wait = Math.max(1, e.retryAfter ?? 1);
        log.warn({ retryAfter: wait }, 'outbox: rate limited by Slack');
        await this.finish(delivery.id, { status: 'pending', locked_until: null, attempts: delivery.attempts - 1, retryInMs: wait * 1000, last_error: `429 retry after ${wait}s` });
        return;
      }
      if (e.slack && CHANNEL_GONE.has(e.slack)) {
        log.warn({ error: e.slack }, 'outbox: channel unavailable; not retrying');
        await this.finish(delivery.id, { status: 'failed', locked_until: null, last_error: e.slack });
        await this.options.onChannelGone(delivery, e.slack).catch((err) => log.error({ err: (err as Error).message }, 'outbox: onChannelGone failed'));
        await this.failed(delivery, e.slack, log);
        return;
      }
      // Image blocks of files still being processed: worth another try (then without the images, above).
      const imagePending = e.slack === 'invalid_blocks' && ((delivery.payload as OutboxMessage | null)?.blocks ?? []).some((b) => b.type === 'image');
      const transient = imagePending || e.code === 'slack_webapi_request_error' || (e.status !== undefined && e.status >= 500) || (e.code === undefined && !e.slack) || (error as { code?: string }).code === 'ReplicaUnavailable' || (error as { code?: string }).code === 'ReplicaTimeout';
      const reason = e.slack ?? (e.status ? `HTTP ${e.status}` : (error as Error).message ?? String(error));
      // The backoff lives in the ledger (next_attempt_at), not in this process: any process may retry it.
      if (transient && delivery.attempts < this.options.maxAttempts) {
        const wait = Math.min(300_000, this.options.backoffBaseMs * 2 ** (delivery.attempts - 1));
        log.warn({ reason, retryInMs: wait }, 'outbox: delivery failed; will retry');
        await this.finish(delivery.id, { status: 'pending', locked_until: null, retryInMs: wait, last_error: reason.slice(0, 500) });
        return;
      }
      log.error({ reason }, 'outbox: delivery failed for good');
      deliveriesTotal.inc({ kind: delivery.kind, outcome: 'failed' });
      await this.finish(delivery.id, { status: 'failed', locked_until: null, last_error: reason.slice(0, 500) }).catch(() => undefined);
      await this.failed(delivery, reason, log);
    }
  }

  /**
   * One signed POST of a webhook delivery. 2xx: sent. 410: the receiver is gone (disable, report). 429:
   * again after Retry-After. 5xx, 408, timeouts and network errors: again with backoff (doubling, at
   * most an hour apart) until 24 h after the event. Any other answer: failed for good. The webhook-id
   * is the same on every attempt, so a receiver that got a post whose answer was lost can drop the repeat.
   */
  private async attemptWebhook(delivery: NonNullable<Delivery>, log: Logger) {
    const hooks = this.options.webhooks!;
    const retryFor = hooks.retryForMs ?? 24 * 3_600_000;
    const again = async (reason: string, waitMs?: number) => {
      if (delivery.age_ms >= retryFor) {
        log.error({ reason }, 'outbox: webhook failed for 24 hours; giving up');
        deliveriesTotal.inc({ kind: delivery.kind, outcome: 'failed' });
        await this.finish(delivery.id, { status: 'failed', locked_until: null, last_error: `gave up after ${Math.round(retryFor / 3_600_000)} h: ${reason}`.slice(0, 500) });
        await this.failed(delivery, `${reason}, for ${Math.round(retryFor / 3_600_000)} h`, log);
        return;
      }
      const wait = waitMs ?? Math.min(WEBHOOK_MAX_BACKOFF_MS, this.options.backoffBaseMs * 2 ** (delivery.attempts - 1));
      log.warn({ reason, retryInMs: wait }, 'outbox: webhook failed; will retry');
      await this.finish(delivery.id, { status: 'pending', locked_until: null, retryInMs: wait, last_error: reason.slice(0, 500) });
    };
    let body: string | null;
    let response: Awaited<ReturnType<typeof postWebhook>>;
    try {
      body = typeof delivery.payload === 'string' ? delivery.payload : null;
      if (body === null) {
        body = await hooks.compose(delivery);
        if (body === null) {
          await this.finish(delivery.id, { status: 'skipped', locked_until: null, last_error: 'nothing to send' });
          return;
        }
        // Stored as text: every retry sends (and signs) exactly the same bytes.
        await this.finish(delivery.id, { payload: JSON.stringify(body) });
      }
      const target = hooks.target(delivery);
      if (!target) {
        await this.finish(delivery.id, { status: 'refused', locked_until: null, last_error: 'the webhook is no longer in the config' });
        return;
      }
      response = await postWebhook(target.url, target.secret, webhookMessageId(delivery.dedupe_key), body, hooks.timeoutMs ?? 10_000);
    } catch (error) {
      // A timeout, a refused connection, a replica down while composing: all worth another try.
      const e = error as Error & { cause?: { code?: string } };
      return again(e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message ?? String(error)));
    }
    const { status } = response;
    if (status >= 200 && status < 300) {
      await this.finishSent(delivery.id, log);
      deliveriesTotal.inc({ kind: delivery.kind, outcome: 'sent' });
      log.info({ status }, 'webhook delivered');
      return;
    }
    if (status === 410) {
      log.warn({ status }, 'outbox: webhook receiver gone; not retrying');
      deliveriesTotal.inc({ kind: delivery.kind, outcome: 'failed' });
      await this.finish(delivery.id, { status: 'failed', locked_until: null, last_error: 'HTTP 410 Gone' });
      await hooks.onGone(delivery, status).catch((err) => log.error({ err: (err as Error).message }, 'outbox: onGone failed'));
      await this.failed(delivery, 'HTTP 410 Gone', log);
      return;
    }
    if (status === 429) return again('HTTP 429', Math.max(1, response.retryAfter ?? 1) * 1000);
    if (status >= 500 || status === 408) return again(`HTTP ${status}`, status === 503 && response.retryAfter ? response.retryAfter * 1000 : undefined);
    log.error({ status }, 'outbox: webhook refused by its receiver; not retrying');
    deliveriesTotal.inc({ kind: delivery.kind, outcome: 'failed' });
    await this.finish(delivery.id, { status: 'failed', locked_until: null, last_error: `HTTP ${status}` });
    await this.failed(delivery, `HTTP ${status}`, log);
  }

  /**
   * Whether a message with this delivery's key is already in the channel (message metadata). Needs the
   * history scopes; when Slack refuses, the delivery is posted again (at least once beats never).
   */
  private async alreadyPosted(delivery: NonNullable<Delivery>): Promise<boolean> {
    try {
      const oldest = Math.floor(Date.now() / 1000) - 24 * 3600;
      const history = await this.options.client!.conversations.history({ channel: delivery.channel_id, oldest: String(oldest), limit: 200, include_all_metadata: true });
      return (history.messages ?? []).some((m) => {
        const meta = (m as { metadata?: { event_type?: string; event_payload?: { key?: string } } }).metadata;
        return meta?.event_type === DELIVERY_EVENT && meta.event_payload?.key === delivery.dedupe_key;
      });
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message, delivery: delivery.dedupe_key }, 'outbox: cannot check channel history; posting again');
      return false;
    }
  }

  /** Polls the ledger every `intervalMs` until stop(). */
  start(intervalMs = 500): void {
    const loop = async () => {
      this.running = this.drain().then(() => undefined);
      await this.running;
      if (this.timer !== undefined) this.timer = setTimeout(loop, intervalMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    if (timer) clearTimeout(timer);
    await this.running;
  }
}
