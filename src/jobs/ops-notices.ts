import type { Deps } from '../commands/types.js';
import type { Logger } from '../core/log.js';
import { escapeMrkdwn, mrkdwnSection } from '../render/mrkdwn.js';
import { replicaDown, claimDownNotice, replicaUp } from '../state/replica-outages.js';
import { enqueue, type Delivery } from '../state/deliveries.js';
import type { StateDb } from '../state/store.js';

/**
 * Failures that must never pass silently (docs/operations.md): each goes to the config's `opsChannel`
 * once, through the same ledger as everything else, saying what failed, why in Slack's (or the
 * receiver's) own words, and what to do. No figures: names, ids and reasons only.
 */

export interface OpsNotice {
  /** What failed, e.g. "Pulse #7 (`dashboard katuma-monthly`) was not delivered to <#C0123>". */
  what: string;
  /** Why, as Slack or the receiver said it: `invalid_blocks`, `not_in_channel`, `HTTP 410` … */
  why: string;
  /** What to do about it. */
  todo: string;
  icon?: string;
}

/** A notice (names and reasons, no figures) to a channel or a person, once per key: `text` for the notification, `section` its one block. */
export function enqueueNotice(state: StateDb, channelId: string, dedupeKey: string, text: string, section: string): Promise<boolean> {
  return enqueue(state, { dedupeKey, kind: 'notice', channelId, message: { text, blocks: [mrkdwnSection(section)] } });
}

/** Enqueues a notice for the ops channel, once per key (of all processes, the ledger lets one). */
export async function notifyOps(state: StateDb, deps: Deps, key: string, notice: OpsNotice, logger?: Logger): Promise<boolean> {
  const channel = deps.config.opsChannel;
  logger?.warn({ key, what: notice.what, why: notice.why }, 'ops notice');
  if (!channel) return false;
  const icon = notice.icon ?? ':rotating_light:';
  // Our own sentences hold channel mentions on purpose; what Slack or a receiver said is escaped.
  const text = `${icon} ${notice.what}\n*Why:* ${escapeMrkdwn(notice.why)}\n*What to do:* ${notice.todo}`;
  return enqueueNotice(state, channel, `ops:${key}`, `${notice.what}: ${escapeMrkdwn(notice.why)}`, text.slice(0, 2900));
}

function describeDelivery(delivery: NonNullable<Delivery>): string {
  const source = delivery.source as { question?: string } | null;
  const question = source?.question ? ` (\`${escapeMrkdwn(source.question.slice(0, 120))}\`)` : '';
  switch (delivery.kind) {
    case 'pulse':
      return `Pulse #${delivery.owner_id}${question} was not delivered to <#${delivery.channel_id}>`;
    case 'watch':
      return `An announcement of watch #${delivery.owner_id} was not delivered to <#${delivery.channel_id}>`;
    case 'billing':
      return `The monthly billing post \`${escapeMrkdwn(delivery.dedupe_key)}\` was not delivered to <#${delivery.channel_id}>`;
    case 'webhook':
      return `Webhook delivery \`${escapeMrkdwn(delivery.dedupe_key)}\` was not delivered to ${escapeMrkdwn(delivery.channel_id.replace(/^webhook:/, 'webhook '))}`;
    default:
      return `A notice \`${escapeMrkdwn(delivery.dedupe_key)}\` was not delivered to ${delivery.channel_id.startsWith('U') ? `<@${delivery.channel_id}>` : `<#${delivery.channel_id}>`}`;
  }
}

