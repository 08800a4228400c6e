import type { Deps } from '../commands/types.js';
import { questionReach } from '../commands/pipeline.js';
import { authorize, grantFor, type Grant, type Reach } from '../core/access.js';
import { OfnError, saidIn, type ErrorText, type Said } from '../core/errors.js';
import { t, type Language } from '../core/i18n.js';
import { sharedLanguage } from '../render/format.js';
import type { Logger } from '../core/log.js';
import { escapeMrkdwn } from '../render/mrkdwn.js';
import { audit } from '../state/audit.js';
import type { Delivery } from '../state/deliveries.js';
import { disableOwner, pulseById } from '../state/pulses.js';
import type { StateDb } from '../state/store.js';
import { watchById } from '../state/watches.js';
import type { BillingSource } from './billing-post.js';
import { enqueueNotice } from './ops-notices.js';
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
 * and billing posts at once, without anyone having to find and remove them. With its words in the
 * catalogs where they are (what a pulse's or watch's creator reads).
 */
export async function refusalSaid(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>): Promise<Said | undefined> {
  const { config } = deps;
  let reach: Reach | undefined;
  let grant: Grant | undefined;
  if (delivery.kind === 'pulse' && delivery.owner_id !== null) {
    const pulse = await pulseById(state, delivery.owner_id);
    if (!pulse) return { message: `pulse #${delivery.owner_id} no longer exists` };
    grant = grantFor(config, { userId: pulse.created_by, channelId: delivery.channel_id });
    try {
      reach = questionReach(deps, pulse.question);
    } catch (error) {
      if (error instanceof OfnError) return saidOf({ key: 'creator.noParse', details: [said(error)] });
      throw error;
    }
  } else if (delivery.kind === 'watch' && delivery.owner_id !== null) {
    const watch = await watchById(state, delivery.owner_id);
    if (!watch) return { message: `watch #${delivery.owner_id} no longer exists` };
    grant = grantFor(config, { userId: watch.created_by, channelId: delivery.channel_id });
    reach = { instances: [watch.instance_id], billing: false };
  } else if (delivery.kind === 'billing' && delivery.source) {
    grant = grantFor(config, { userId: '', channelId: delivery.channel_id });
    reach = { instances: [(delivery.source as BillingSource).instance], billing: true };
  } else if (delivery.kind === 'webhook') {
    // A webhook is an audience like a channel: its grant under the config as it is now.
    const target = await webhookReach(state, deps, delivery);
    if ('refusal' in target) return { message: target.refusal };
    ({ grant, reach } = target);
  } else {
    return undefined; // notices to a creator carry no figures
  }
  if (!grant) return saidOf({ key: 'creator.noRule', values: { channel: delivery.channel_id } });
  try {
    authorize(config, grant, reach);
    return undefined;
  } catch (error) {
    if (error instanceof OfnError) return said(error);
    throw error;
  }
}

function said(error: OfnError): Said {
  return { message: error.message, ...(error.text ? { text: error.text } : {}) };
}

function saidOf(text: ErrorText): Said {
  return said(OfnError.of('AccessDenied', text));
}

/**
 * The person to tell about a pulse or watch, read once: who created it, the watch itself (what adding it
 * again takes), and the language they are told in: the one the pulse's answer is written in, as its
 * label is (the instance's; several instances: the one they share, else English).
 */
async function ownerToTell(state: StateDb, deps: Deps, kind: 'pulse' | 'watch', id: number) {
  const watch = kind === 'watch' ? await watchById(state, id) : undefined;
  const pulse = kind === 'pulse' ? await pulseById(state, id) : undefined;
  const row = watch ?? pulse;
  if (!row) return undefined;
  let ids: readonly string[] = watch ? [watch.instance_id] : [];
  if (pulse) {
    try {
      const reach = questionReach(deps, pulse.question);
      if (reach.instances !== 'all') ids = reach.instances;
    } catch {
      // A question that no longer parses has no instance: English.
    }
  }
  const instances = ids.flatMap((i) => deps.config.instances.get(i) ?? []);
  return { id: row.id, createdBy: row.created_by, watch, lang: instances.length ? sharedLanguage(instances) : ('en' as Language) };
}

/** A refused delivery: audited, and its creator told once (per pulse or watch) in a direct message. */
export async function refused(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>, reason: string | Said, logger: Logger): Promise<void> {
  const why: Said = typeof reason === 'string' ? { message: reason } : reason;
  await audit(state, { action: `${delivery.kind}.refused`, channelId: delivery.channel_id, outcome: 'AccessDenied', detail: `${delivery.dedupe_key}: ${why.message}` }, logger);
  if ((delivery.kind !== 'pulse' && delivery.kind !== 'watch') || delivery.owner_id === null) return;
  const owner = await ownerToTell(state, deps, delivery.kind, delivery.owner_id);
  if (!owner || !/^[UW]/.test(owner.createdBy)) return;
  // In the language of the pulse's answer (the instance's): the reason too, where the catalogs have it.
  const lang = owner.lang;
  const values = { kind: delivery.kind, id: String(owner.id), channel: delivery.channel_id };
  const text = escapeMrkdwn(t(lang, 'creator.refusedText', values));
  await enqueueNotice(state, owner.createdBy, `notice:${delivery.kind}:${owner.id}:refused`, text, `:no_entry: ${t(lang, 'creator.refused', { ...values, reason: escapeMrkdwn(saidIn(why, lang)) })}`);
}

/**
 * A channel the bot can't post in: disable the pulse or watch that feeds it (instead of retrying forever,
 * metabase #49647), note it in the audit log and tell the person who created it.
 */
export async function channelGone(state: StateDb, deps: Deps, delivery: NonNullable<Delivery>, error: string, logger: Logger): Promise<void> {
  if ((delivery.kind !== 'pulse' && delivery.kind !== 'watch') || delivery.owner_id === null) return;
  const note = `disabled: Slack said ${error} for channel ${delivery.channel_id}`;
  await disableOwner(state, delivery.kind, delivery.owner_id, note);
  await audit(state, { action: `${delivery.kind}.disabled`, channelId: delivery.channel_id, outcome: error, detail: `${delivery.kind} #${delivery.owner_id}: ${note}` }, logger);
  const owner = await ownerToTell(state, deps, delivery.kind, delivery.owner_id);
  if (owner && /^[UW]/.test(owner.createdBy)) {
    // A watch has no resume: adding it again (same event and instance, from that channel) makes it active.
    const { watch, lang } = owner;
    const values = { kind: delivery.kind, id: String(owner.id), channel: delivery.channel_id, event: watch?.event ?? 'new-shops|new-profiles', instance: watch?.instance_id ?? '<instance>' };
    const text = escapeMrkdwn(t(lang, 'creator.disabledText', { ...values, error }));
    await enqueueNotice(state, owner.createdBy, `notice:${delivery.kind}:${owner.id}:disabled:${error}`, text, `:warning: ${t(lang, 'creator.disabled', { ...values, error: escapeMrkdwn(error) })}`);
  }
}
