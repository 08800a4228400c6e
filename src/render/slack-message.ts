import { DateTime } from 'luxon';
import type { Answer } from '../core/answer.js';
import { helpIn, noticeIn, type HelpText, type Outcome } from '../core/outcome.js';
import { billingAllMessage, billingMessage } from './billing.js';
import { dashboardLanguage, dashboardMessages } from './dashboard.js';
import { numbersLocale, t, type Language } from '../core/i18n.js';
import { formatCount } from '../core/money.js';
import { answerLanguage, answerNote, describePeriod, formatValue, headline, localTitle, ordersDetail, periodInWords } from './format.js';
import { globalText } from './global.js';
import { growthLanguage, growthPeriod, growthSlackText, growthText } from './growth.js';
import { storyLanguage, storyText, storyTitle } from './story.js';
import { codeBlock, contextLine, escapeMrkdwn, fencedSections, fittingLength, mrkdwnSection, plain, SECTION_LIMIT, type Block, type SlackMessage } from './mrkdwn.js';
import { alignTable, answerTable, firstRowsThatFit, hasTotalRow } from './table.js';

export { escapeMrkdwn, type Block, type SlackMessage };

/** Block Kit for every outcome, pure: answers, pulses, announcements, billing posts and notices all come from here. */

export const ACTION = { chart: 'ofn_chart', csv: 'ofn_csv', share: 'ofn_share' } as const;

export interface MessageOptions {
  /** Shown as ephemeral: offer a "Share in channel" button. */
  ephemeral: boolean;
  /** The reader's language (the Slack user's locale); default: the instance's. */
  language?: Language;
  /** Whether a chart can be drawn for it (the Chart button). */
  chartable?: boolean;
  /** A digest (pulse, dashboard): read as is, no buttons. */
  digest?: boolean;
}

function button(label: string, actionId: string, question: string): Block {
  // The value is re-parsed and access re-checked when clicked: it is never trusted.
  return { type: 'button', text: plain(label), action_id: actionId, value: question.slice(0, 2000) };
}

function buttons(question: string | undefined, options: MessageOptions & { csv: boolean }): Block[] {
  if (!question || options.digest) return [];
  const list: Block[] = [];
  const lang = options.language ?? 'en';
  if (options.chartable) list.push(button(t(lang, 'button.chart'), ACTION.chart, question));
  if (options.csv) list.push(button(t(lang, 'button.csv'), ACTION.csv, question));
  if (options.ephemeral) list.push(button(t(lang, 'button.share'), ACTION.share, question));
  return list.length ? [{ type: 'actions', elements: list }] : [];
}

/** Builds the message for one answer and tells whether the full table had to be cut. */
export function answerMessage(answer: Answer, options: MessageOptions): SlackMessage & { truncated: boolean } {
  const lang = answerLanguage(answer, options.language);
  const title = headline(answer, lang);
  const period = describePeriod(answer.period, answer.instance.locale, lang);
  const note = answerNote(answer, lang);
  const blocks: Block[] = [{ type: 'header', text: plain(title) }, contextLine(escapeMrkdwn(`${period} · \`${answer.question}\``))];
  if (answer.dataAsOf) blocks.push(contextLine(`:hourglass: ${escapeMrkdwn(t(lang, 'answer.dataAsOfSlack', { when: answer.dataAsOf }))}`));
  if (note) blocks.push(contextLine(escapeMrkdwn(note)));
  let text: string;
  let truncated = false;
  if (answer.kind === 'scalar') {
    const figure = formatValue(answer, answer.value, lang);
    text = `${title}: ${figure} (${period})`;
    const detail = ordersDetail(answer, lang);
    blocks.push(mrkdwnSection(`*${escapeMrkdwn(figure)}*${detail ? `  ${escapeMrkdwn(detail)}` : ''}`));
  } else {
    const table = answerTable(answer, lang)!;
    text = `${title} (${period}): ${t(lang, 'answer.rows', { n: table.rows.length })}`;
    if (table.rows.length === 0) {
      blocks.push(mrkdwnSection(`_${escapeMrkdwn(t(lang, 'answer.noData'))}_`));
    } else {
      // As many rows as one section holds; a ranking's or a series' total row stays (it is every row's).
      const fitted = firstRowsThatFit(table, SECTION_LIMIT, (aligned) => codeBlock(aligned, Infinity).length, hasTotalRow(answer));
      truncated = fitted.shown < fitted.of;
      blocks.push(mrkdwnSection(codeBlock(alignTable(table.header, fitted.rows, table.align))));
      const count = (n: number) => formatCount(n, numbersLocale(answer.instance, lang));
      if (truncated) blocks.push(contextLine(escapeMrkdwn(t(lang, 'answer.firstRowsOf', { shown: count(fitted.shown), total: count(fitted.of) }))));
    }
  }
  const hasRows = answer.kind !== 'scalar' && answer.rows.length > 0;
  blocks.push(...buttons(answer.question, { ...options, language: lang, chartable: hasRows && answer.kind !== 'list', csv: hasRows }));
  return { text: escapeMrkdwn(text), blocks, truncated };
}