/** What to do about a Slack error code, in a sentence (Slack's own words are quoted beside it). */
function remedy(kind: string, why: string): string {
  if (kind === 'webhook') {
    if (/410/.test(why)) return 'The receiver said it is gone, so the webhook is disabled: fix its URL in the config (a new URL enables it again) or remove it.';
    return 'Check the receiver (its logs, its URL and secret in the config); later events are still sent.';
  }
  if (/invalid_blocks|msg_blocks_too_long|msg_too_long/.test(why)) return 'Slack refused the message itself: report it with this notice (the delivery key is in the log); try the question with `/ofn` to see the answer.';
  if (/not_in_channel|channel_not_found|is_archived|channel_is_archived/.test(why)) return 'Invite the bot to the channel (`/invite @ofn-insights`), or point the pulse or watch elsewhere; then `/ofn pulse resume <id>`.';
  if (/invalid_auth|not_authed|token_revoked|account_inactive|missing_scope/.test(why)) return 'The bot token no longer works or lacks a scope: reinstall the app from manifest.yml and update SLACK_BOT_TOKEN.';
  if (/Replica|replica/.test(why)) return 'The replica did not answer: check it (see the replica notices); the next slot is tried as usual.';
  return 'Look in the log for the delivery key; the next slot or event is tried as usual.';
}

/** A delivery failed for good (retries spent, or refused outright). The ops channel's own notices are not reported there again. */
export async function deliveryFailed(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>, why: string, logger: Logger): Promise<void> {
  if (delivery.kind === 'notice' && delivery.channel_id === deps.config.opsChannel) return;
  await notifyOps(state, deps, `failed:${delivery.dedupe_key}`, { what: describeDelivery(delivery), why, todo: remedy(delivery.kind, why) }, logger);
}

/** A pulse, watch or webhook was disabled (a channel the bot can't post in, a receiver that is gone). */
export async function ownerDisabled(state: StateDb, deps: Deps, what: string, key: string, why: string, todo: string, logger: Logger): Promise<void> {
  await notifyOps(state, deps, `disabled:${key}`, { what, why, todo, icon: ':no_entry:' }, logger);
}

/**
 * One check of every replica: an outage longer than `replicaDownNoticeSeconds` is reported once, and
 * its end once (whichever process sees each first). `probe` resolves with why a replica can't be read,
 * or undefined when it answers.
 */
export async function checkReplicas(state: StateDb, deps: Deps, probe: (id: string) => Promise<string | undefined>, now: Date, logger: Logger): Promise<void> {
  const threshold = deps.config.replicaDownNoticeSeconds;
  await Promise.all(
    [...deps.config.instances.values()].map(async (instance) => {
      try {
        const why = await probe(instance.id);
        if (why !== undefined) {
          const outage = await replicaDown(state, instance.id, now, why);
          if (await claimDownNotice(state, instance.id, new Date(now.getTime() - threshold * 1000), now)) {
            const since = outage.down_since.toISOString();
            await notifyOps(state, deps, `replica:${instance.id}:${since}:down`, {
              what: `${escapeMrkdwn(instance.name)}'s replica (\`${instance.id}\`) has not answered since ${since.slice(0, 16).replace('T', ' ')} UTC (over ${Math.round(threshold / 60)} min)`,
              why,
              todo: `Check the replica's host, network and role (docs/operations.md); questions about ${escapeMrkdwn(instance.name)} fail meanwhile and pulses retry. I will say here when it answers again.`,
              icon: ':red_circle:',
            }, logger);
          }
          return;
        }
        const closed = await replicaUp(state, instance.id);
        if (closed?.notified_at) {
          const since = new Date(closed.down_since).toISOString();
          const minutes = Math.round((now.getTime() - new Date(closed.down_since).getTime()) / 60_000);
          await notifyOps(state, deps, `replica:${instance.id}:${since}:up`, {
            what: `${escapeMrkdwn(instance.name)}'s replica (\`${instance.id}\`) answers again, after about ${minutes} min`,
            why: `the outage began with: ${closed.last_error}`,
            todo: 'Nothing: questions, pulses and watches use it again. Announcements missed meanwhile are caught up.',
            icon: ':large_green_circle:',
          }, logger);
        }
      } catch (error) {
        // The state store blinking must not stop the other checks; the next round tries again.
        logger.warn({ instance: instance.id, err: (error as Error).message }, 'replica check failed');
      }
    }),
  );
}
