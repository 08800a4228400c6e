import { DateTime } from 'luxon';
import type { Answer } from '../core/answer.js';
import type { DashboardOutcome, DashboardPart, Outcome } from '../core/outcome.js';
import { numbersLocale, t, type Language } from '../core/i18n.js';
import { formatCount } from '../core/money.js';
import { saidIn } from '../core/errors.js';
import { answerLanguage, answerNote, describePeriod, formatValue, headline, ordersDetail, sharedLanguage } from './format.js';
import { contextLine, escapeMrkdwn, fencedSections, mrkdwnSection, plain, SECTION_LIMIT, type Block, type SlackMessage } from './mrkdwn.js';
import { alignTable, answerTable, type Align } from './table.js';
import { toCsv } from './csv-writer.js';

/**
 * A dashboard in every format. The renderers of a single outcome are handed in (text, JSON, CSV, Slack)
 * rather than imported: they dispatch on the outcome's kind, dashboards included, and a module that
 * imports the other would close a circle.
 */

// Slack's limits (docs/slack-platform.md): 50 blocks a message, a table block of at most 100 rows of 20
// cells, one table block a message, and `msg_blocks_too_long` around 13k characters, so a message is cut
// well before that.
export const DASHBOARD_MAX_BLOCKS = 50;
export const TABLE_MAX_ROWS = 100;
export const TABLE_MAX_COLUMNS = 20;
const MESSAGE_CHARACTERS = 11_000;
const CELL_LIMIT = 200;

/** An image block's source: a file uploaded first (by id), or a placeholder the outbox replaces once uploaded. */
export type ChartRef = { fileId: string; title: string; altText: string };

/** The time zones of the answered parts, each once in order of first use, for the closing context line. */
export function partPeriods(outcome: DashboardOutcome): string[] {
  const seen = new Set<string>();
  for (const part of outcome.parts) {
    if (part.status !== 'answered') continue;
    const o = part.outcome;
    if (o.kind === 'answer') seen.add(o.answer.period.timezone);
    if (o.kind === 'global') for (const a of o.answer.results) seen.add(a.period.timezone);
    if (o.kind === 'growth') for (const i of o.instances) if (i.instance) seen.add(i.instance.timezone);
    if (o.kind === 'billing') seen.add(o.instance.timezone);
    if (o.kind === 'story') {
      const sections: readonly { instance: { timezone: string } | null }[] = o.story === 'map' ? o.map.instances : o.sections;
      for (const s of sections) if (s.instance) seen.add(s.instance.timezone);
    }
  }
  return [...seen];
}

/**
 * The language of a dashboard's own words (its closing line, refusals): the reader's; else the one its
 * answered parts' instances share; else English. Each answer is in its own instance's language unless
 * the reader has one.
 */
export function dashboardLanguage(outcome: DashboardOutcome, reader?: Language): Language {
  const instances: Answer['instance'][] = [];
  for (const part of outcome.parts) {
    if (part.status !== 'answered') continue;
    const o = part.outcome;
    if (o.kind === 'answer') instances.push(o.answer.instance);
    else if (o.kind === 'billing') instances.push(o.instance);
    // A part about several instances (growth, all, billing all) has no one language: the dashboard's words are English.
    else return reader ?? 'en';
  }
  return sharedLanguage(instances, reader);
}

/** Plain text for a terminal: each question's answer in order, refusals and failures named. */
export function dashboardText(outcome: DashboardOutcome, textOf: (o: Outcome) => string, reader?: Language): string {
  const lang = dashboardLanguage(outcome, reader);
  const lines = [outcome.title, t(lang, 'dash.text', { name: outcome.name, n: outcome.parts.length }), ''];
  for (const part of outcome.parts) {
    lines.push(`── ${part.question}`);
    lines.push(part.status === 'answered' ? textOf(part.outcome) : t(lang, part.status === 'refused' ? 'dash.refusedText' : 'dash.failed', { message: saidIn(part, lang) }), '');
  }
  return lines.join('\n').trimEnd();
}

export function dashboardJson(outcome: DashboardOutcome, jsonOf: (o: Outcome) => unknown): Record<string, unknown> {
  return {
    dashboard: outcome.name,
    title: outcome.title,
    asked_at: outcome.askedAt,
    parts: outcome.parts.map((part) => (part.status === 'answered' ? { question: part.question, status: part.status, answer: jsonOf(part.outcome) } : { question: part.question, status: part.status, message: part.message })),
  };
}

/** Several tables in one file: each question's CSV after a row naming it (and a refusal or failure as a row). */
export function dashboardCsv(outcome: DashboardOutcome, csvOf: (o: Outcome) => string): string {
  return outcome.parts
    .map((part) => toCsv(['question', 'status'], [[part.question, part.status === 'answered' ? 'answered' : `${part.status}: ${part.message}`]]) + (part.status === 'answered' ? `\n${csvOf(part.outcome)}` : ''))
    .join('\n');
}