/** A long monospace body (several instances, growth) in sections under Slack's limits. */
export function textMessage(title: string, body: string, context: string, options: MessageOptions & { question?: string }): SlackMessage {
  const blocks: Block[] = [{ type: 'header', text: plain(title) }, contextLine(escapeMrkdwn(context))];
  // The title is the header: a body that opens with it (the text face's first line) does not say it again.
  blocks.push(...fencedSections(body.startsWith(`${title}\n`) ? body.slice(title.length).replace(/^\n+/, '') : body, 10));
  blocks.push(...buttons(options.question, { ...options, csv: true }));
  // The fallback text is rendered as mrkdwn in notifications: the body holds shop names from a replica.
  return { text: escapeMrkdwn(`${title}: ${body.slice(0, 200)}`), blocks };
}

/** Help in the language of the word typed (`ayuda`), else the reader's (`language`), else English. */
export function helpMessage(outcome: HelpText, language?: Language): SlackMessage {
  const help = helpIn(outcome, outcome.language ?? language);
  const body = help.lines.join('\n');
  const chunks: Block[] = [];
  for (let rest = body; rest.length > 0 && chunks.length < 10; ) {
    const fits = fittingLength(rest, SECTION_LIMIT - 10);
    chunks.push(mrkdwnSection(codeBlock(rest.slice(0, fits))));
    rest = rest.slice(fits);
  }
  return { text: escapeMrkdwn(`ofn-insights: ${help.title}`), blocks: [{ type: 'header', text: plain(`/ofn ${outcome.command ?? help.title}`) }, ...chunks] };
}

export function errorMessage(message: string, hint?: string): SlackMessage {
  const text = hint ? `${message}\n${hint}` : message;
  return { text: escapeMrkdwn(text), blocks: [mrkdwnSection(`:warning: ${escapeMrkdwn(text.slice(0, fittingLength(text, SECTION_LIMIT - 20)))}`)] };
}

/** A management reply: mrkdwn written by our code (channel mentions on purpose), no figures. */
export function noticeMessage(text: string): SlackMessage {
  return { text, blocks: [mrkdwnSection(text.slice(0, SECTION_LIMIT))] };
}

/** Whether an outcome has nothing to report (for `only-if-results` pulses). */
export function isEmptyOutcome(outcome: Outcome): boolean {
  const empty = (answer: Answer) =>
    answer.kind === 'scalar' ? Number(answer.value) === 0 : answer.kind === 'ranking' || answer.kind === 'list' ? answer.rows.length === 0 : answer.rows.every((r) => Number(r.value) === 0);
  if (outcome.kind === 'answer') return empty(outcome.answer);
  if (outcome.kind === 'global') return outcome.answer.results.every(empty);
  if (outcome.kind === 'growth') return outcome.instances.every((i) => i.rows.every((r) => r.newProfiles + r.newShops + r.activeShops === 0));
  if (outcome.kind === 'billing') return outcome.lines.length === 0;
  if (outcome.kind === 'billing-all') return outcome.reports.every((r) => r.lines.length === 0);
  return false;
}

/**
 * The one Outcome-to-message switch: an ephemeral answer, a shared one, a pulse digest, a billing
 * post. `truncated` tells the face to attach the full table as CSV.
 */
