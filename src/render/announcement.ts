import { languageOfLocale, t, type Language } from '../core/i18n.js';
import { categoryName } from './format.js';
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

function describe(e: NewEnterprise, lang: Language): string {
  const place = [e.town, e.country].filter(Boolean).join(', ');
  const name = e.url ? `<${e.url}|${escapeMrkdwn(e.name)}>` : `*${escapeMrkdwn(e.name)}*`;
  return `${name} · ${escapeMrkdwn(categoryName(e.category, lang))}${place ? ` · ${escapeMrkdwn(place)}` : ''}`;
}

/**
 * One announcement, or a summary of several (more than a few in one poll, or a channel already queued),
 * in the instance's language (a channel reads it: config `language`, else from the locale).
 */
export function announcementMessage(
  instance: { name: string; timezone: string; locale?: string; language?: Language | undefined },
  event: 'new-profile' | 'new-shop',
  enterprises: readonly NewEnterprise[],
  summarySince?: string,
): SlackMessage {
  const lang = instance.language ?? languageOfLocale(instance.locale);
  const what = event === 'new-shop' ? 'shop' : 'profile';
  if (enterprises.length === 1 && !summarySince) {
    const e = enterprises[0]!;
    const headline = t(lang, 'announce.one', { what, instance: instance.name });
    return {
      // The notification preview renders mrkdwn too: a shop named `<!channel>` must not ping anyone.
      text: escapeMrkdwn(`${headline}: ${e.name}`),
      blocks: [
        // The catalog's words are ours; only the name is escaped (and set in bold).
        mrkdwnSection(`:seedling: ${t(lang, 'announce.one', { what, instance: `*${escapeMrkdwn(instance.name)}*` })}\n${describe(e, lang)}`),
        contextLine(escapeMrkdwn(t(lang, 'announce.created', { when: e.createdLocal, zone: instance.timezone, id: String(e.id) }))),
      ],
    };
  }
  const lines = enterprises.slice(0, 40).map((e) => `• ${describe(e, lang)}`);
  if (enterprises.length > 40) lines.push(t(lang, 'announce.more', { n: enterprises.length - 40 }));
  const values = { what, n: enterprises.length, instance: instance.name };
  const header = summarySince ? t(lang, 'announce.manySince', { ...values, since: summarySince }) : t(lang, 'announce.many', values);
  const blocks: Block[] = [mrkdwnSection(`:seedling: *${escapeMrkdwn(header)}*`)];
  for (let i = 0; i < lines.length; i += 15) blocks.push(mrkdwnSection(lines.slice(i, i + 15).join('\n')));
  return { text: escapeMrkdwn(header), blocks };
}
