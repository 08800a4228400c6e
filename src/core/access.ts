import { createHash, timingSafeEqual } from 'node:crypto';
import { OfnError } from './errors.js';

/**
 * The one place that decides what an audience may see. Every path that shows figures (an answer, a
 * button, a pulse, a watch announcement, the monthly billing post) asks `grantFor` who the audience is
 * and `authorize` whether the instances a question touches are within it: when a pulse, watch or saved
 * question is created, and again, with the config as it is then, every time it is delivered.
 */

/** The parts of the config that access needs (values, not the config module). */
export interface AccessConfig {
  readonly instances: ReadonlyMap<string, { readonly name: string }>;
  readonly access: readonly AccessRuleLike[];
  /** HTTP API tokens: each one an audience (`grantForToken`). */
  readonly api?: { readonly tokens: readonly ApiTokenLike[] };
  /** Outgoing webhooks: each one an audience (`grantForWebhook`). */
  readonly webhooks?: readonly WebhookLike[];
  /** Instances every user sees on the App Home tab (`grantForHome`). */
  readonly home?: { readonly instances: readonly string[] };
}

export interface ApiTokenLike {
  readonly name: string;
  readonly token: string;
  readonly instances: readonly string[];
  readonly billing: boolean;
}

export interface WebhookLike {
  readonly name: string;
  readonly instances: readonly string[];
  readonly events: readonly string[];
}

export interface AccessRuleLike {
  readonly channel?: string | undefined;
  readonly user?: string | undefined;
  readonly instances: readonly string[];
  readonly billing: boolean;
  readonly admin: boolean;
}

/** Who will see an answer, as Slack tells us (ids, never names: names change). */
export interface Requester {
  userId: string;
  channelId: string;
}

export interface Grant {
  instances: ReadonlySet<string>;
  billing: boolean;
  admin: boolean;
  /** Which rule granted it, for the audit log. */
  via: string;
  /** "This channel (C…)" / "This conversation": how refusals name the audience. */
  label: string;
}

/**
 * Who a grant speaks for, and its label in English (logs, and refusals in English): one table builds the
 * label and reads it back, so that a refusal names the audience in the reader's language (`who`, a
 * select in the catalogs) for every label made here.
 */
const AUDIENCES = {
  conversation: () => 'This conversation',
  channel: (id: string) => `This channel (${id})`,
  here: () => 'This channel',
  target: (id: string) => `Channel ${id}`,
  token: (id: string) => `This API token (${id})`,
  webhook: (id: string) => `This webhook (${id})`,
  yourHome: () => 'Your Home tab',
  home: () => 'The Home tab',
  operator: () => 'The operator',
} as const;
export type Audience = keyof typeof AUDIENCES;

/** A grant's label: `audienceLabel('channel', 'C0123')` is "This channel (C0123)". */
export function audienceLabel(who: Audience, id = ''): string {
  return AUDIENCES[who](id);
}

/** A label as catalog values (`who` and its id), read with the table that made it; any other label is named as written. */
export function audience(label: string): { who: string; id: string } {
  for (const [who, make] of Object.entries(AUDIENCES) as [Audience, (id: string) => string][]) {
    const [before, after] = make('\u0000').split('\u0000') as [string, string | undefined];
    if (after === undefined ? label === before : label.length > before.length + after.length && label.startsWith(before) && label.endsWith(after)) {
      return { who, id: after === undefined ? '' : label.slice(before.length, label.length - after.length) };
    }
  }
  return { who: 'other', id: label };
}

/** What a question touches: the instances it reads (`all` = every instance the audience may see) and whether it shows billing. */
export interface Reach {
  instances: readonly string[] | 'all';
  billing: boolean;
}

const isDirectMessage = (channelId: string) => channelId.startsWith('D');

/**
 * Access is decided per channel (everyone in an allowed channel may see its data); direct messages
 * with the bot are decided per user. Anything not listed gets nothing.
 */
export function grantFor(config: AccessConfig, who: Requester): Grant | undefined {
  const direct = isDirectMessage(who.channelId);
  const rule = direct ? config.access.find((r) => r.user === who.userId) : config.access.find((r) => r.channel === who.channelId);
  if (!rule) return undefined;
  const instances = visibleInstances(config, rule.instances);
  // Admin rights belong to people: a user rule grants them in any channel the user can ask in.
  const admin = rule.admin || config.access.some((r) => r.user === who.userId && r.admin);
  return { instances, billing: rule.billing, admin, via: rule.channel ? `channel ${rule.channel}` : `user ${rule.user}`, label: direct ? audienceLabel('conversation') : audienceLabel('channel', who.channelId) };
}

/** A rule's instance list with `*` expanded and ids no longer configured dropped. */
function visibleInstances(config: AccessConfig, listed: readonly string[]): Set<string> {
  return new Set(listed.includes('*') ? config.instances.keys() : listed.filter((id) => config.instances.has(id)));
}

