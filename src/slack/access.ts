import type { AccessRule, Config } from '../config/config.js';
import { OfnError } from '../core/errors.js';

/** Who is asking, as Slack tells us (ids, never names: names change). */
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
}

/**
 * Access is decided per channel (everyone in an allowed channel may see its data); direct messages
 * with the bot are decided per user. Anything not listed gets nothing.
 */
export function grantFor(config: Config, who: Requester): Grant | undefined {
  const isDirectMessage = who.channelId.startsWith('D');
  const rule: AccessRule | undefined = isDirectMessage
    ? config.access.find((r) => r.user === who.userId)
    : config.access.find((r) => r.channel === who.channelId);
  if (!rule) return undefined;
  const all = rule.instances.includes('*');
  const instances = new Set(all ? config.instances.keys() : rule.instances);
  // Admin rights belong to people: a user rule grants them in any channel the user can ask in.
  const admin = rule.admin || config.access.some((r) => r.user === who.userId && r.admin);
  return { instances, billing: rule.billing, admin, via: rule.channel ? `channel ${rule.channel}` : `user ${rule.user}` };
}

export function requireGrant(config: Config, who: Requester): Grant {
  const grant = grantFor(config, who);
  if (!grant) {
    const where = who.channelId.startsWith('D')
      ? `You (${who.userId}) are not allowed to ask me in direct messages. An operator can add \`- user: ${who.userId}\` under \`access:\` in the ofn-insights config.`
      : `This channel (${who.channelId}) has no access to ofn-insights. An operator can add \`- channel: ${who.channelId}\` under \`access:\` in the ofn-insights config.`;
    throw new OfnError('AccessDenied', where);
  }
  return grant;
}

export function requireInstance(grant: Grant, instanceId: string, who: Requester, instanceName: string): void {
  if (!grant.instances.has(instanceId)) {
    throw new OfnError(
      'AccessDenied',
      `This ${who.channelId.startsWith('D') ? 'conversation' : `channel (${who.channelId})`} may not see ${instanceName}. It may see: ${[...grant.instances].join(', ') || 'no instance'}. An operator can add \`${instanceId}\` to its \`instances\` in the ofn-insights config.`,
    );
  }
}
