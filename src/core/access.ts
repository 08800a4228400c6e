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
  const all = rule.instances.includes('*');
  const instances = new Set(all ? config.instances.keys() : rule.instances.filter((id) => config.instances.has(id)));
  // Admin rights belong to people: a user rule grants them in any channel the user can ask in.
  const admin = rule.admin || config.access.some((r) => r.user === who.userId && r.admin);
  return { instances, billing: rule.billing, admin, via: rule.channel ? `channel ${rule.channel}` : `user ${rule.user}`, label: direct ? 'This conversation' : `This channel (${who.channelId})` };
}

/** The grant of the machine's operator (the CLI): every instance, billing included. */
export function operatorGrant(config: AccessConfig): Grant {
  return { instances: new Set(config.instances.keys()), billing: true, admin: true, via: 'operator', label: 'The operator' };
}

export function requireGrant(config: AccessConfig, who: Requester): Grant {
  const grant = grantFor(config, who);
  if (!grant) {
    const where = isDirectMessage(who.channelId)
      ? `You (${who.userId}) are not allowed to ask me in direct messages. An operator can add \`- user: ${who.userId}\` under \`access:\` in the ofn-insights config.`
      : `This channel (${who.channelId}) has no access to ofn-insights. An operator can add \`- channel: ${who.channelId}\` under \`access:\` in the ofn-insights config.`;
    throw new OfnError('AccessDenied', where);
  }
  return grant;
}

/**
 * Whether `grant` covers `reach`; returns the instance ids the answer may show (`all` expanded to
 * the visible ones). Throws AccessDenied naming only what the asker typed and what the grant may see.
 */
export function authorize(config: AccessConfig, grant: Grant, reach: Reach): string[] {
  if (reach.billing && !grant.billing) {
    throw new OfnError('AccessDenied', `Billing answers need \`billing: true\` for ${grant.label === 'This conversation' ? 'this user' : grant.label.replace(/^This/, 'this')} in the ofn-insights config.`);
  }
  const ids = reach.instances === 'all' ? [...config.instances.keys()].filter((id) => grant.instances.has(id)) : [...new Set(reach.instances)];
  const hidden = ids.filter((id) => !grant.instances.has(id));
  if (hidden.length) {
    const names = hidden.map((id) => config.instances.get(id)?.name ?? id).join(', ');
    throw new OfnError(
      'AccessDenied',
      `${grant.label} may not see ${names}. It may see: ${[...grant.instances].join(', ') || 'no instance'}. An operator can add \`${hidden.join('`, `')}\` to its \`instances\` in the ofn-insights config.`,
    );
  }
  // `all` with nothing visible is refused; a route that touches no instance (help, management) is not.
  if (reach.instances === 'all' && ids.length === 0) throw new OfnError('AccessDenied', `${grant.label} may see no instance.`);
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
