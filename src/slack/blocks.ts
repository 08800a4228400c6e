import type { Answer } from '../core/answer.js';
import type { HelpText } from '../commands/index.js';
import { describePeriod, formatValue, headline } from '../render/format.js';
import { alignTable, answerTable } from '../render/text.js';

// Slack's limits (docs/slack-platform.md): 50 blocks, 3,000 characters per section text, and
// msg_blocks_too_long around 13k characters in total. We stay well inside them.
const SECTION_LIMIT = 2_900;
const HEADER_LIMIT = 150;

export type Block = Record<string, unknown>;

export interface SlackMessage {
  text: string; // notification / accessibility fallback
  blocks: Block[];
}

export const ACTION = { chart: 'ofn_chart', csv: 'ofn_csv', share: 'ofn_share' } as const;

/** Escapes text for mrkdwn: `<`, `>` and `&` would otherwise form links and mentions (`<!channel>`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text inside a ``` block: escaped, and without a fence that would end the block early. */
function codeBlock(text: string): string {
  return '```\n' + escapeMrkdwn(text).replace(/```/g, "'''") + '\n```';
}

function plain(text: string, limit = HEADER_LIMIT): { type: 'plain_text'; text: string; emoji: boolean } {
  return { type: 'plain_text', text: text.length > limit ? `${text.slice(0, limit - 1)}…` : text, emoji: false };
}

export interface AnswerMessageOptions {
  /** Shown as ephemeral: offer a "Share in channel" button. */
  ephemeral: boolean;
}

/** Builds the message for an answer and tells whether the full table had to be cut. */
export function answerMessage(answer: Answer, options: AnswerMessageOptions): SlackMessage & { truncated: boolean } {
  const title = headline(answer);
  const period = describePeriod(answer.period, answer.instance.locale);
  const blocks: Block[] = [
    { type: 'header', text: plain(title) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(`${period} · \`${answer.question}\``) }] },
  ];
  if (answer.dataAsOf) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:hourglass: Data as of ${escapeMrkdwn(answer.dataAsOf)}: the replica is behind.` }] });
  let text: string;
  let truncated = false;
  if (answer.kind === 'scalar') {
    const figure = formatValue(answer, answer.value);
    text = escapeMrkdwn(`${title}: ${figure} (${period})`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(figure)}*${answer.detail ? `  ${escapeMrkdwn(answer.detail)}` : ''}` } });
  } else {
    const table = answerTable(answer)!;
    text = escapeMrkdwn(`${title} (${period}): ${table.rows.length} rows`);
    if (table.rows.length === 0) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '_No data in this period._' } });
    } else {
      let shown = table.rows.length;
      let body = alignTable(table.header, table.rows, table.align);
      while (codeBlock(body).length > SECTION_LIMIT && shown > 1) {
        shown = Math.max(1, Math.floor(shown * 0.8));
        body = alignTable(table.header, table.rows.slice(0, shown), table.align);
      }
      truncated = shown < table.rows.length;
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: codeBlock(body) } });
      if (truncated) {
        blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `First ${shown} of ${table.rows.length} rows; the full list is in the CSV.` }] });
      }
    }
  }
  const buttons: Block[] = [];
  if (answer.kind !== 'scalar' && answer.rows.length > 0) {
    if (answer.kind !== 'list') buttons.push(button('Chart', ACTION.chart, answer.question));
    buttons.push(button('CSV', ACTION.csv, answer.question));
  }
  if (options.ephemeral) buttons.push(button('Share in channel', ACTION.share, answer.question));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text, blocks, truncated };
}

function button(label: string, actionId: string, question: string): Block {
  // The value is re-parsed and access re-checked when clicked: it is never trusted.
  return { type: 'button', text: plain(label), action_id: actionId, value: question.slice(0, 2000) };
}

export function helpMessage(help: HelpText): SlackMessage {
  const body = help.lines.join('\n');
  const chunks: Block[] = [];
  for (let i = 0; i < body.length && chunks.length < 10; i += SECTION_LIMIT - 10) {
    chunks.push({ type: 'section', text: { type: 'mrkdwn', text: codeBlock(body.slice(i, i + SECTION_LIMIT - 10)) } });
  }
  return { text: escapeMrkdwn(`ofn-insights: ${help.title}`), blocks: [{ type: 'header', text: plain(`/ofn ${help.title === 'Questions' ? 'help' : help.title}`) }, ...chunks] };
}

export function errorMessage(message: string, hint?: string): SlackMessage {
  const text = hint ? `${message}\n${hint}` : message;
  return { text: escapeMrkdwn(text), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(text).slice(0, SECTION_LIMIT)}` } }] };
}

/** A multi-instance answer: the per-instance table (or blocks), the total and the warnings, as monospace text. */
export function textMessage(title: string, body: string, context: string, options: AnswerMessageOptions & { question?: string; chartable?: boolean }): SlackMessage {
  const blocks: Block[] = [
    { type: 'header', text: plain(title) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(context) }] },
  ];
  let remaining = body;
  while (remaining.length > 0 && blocks.length < 12) {
    const cut = remaining.length <= SECTION_LIMIT - 10 ? remaining.length : remaining.lastIndexOf('\n', SECTION_LIMIT - 10) || SECTION_LIMIT - 10;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: codeBlock(remaining.slice(0, cut)) } });
    remaining = remaining.slice(cut).replace(/^\n/, '');
  }
  const buttons: Block[] = [];
  if (options.question && options.chartable) buttons.push(button('Chart', ACTION.chart, options.question));
  if (options.question) buttons.push(button('CSV', ACTION.csv, options.question));
  if (options.question && options.ephemeral) buttons.push(button('Share in channel', ACTION.share, options.question));
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  // The fallback text is rendered as mrkdwn in notifications: the body holds shop names from a replica.
  return { text: escapeMrkdwn(`${title}: ${body.slice(0, 200)}`), blocks };
}