/** A raw_text cell: Slack shows it as typed (it is not mrkdwn, so it is not escaped), cut to a readable length. */
function cell(text: string): Block {
  return { type: 'raw_text', text: text.length > CELL_LIMIT ? `${text.slice(0, CELL_LIMIT - 1)}…` : text || ' ' };
}

/** A Slack table block, or undefined when the table is beyond what one can hold. */
export function tableBlock(header: string[], rows: string[][], align?: readonly Align[]): Block | undefined {
  if (header.length > TABLE_MAX_COLUMNS || rows.length + 1 > TABLE_MAX_ROWS) return undefined;
  return {
    type: 'table',
    column_settings: header.map((_, i) => ({ align: align?.[i] ?? (i === 0 ? 'left' : 'right') })),
    rows: [header, ...rows].map((r) => r.map(cell)),
  };
}

function imageBlock(chart: ChartRef): Block {
  return { type: 'image', slack_file: { id: chart.fileId }, alt_text: chart.altText.slice(0, 2000), title: plain(chart.title, 2000) };
}

/**
 * At most this many rows of one answer in a dashboard, besides its total: a month by day fits whole, and a
 * dashboard is a digest (a ranking of 2,000 shops would take three messages). The question asked on its
 * own gives every row, with a CSV.
 */
export const DASHBOARD_TABLE_ROWS = 31;

/**
 * The answer with the rows a digest shows: a ranking's and a list's first, a series' latest. `cut` says
 * which and how many rows there were, when some were left out (a list says so itself).
 */
function rowsShown(answer: Exclude<Answer, { kind: 'scalar' }>): { shown: Exclude<Answer, { kind: 'scalar' }>; cut?: { which: 'first' | 'last'; of: number } } {
  if (answer.rows.length <= DASHBOARD_TABLE_ROWS) return { shown: answer };
  switch (answer.kind) {
    case 'list':
      return { shown: { ...answer, rows: answer.rows.slice(0, DASHBOARD_TABLE_ROWS) } };
    case 'ranking':
      // The total row stays every shop's, and says so ("Total (all 2,105 shops)").
      return { shown: { ...answer, rows: answer.rows.slice(0, DASHBOARD_TABLE_ROWS), totalRows: answer.totalRows ?? answer.rows.length }, cut: { which: 'first', of: answer.rows.length } };
    case 'series':
      // The total row stays the whole period's.
      return { shown: { ...answer, rows: answer.rows.slice(-DASHBOARD_TABLE_ROWS) }, cut: { which: 'last', of: answer.rows.length } };
  }
}

/** One part as blocks; `table` says whether this message may still take its one table block. */
interface Unit {
  blocks(tableAllowed: boolean): { blocks: Block[]; usedTable: boolean };
}

function answerUnit(answer: Answer, chart: ChartRef | undefined, reader: Language | undefined): Unit {
  const lang = answerLanguage(answer, reader);
  const title = headline(answer, lang);
  const context = [describePeriod(answer.period, answer.instance.locale, lang), `\`${answer.question}\``];
  if (answer.dataAsOf) context.push(t(lang, 'answer.dataAsOfSlack', { when: answer.dataAsOf }));
  const note = answerNote(answer, lang);
  if (note) context.push(note);
  const head = [mrkdwnSection(`*${escapeMrkdwn(title)}*`), contextLine(escapeMrkdwn(context.join(' · ')))];
  const image = chart ? [imageBlock(chart)] : [];
  if (answer.kind === 'scalar') {
    const figure = formatValue(answer, answer.value, lang);
    const detail = ordersDetail(answer, lang);
    const line = mrkdwnSection(`*${escapeMrkdwn(title)}*: *${escapeMrkdwn(figure)}*${detail ? `  ${escapeMrkdwn(detail)}` : ''}`);
    return { blocks: () => ({ blocks: [line, head[1]!, ...image], usedTable: false }) };
  }
  const { shown, cut: left } = rowsShown(answer);
  const table = answerTable(shown, lang)!;
  if (table.rows.length === 0) return { blocks: () => ({ blocks: [...head, mrkdwnSection(`_${escapeMrkdwn(t(lang, 'answer.noData'))}_`)], usedTable: false }) };
  const count = (n: number) => formatCount(n, numbersLocale(answer.instance, lang));
  const cut =
    shown.kind === 'list' && shown.totalRows > shown.rows.length
      ? [contextLine(escapeMrkdwn(t(lang, 'answer.firstOf', { shown: shown.rows.length, total: shown.totalRows })))]
      : left
        ? [contextLine(escapeMrkdwn(t(lang, left.which === 'first' ? 'dash.firstRowsOf' : 'dash.lastRowsOf', { shown: count(shown.rows.length), total: count(left.of), question: answer.question })))]
        : [];
  return {
    blocks(tableAllowed) {
      const block = tableAllowed ? tableBlock(table.header, table.rows, table.align) : undefined;
      if (block) return { blocks: [...head, block, ...cut, ...image], usedTable: true };
      return { blocks: [...head, ...fencedSections(alignTable(table.header, table.rows, table.align)), ...cut, ...image], usedTable: false };
    },
  };
}

