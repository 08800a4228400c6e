import type { Answer, GlobalAnswer, GlobalTotal, InstanceRef } from './answer.js';
import type { BillingLine, BillingPlanTerms, BillingTotals } from './billing.js';
import type { GrowthReport, Presentation, StoryOutcome } from './story.js';
import type { ErrorText } from './errors.js';
import { say, type Language, type Words } from './i18n.js';

/**
 * What `ask` returns, whatever the face: every renderer (text, JSON, CSV, Slack, PNG) takes one of
 * these and nothing else.
 */
export type Outcome = AnswerOutcome | GlobalOutcome | HelpText | BillingReport | BillingAllReport | GrowthReport | StoryOutcome | Notice | DashboardOutcome;

export interface AnswerOutcome {
  kind: 'answer';
  answer: Answer;
  presentation: Presentation;
}

export interface GlobalOutcome {
  kind: 'global';
  answer: GlobalAnswer;
  presentation: Presentation;
}

export interface HelpText {
  kind: 'help';
  /** In English (JSON, logs, tests); `translations` holds the other languages. */
  title: string;
  lines: string[];
  /** `help` and its topic as typed, for the Slack header (`/ofn help turnover`). */
  command?: string;
  /** The language of the word that asked for help (`ayuda`, `aide`): preferred over the reader's. */
  language?: Language;
  /** The same help in every other language, so each face shows its reader's (helpIn). */
  translations?: Partial<Record<Language, { title: string; lines: string[] }>>;
}

/** The help in `lang` (the word typed first, then the reader's), English when it has no translation. */
export function helpIn(help: HelpText, lang: Language | undefined): { title: string; lines: string[]; language: Language } {
  const wanted = lang ?? 'en';
  const found = wanted === 'en' ? undefined : help.translations?.[wanted];
  return found ? { ...found, language: wanted } : { title: help.title, lines: help.lines, language: 'en' };
}

/** The reply to a management command (`save`, `pulse add` …): short mrkdwn built by our code, no figures. */
export interface Notice {
  kind: 'notice';
  /** What was done, e.g. `pulse-add`; for logs and metrics. */
  action: string;
  /** In English (JSON, CSV, logs): the words' English lines. */
  text: string;
  /** Its lines in the catalogs, shown in the reader's language (noticeIn). */
  words?: Words[];
}

/** A notice of these lines (catalog words), its `text` in English. */
export function notice(action: string, words: Words[]): Notice {
  return { kind: 'notice', action, text: words.map((w) => say('en', w)).join('\n'), words };
}

/** A notice's text in `lang` (English without words). */
export function noticeIn(outcome: Notice, lang: Language | undefined): string {
  return outcome.words && lang && lang !== 'en' ? outcome.words.map((w) => say(lang, w)).join('\n') : outcome.text;
}

export interface BillingChange {
  enterpriseId: number;
  name: string;
  field: string;
  sent: string;
  now: string;
}

export interface BillingReport {
  kind: 'billing';
  instance: InstanceRef;
  month: string;
  lines: BillingLine[];
  totals: BillingTotals;
  hash: string;
  /** The plan applied; null when shown as sent by a post that predates stored plans. */
  plan: BillingPlanTerms | null;
  /** Set when shown from what was posted (`as-sent`). */
  sentAt?: Date;
  /** The month is not over: a bill to date, never sent as an invoice. */
  provisional?: true;
  /** When a provisional bill was computed (ISO instant). */
  asOf?: string;
  /** Differences between what was posted and what the replica says now (late cancellations …). */
  changes?: BillingChange[];
}

/** `growth`, `funnel`, `retention`, `buyers`, `report`, `map` (issue 16): src/core/story.ts. */
export type { GrowthReport, Presentation, StoryOutcome } from './story.js';

/** `billing all [YYYY-MM]`: each instance's bill in its own currency and zone, and a total in the reporting currency where rates exist. */
export interface BillingAllReport {
  kind: 'billing-all';
  /** As asked: `YYYY-MM`, or absent for each instance's last month. */
  month?: string;
  reports: BillingReport[];
  /** What each instance bills (total with tax), summed in the reporting currency (null when it can't be). */
  total: GlobalTotal;
  /** Instances that could not answer (a dead replica), or that have no plan. */
  warnings: GlobalAnswer['warnings'];
}

/**
 * `dashboard <name>`: its questions' outcomes in order, each asked with the audience's grant. A
 * question the audience may not see, or that failed, is named with the reason, never dropped.
 */
export interface DashboardOutcome {
  kind: 'dashboard';
  name: string;
  title: string;
  parts: DashboardPart[];
  presentation: Presentation;
  /** When it was asked (ISO instant), for the closing context line. */
  askedAt: string;
}

export type DashboardPart =
  | { question: string; status: 'answered'; outcome: Outcome }
  | { question: string; status: 'refused' | 'failed'; message: string; text?: ErrorText };
