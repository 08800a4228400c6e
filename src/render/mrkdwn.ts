/**
 * Slack's mrkdwn, the one place text becomes markup. Every string that may hold text from a replica
 * (shop names, towns) or typed by a user reaches Slack through `escapeMrkdwn` or `codeBlock`:
 * section and context blocks, fallback `text`, file comments.
 */

// Slack's limits (docs/slack-platform.md): 50 blocks, 3,000 characters per section text, and
// msg_blocks_too_long around 13k characters in total. We stay well inside them.
export const SECTION_LIMIT = 2_900;
export const HEADER_LIMIT = 150;

export type Block = Record<string, unknown>;

export interface SlackMessage {
  /** Notification and accessibility fallback; rendered as mrkdwn by Slack, so escaped like the rest. */
  text: string;
  blocks: Block[];
}

/** Escapes text for mrkdwn: `<`, `>` and `&` would otherwise form links and mentions (`<!channel>`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * How many leading characters of `text` fit in `limit` characters once escaped. Slack counts the escaped
 * text against its limits, and `&` becomes five characters: a cut by raw length lets a shop list full of
 * "Fruit & Veg" overflow a section, and Slack then refuses the whole message.
 */
export function fittingLength(text: string, limit: number): number {
  let fits = 0;
  for (let size = 0; fits < text.length; fits++) {
    const c = text[fits];
    size += c === '&' ? 5 : c === '<' || c === '>' ? 4 : 1;
    if (size > limit) break;
  }
  return fits;
}

/**
 * Text inside a ``` block, escaped, and without a fence that would end the block early; at most
 * `limit` characters between the fences once escaped (the default keeps the block within a section).
 * Cut before escaping, so an entity is never cut in half.
 */
export function codeBlock(text: string, limit = SECTION_LIMIT - 8): string {
  const body = text.replace(/```/g, "'''");
  return '```\n' + escapeMrkdwn(body.slice(0, fittingLength(body, limit))) + '\n```';
}

/** A plain_text object (never parsed by Slack), cut to `limit` with an ellipsis. */
export function plain(text: string, limit = HEADER_LIMIT): { type: 'plain_text'; text: string; emoji: boolean } {
  return { type: 'plain_text', text: text.length > limit ? `${text.slice(0, limit - 1)}…` : text, emoji: false };
}

export function mrkdwnSection(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function contextLine(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** Fenced text split into at most `max` sections under Slack's 3,000 characters, at line ends. */
export function fencedSections(body: string, max = Infinity): Block[] {
  const blocks: Block[] = [];
  let rest = body;
  while (rest.length > 0 && blocks.length < max) {
    // Sections are measured escaped (see fittingLength); cut at the last line break that fits, or mid-line when none does.
    const fits = fittingLength(rest, SECTION_LIMIT - 10);
    const lineBreak = fits < rest.length ? rest.lastIndexOf('\n', fits) : -1;
    const cut = fits === rest.length ? fits : lineBreak > 0 ? lineBreak : fits;
    blocks.push(mrkdwnSection(codeBlock(rest.slice(0, cut))));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  return blocks;
}