export function slackMessage(outcome: Outcome, options: MessageOptions): SlackMessage & { truncated: boolean } {
  switch (outcome.kind) {
    case 'answer':
      return answerMessage(outcome.answer, options);
    case 'global': {
      const answer = outcome.answer;
      const n = answer.results.length;
      const lang = options.language ?? 'en';
      const context = `${t(lang, 'global.context', { period: periodInWords(answer.periodLabel, 'en-GB', lang) })} · \`${answer.question}\``;
      return { ...textMessage(t(lang, 'global.slackTitle', { title: localTitle(answer, lang), n }), globalText(answer, lang), context, { ...options, question: answer.question }), truncated: false };
    }
    case 'growth': {
      const n = outcome.instances.length;
      const lang = growthLanguage(outcome, options.language);
      const period = growthPeriod(outcome, lang);
      const context = `${n > 1 ? t(lang, 'growth.eachZone', { period }) : period} · \`${outcome.question}\``;
      const title = n === 1 ? t(lang, 'growth.slackTitle', { name: outcome.instances[0]!.instance.name }) : t(lang, 'growth.slackSeveral', { n });
      // Several instances: the months of each are in the CSV that goes with the message.
      return { ...textMessage(title, growthSlackText(outcome, lang), context, { ...options, language: lang, question: outcome.question }), truncated: n > 1 };
    }
    case 'story':
      return { ...textMessage(storyTitle(outcome, options.language), storyText(outcome, options.language), `${outcome.periodLabel} · \`${outcome.question}\``, { ...options, language: storyLanguage(outcome, options.language), question: outcome.question }), truncated: false };
    case 'billing':
      return { ...billingMessage(outcome, options.language), truncated: false };
    case 'billing-all':
      return { ...billingAllMessage(outcome, options.language), truncated: false };
    case 'help':
      return { ...helpMessage(outcome, options.language), truncated: false };
    case 'notice':
      return { ...noticeMessage(noticeIn(outcome, options.language)), truncated: false };
    case 'dashboard': {
      // Without its charts (the faces that upload them call dashboardMessages) and, if Slack's limits cut it in several, the first.
      const [first] = dashboardMessages(outcome, { messageOf: (o) => slackMessage(o, { ...options, digest: true }), ...(options.language ? { language: options.language } : {}) });
      return { ...first!, truncated: false };
    }
  }
}

/**
 * The language `slackMessage` writes an outcome in for `reader` (none: a digest posted to a channel),
 * as each kind chooses it: an answer or a bill its instance's, several instances English unless they share one…
 */
export function outcomeLanguage(outcome: Outcome, reader?: Language): Language {
  switch (outcome.kind) {
    case 'answer':
      return answerLanguage(outcome.answer, reader);
    case 'billing':
      return answerLanguage(outcome, reader);
    case 'growth':
      return growthLanguage(outcome, reader);
    case 'story':
      return storyLanguage(outcome, reader);
    case 'dashboard':
      return dashboardLanguage(outcome, reader);
    case 'help':
      return helpIn(outcome, outcome.language ?? reader).language;
    case 'global':
    case 'billing-all':
    case 'notice':
      return reader ?? 'en';
  }
}

export interface PulseSlot {
  pulseId: number;
  slotLocal: string;
  timezone: string;
  late: boolean;
}

/**
 * "Pulse #3 · Mon 16 Nov 2026 09:00 (Europe/Madrid)", "Late delivery of pulse #3, due …": in `lang`, the
 * slot written in that language (English keeps the form it always had); `midLine` when it follows other words.
 */
export function pulseLabel(pulse: PulseSlot, lang: Language, midLine = false): string {
  const at = DateTime.fromISO(pulse.slotLocal, { zone: pulse.timezone });
  const slot = lang === 'en' ? at.toFormat('ccc d LLL yyyy HH:mm') : at.setLocale(lang).toLocaleString({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const key = pulse.late ? (midLine ? 'pulse.footerLate' : 'pulse.late') : midLine ? 'pulse.footer' : 'pulse.label';
  return t(lang, key, { id: String(pulse.pulseId), slot, zone: pulse.timezone });
}

/** A pulse digest: the message as in Slack without buttons, plus which pulse and slot, and "late" if it is, in the message's language. */
export function pulseMessage(outcome: Outcome, pulse: PulseSlot): SlackMessage {
  const message = slackMessage(outcome, { ephemeral: false, digest: true });
  const label = pulseLabel(pulse, outcomeLanguage(outcome));
  return { text: `${pulse.late ? '[late] ' : ''}${message.text}`, blocks: [...message.blocks, contextLine(`${pulse.late ? ':hourglass: ' : ''}${escapeMrkdwn(label)}`)] };
}

/** The figures as a code block beside a chart (a file comment is mrkdwn too): Slack users asked for this since 2017 (metabase #4638). */
export function figuresComment(title: string, outcome: Outcome, language?: Language): string {
  let figures = '';
  if (outcome.kind === 'answer') {
    // In the chart's language: the reader's, else the instance's.
    const table = answerTable(outcome.answer, answerLanguage(outcome.answer, language));
    if (table) figures = alignTable(table.header, table.rows.slice(0, 60), table.align);
  } else if (outcome.kind === 'global') figures = globalText(outcome.answer, language);
  else if (outcome.kind === 'growth') figures = growthText(outcome, language);
  else if (outcome.kind === 'story') figures = storyText(outcome, language);
  return `${escapeMrkdwn(title)}${figures ? `\n${codeBlock(figures, 2800)}` : ''}`;
}
