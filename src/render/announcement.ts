import { contextLine, escapeMrkdwn, mrkdwnSection, type Block, type SlackMessage } from './mrkdwn.js';

/** A new profile or shop as announced: the enterprise, its OFN category, where it is; never people. */
export interface NewEnterprise {
  id: number;
  name: string;
  category: string;
  town: string | null;
  country: string | null;
  /** Its page on the instance, when the instance URL is configured. */
  url?: string;
  /** "16 Nov 2026 09:00" in the instance's zone. */
  createdLocal: string;
}

function describe(e: NewEnterprise): string {
  const place = [e.town, e.country].filter(Boolean).join(', ');
  const name = e.url ? `<${e.url}|${escapeMrkdwn(e.name)}>` : `*${escapeMrkdwn(e.name)}*`;
  return `${name} · ${escapeMrkdwn(e.category)}${place ? ` · ${escapeMrkdwn(place)}` : ''}`;
}

/** One announcement, or a summary of several (more than a few in one poll, or a channel already queued). */
export function announcementMessage(instance: { name: string; timezone: string }, event: 'new-profile' | 'new-shop', enterprises: readonly NewEnterprise[], summarySince?: string): SlackMessage {
  const what = event === 'new-shop' ? 'shop' : 'profile';
  if (enterprises.length === 1 && !summarySince) {
    const e = enterprises[0]!;
    return {
      // The notification preview renders mrkdwn too: a shop named `<!channel>` must not ping anyone.
      text: escapeMrkdwn(`New ${what} on ${instance.name}: ${e.name}`),
      blocks: [
        mrkdwnSection(`:seedling: New ${what} on *${escapeMrkdwn(instance.name)}*\n${describe(e)}`),
        contextLine(escapeMrkdwn(`Created ${e.createdLocal} (${instance.timezone}) · enterprise #${e.id}`)),
      ],
    };
  }
  const lines = enterprises.slice(0, 40).map((e) => `• ${describe(e)}`);
  if (enterprises.length > 40) lines.push(`…and ${enterprises.length - 40} more.`);
  const header = `${enterprises.length} new ${what}s on ${instance.name}${summarySince ? ` since ${summarySince}` : ''}`;
  const blocks: Block[] = [mrkdwnSection(`:seedling: *${escapeMrkdwn(header)}*`)];
  for (let i = 0; i < lines.length; i += 15) blocks.push(mrkdwnSection(lines.slice(i, i + 15).join('\n')));
  return { text: escapeMrkdwn(header), blocks };
}