// Equal-length digests: comparing them takes the same time whatever the token, its length or how much of it matches.
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The grant of whoever presents an HTTP API token: the token's instances and billing, never admin.
 * Every configured token is compared, in constant time, so the time taken says nothing about which
 * one (or how much of one) matched. Undefined for a missing or unknown token (HTTP 401).
 */
export function grantForToken(config: AccessConfig, presented: string): Grant | undefined {
  const given = digest(presented);
  let found: ApiTokenLike | undefined;
  for (const token of config.api?.tokens ?? []) {
    if (timingSafeEqual(given, digest(token.token)) && !found) found = token;
  }
  if (!found || presented.length === 0) return undefined;
  return { instances: visibleInstances(config, found.instances), billing: found.billing, admin: false, via: `api token ${found.name}`, label: audienceLabel('token', found.name) };
}

/**
 * The grant of a configured webhook, by name, under the config as it is now: its instances, and
 * billing when it takes `billing.closed`. Undefined when no webhook has that name any more.
 */
export function grantForWebhook(config: AccessConfig, name: string): Grant | undefined {
  const webhook = config.webhooks?.find((w) => w.name === name);
  if (!webhook) return undefined;
  return { instances: visibleInstances(config, webhook.instances), billing: webhook.events.includes('billing.closed'), admin: false, via: `webhook ${name}`, label: audienceLabel('webhook', name) };
}

/**
 * What one user sees on the App Home tab, which only they see: the instances of their user rule (the
 * one that decides their direct messages) plus those the config's `home:` shows everyone. Never
 * billing or admin; undefined when that is no instance at all.
 */
export function grantForHome(config: AccessConfig, userId: string): Grant | undefined {
  const rule = config.access.find((r) => r.user === userId);
  const instances = new Set([...(rule ? visibleInstances(config, rule.instances) : []), ...(config.home ? visibleInstances(config, config.home.instances) : [])]);
  if (instances.size === 0) return undefined;
  return { instances, billing: false, admin: false, via: rule ? `user ${userId} and home` : 'home', label: audienceLabel('yourHome') };
}

/** The grant of the machine's operator (the CLI): every instance, billing included. */
export function operatorGrant(config: AccessConfig): Grant {
  return { instances: new Set(config.instances.keys()), billing: true, admin: true, via: 'operator', label: audienceLabel('operator') };
}

export function requireGrant(config: AccessConfig, who: Requester): Grant {
  const grant = grantFor(config, who);
  if (!grant) {
    throw isDirectMessage(who.channelId)
      ? OfnError.say('AccessDenied', 'error.accessDirect', { user: who.userId })
      : OfnError.say('AccessDenied', 'error.accessChannel', { channel: who.channelId });
  }
  return grant;
}

/**
 * Whether `grant` covers `reach`; returns the instance ids the answer may show (`all` expanded to
 * the visible ones). Throws AccessDenied naming only what the asker typed and what the grant may see.
 */
export function authorize(config: AccessConfig, grant: Grant, reach: Reach): string[] {
  if (reach.billing && !grant.billing) {
    throw OfnError.say('AccessDenied', 'error.access.billing', audience(grant.label));
  }
  const ids = reach.instances === 'all' ? [...config.instances.keys()].filter((id) => grant.instances.has(id)) : [...new Set(reach.instances)];
  const hidden = ids.filter((id) => !grant.instances.has(id));
  if (hidden.length) {
    const names = hidden.map((id) => config.instances.get(id)?.name ?? id).join(', ');
    throw OfnError.say('AccessDenied', 'error.access.hidden', { ...audience(grant.label), names, visible: [...grant.instances].join(', '), count: grant.instances.size, hidden: `\`${hidden.join('`, `')}\`` });
  }
  // `all` with nothing visible is refused; a route that touches no instance (help, management) is not.
  if (reach.instances === 'all' && ids.length === 0) throw OfnError.say('AccessDenied', 'error.access.none', audience(grant.label));
  return ids;
}

/** True when `grant` covers `reach` (no throw): for filtering lists. */
export function covers(config: AccessConfig, grant: Grant | undefined, reach: Reach): boolean {
  if (!grant) return false;
  if (reach.billing && !grant.billing) return false;
  return reach.instances === 'all' || reach.instances.every((id) => grant.instances.has(id));
}

/**
 * Whether `manager` may manage something posting to `channelId` that touches `reach`: an admin who may
 * see every instance it touches, and every instance the target channel may see (so an admin granted
 * only `au` cannot pause a pulse that posts Katuma's figures elsewhere).
 */
export function mayManage(config: AccessConfig, manager: Grant, managerId: string, channelId: string, reach: Reach): boolean {
  if (!manager.admin || !covers(config, manager, { ...reach, billing: false })) return false;
  const target = grantFor(config, { userId: managerId, channelId });
  return !target || [...target.instances].every((id) => manager.instances.has(id));
}