/** Any other outcome (several instances, growth, billing …): its own message's blocks, its header as a bold line. */
function otherUnit(message: SlackMessage, chart: ChartRef | undefined): Unit {
  const blocks = message.blocks.flatMap((b): Block[] => {
    if (b.type === 'header') return [mrkdwnSection(`*${escapeMrkdwn(String((b.text as { text?: string }).text ?? ''))}*`)];
    if (b.type === 'actions') return [];
    return [b];
  });
  return { blocks: () => ({ blocks: [...blocks, ...(chart ? [imageBlock(chart)] : [])], usedTable: false }) };
}

function noticeUnit(part: Extract<DashboardPart, { status: 'refused' | 'failed' }>, lang: Language): Unit {
  const icon = part.status === 'refused' ? ':no_entry:' : ':warning:';
  const text = `${icon} \`${escapeMrkdwn(part.question)}\` · ${escapeMrkdwn(t(lang, part.status === 'refused' ? 'dash.refused' : 'dash.failed', { message: saidIn(part, lang) }))}`;
  return { blocks: () => ({ blocks: [mrkdwnSection(text.slice(0, SECTION_LIMIT))], usedTable: false }) };
}

function size(blocks: readonly Block[]): number {
  return JSON.stringify(blocks).length;
}

/**
 * The dashboard as Slack messages: one, unless Slack's limits force more (50 blocks, one table block,
 * ~13k characters a message). A header, each question's answer in order (figures as text, tables as a
 * table block or fenced text, charts as image blocks of files uploaded first), then a context line with
 * the time zones and when it was asked. `charts[i]` is part i's chart, if it has one.
 */
export function dashboardMessages(
  outcome: DashboardOutcome,
  options: { charts?: readonly (ChartRef | undefined)[]; messageOf: (o: Outcome) => SlackMessage; footer?: string; language?: Language },
): SlackMessage[] {
  const charts = options.charts ?? [];
  const lang = dashboardLanguage(outcome, options.language);
  const units = outcome.parts.map((part, i): Unit => {
    if (part.status !== 'answered') return noticeUnit(part, lang);
    if (part.outcome.kind === 'answer') return answerUnit(part.outcome.answer, charts[i], options.language);
    return otherUnit(options.messageOf(part.outcome), charts[i]);
  });
  const zones = partPeriods(outcome);
  const askedZone = zones.length === 1 ? zones[0]! : 'UTC';
  const asked = DateTime.fromISO(outcome.askedAt, { zone: askedZone }).setLocale(lang).toFormat('d LLL yyyy HH:mm');
  const refused = outcome.parts.filter((p) => p.status === 'refused').length;
  const closing = contextLine(
    escapeMrkdwn(
      [
        t(lang, 'dash.name', { name: outcome.name, n: outcome.parts.length }),
        zones.length ? t(lang, 'dash.zones', { zones: zones.join(', ') }) : undefined,
        t(lang, 'dash.asked', { when: asked, zone: askedZone }),
        refused ? t(lang, 'dash.refusedCount', { n: refused }) : undefined,
        options.footer,
      ]
        .filter(Boolean)
        .join(' · '),
    ),
  );
  const header: Block = { type: 'header', text: plain(outcome.title) };
  const messages: Block[][] = [[header]];
  let tableUsed = false;
  for (const unit of units) {
    let current = messages.at(-1)!;
    let rendered = unit.blocks(!tableUsed);
    const fits = (blocks: Block[]) => current.length + blocks.length + 1 <= DASHBOARD_MAX_BLOCKS && size(current) + size(blocks) <= MESSAGE_CHARACTERS;
    if (!fits(rendered.blocks) && current.length > 1) {
      // A new message (continued), with its own table block allowance.
      messages.push([contextLine(escapeMrkdwn(t(lang, 'dash.continued', { title: outcome.title })))]);
      current = messages.at(-1)!;
      tableUsed = false;
      rendered = unit.blocks(true);
    }
    // A part that is too big even alone (a long fenced table): as many of its blocks as fit.
    const room = DASHBOARD_MAX_BLOCKS - 1 - current.length;
    current.push(...rendered.blocks.slice(0, room));
    if (rendered.usedTable) tableUsed = true;
  }
  messages.at(-1)!.push(closing);
  const fallback = escapeMrkdwn(t(lang, 'dash.fallback', { title: outcome.title, n: outcome.parts.length }));
  return messages.map((blocks, i) => ({ text: i === 0 ? fallback : escapeMrkdwn(t(lang, 'dash.continued', { title: outcome.title })), blocks }));
}
