import type { Deps } from '../commands/types.js';
import { questionReach } from '../commands/pipeline.js';
import { authorize, grantFor, type Grant, type Reach } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { escapeMrkdwn, mrkdwnSection } from '../render/mrkdwn.js';
import { audit } from '../state/audit.js';
import { enqueue, type Delivery } from '../state/deliveries.js';
import { disableOwner, ownerOf, pulseById } from '../state/pulses.js';
import type { StateDb } from '../state/store.js';
import { watchById } from '../state/watches.js';
import type { BillingSource } from './billing-post.js';
import { webhookReach } from './webhooks.js';

/** What the outbox asks before and after each attempt: may it go, and what to do when a channel is gone. */

/** The grant of a pulse's channel under the config as it is now (for a DM, its creator's). */
export async function pulseGrant(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>): Promise<Grant | undefined> {
  const pulse = delivery.owner_id === null ? undefined : await pulseById(state, delivery.owner_id);
  return grantFor(deps.config, { userId: pulse?.created_by ?? '', channelId: delivery.channel_id });
}

/**
 * Why a delivery may no longer go to its channel, checked before every attempt with the config as it
 * is now: a channel whose grant lost an instance stops getting that instance's pulses, announcements
 * and billing posts at once, without anyone having to find and remove them.
 */
export async function refusalOf(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>): Promise<string | undefined> {
  const { config } = deps;
  let reach: Reach | undefined;
  let grant: Grant | undefined;
  if (delivery.kind === 'pulse' && delivery.owner_id !== null) {
    const pulse = await pulseById(state, delivery.owner_id);
    if (!pulse) return `pulse #${delivery.owner_id} no longer exists`;
    grant = grantFor(config, { userId: pulse.created_by, channelId: delivery.channel_id });
    try {
      reach = questionReach(deps, pulse.question);
    } catch (error) {
      if (error instanceof OfnError) return `the question no longer parses: ${error.message}`;
      throw error;
    }
  } else if (delivery.kind === 'watch' && delivery.owner_id !== null) {
    const watch = await watchById(state, delivery.owner_id);
    if (!watch) return `watch #${delivery.owner_id} no longer exists`;
    grant = grantFor(config, { userId: watch.created_by, channelId: delivery.channel_id });
    reach = { instances: [watch.instance_id], billing: false };
  } else if (delivery.kind === 'billing' && delivery.source) {
    grant = grantFor(config, { userId: '', channelId: delivery.channel_id });
    reach = { instances: [(delivery.source as BillingSource).instance], billing: true };
  } else if (delivery.kind === 'webhook') {
    // A webhook is an audience like a channel: its grant under the config as it is now.
    const target = await webhookReach(state, deps, delivery);
    if ('refusal' in target) return target.refusal;
    ({ grant, reach } = target);
  } else {
    return undefined; // notices to a creator carry no figures
  }
  if (!grant) return `channel ${delivery.channel_id} has no access rule any more`;
  try {
    authorize(config, grant, reach);
    return undefined;
  } catch (error) {
    if (error instanceof OfnError) return error.message;
    throw error;
  }
}

/** A refused delivery: audited, and its creator told once (per pulse or watch) in a direct message. */
export async function refused(state: StateDb, delivery: NonNullable<Delivery>, reason: string, logger: Logger): Promise<void> {
  await audit(state, { action: `${delivery.kind}.refused`, channelId: delivery.channel_id, outcome: 'AccessDenied', detail: `${delivery.dedupe_key}: ${reason}` }, logger);
  if ((delivery.kind !== 'pulse' && delivery.kind !== 'watch') || delivery.owner_id === null) return;
  const owner = await ownerOf(state, delivery.kind, delivery.owner_id);
  if (!owner || !/^[UW]/.test(owner.created_by)) return;
  const what = `${delivery.kind === 'pulse' ? 'Pulse' : 'Watch'} #${owner.id}`;
  await enqueue(state, {
    dedupeKey: `notice:${delivery.kind}:${owner.id}:refused`,
    kind: 'notice',
    channelId: owner.created_by,
    message: {
      text: escapeMrkdwn(`${what} was not delivered to its channel: the access rules no longer allow it.`),
      blocks: [mrkdwnSection(`:no_entry: ${what} was not delivered to <#${delivery.channel_id}>: ${escapeMrkdwn(reason)} I keep checking at every slot; change the config or \`/ofn ${delivery.kind} remove ${owner.id}\`.`)],
    },
  });
}

/**
 * A channel the bot can't post in: disable the pulse or watch that feeds it (instead of retrying forever,
 * metabase #49647), note it in the audit log and tell the person who created it.
 */
export async function channelGone(state: StateDb, delivery: NonNullable<Delivery>, error: string, logger: Logger): Promise<void> {
  if ((delivery.kind !== 'pulse' && delivery.kind !== 'watch') || delivery.owner_id === null) return;
  const note = `disabled: Slack said ${error} for channel ${delivery.channel_id}`;
  const owner = await disableOwner(state, delivery.kind, delivery.owner_id, note);
  await audit(state, { action: `${delivery.kind}.disabled`, channelId: delivery.channel_id, outcome: error, detail: `${delivery.kind} #${delivery.owner_id}: ${note}` }, logger);
  if (owner && /^[UW]/.test(owner.created_by)) {
    const what = `${delivery.kind === 'pulse' ? 'Pulse' : 'Watch'} #${owner.id}`;
    // A watch has no resume: adding it again (same event and instance, from that channel) makes it active.
    const watch = delivery.kind === 'watch' ? await watchById(state, owner.id) : undefined;
    const then = watch ? `\`/ofn watch ${watch.event} ${watch.instance_id}\` there` : `\`/ofn ${delivery.kind} resume ${owner.id}\``;
    await enqueue(state, {
      dedupeKey: `notice:${delivery.kind}:${owner.id}:disabled:${error}`,
      kind: 'notice',
      channelId: owner.created_by,
      message: {
        text: escapeMrkdwn(`${what} is disabled: I can't post in its channel (${error}).`),
        blocks: [mrkdwnSection(`:warning: ${what} is disabled: I can’t post in <#${delivery.channel_id}> (Slack says \`${escapeMrkdwn(error)}\`). Invite me to the channel, then ${then}.`)],
      },
    });
  }
}
