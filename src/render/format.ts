import { DateTime } from 'luxon';
import type { Answer, AnswerPeriod, GlobalAnswer } from '../core/answer.js';
import type { BillingReport } from '../core/outcome.js';
import { formatCount, formatMoney } from '../core/money.js';
import { CATALOGS, isMessageKey, languageOfLocale, numbersLocale, say, t, type Language, type MessageKey, type Words } from '../core/i18n.js';
import { dateLocale, describeRange, type ResolvedPeriod } from '../core/periods.js';
import { saidIn } from '../core/errors.js';
import { cached } from '../core/memo.js';

/** "⚠ OFN UK: OFN UK's replica did not answer in 30 s.": an instance that did not answer, in `lang` where the catalogs have its words. */
export function warningLine(warning: GlobalAnswer['warnings'][number], lang: Language): string {
  return `⚠ ${warning.name}: ${saidIn(warning, lang)}`;
}

/**
 * The lines that close a report, those there are: the exchange rates used (`rates`, already written) and
 * the note the question wrote (turnover not added up), in `lang` where it has catalog words, else as written.
 */
export function ratesAndNote(rates: string | undefined, outcome: { note?: string; noteWords?: Words }, lang: Language): string[] {
  const note = outcome.noteWords && lang !== 'en' ? say(lang, outcome.noteWords) : outcome.note;
  return [rates, note].filter((line): line is string => Boolean(line));
}

/**
 * A value as a person reads it: money in the instance's currency, counts grouped; "—" where undefined.
 * Written as the reader's language writes numbers (`numbersLocale`: the instance's locale when the
 * reader reads the instance's language).
 */
export function formatValue(answer: Answer, value: string | null, lang: Language): string {
  if (value === null) return '—';
  const locale = numbersLocale(answer.instance, lang);
  return answer.unit === 'money' ? formatMoney(value, answer.instance.currency, locale) : formatCount(value, locale);
}

/** The language an answer is read in: the asker's when given, else its instance's (config `language`, else from the locale). */
export function answerLanguage(answer: Pick<Answer, 'instance'>, lang?: Language): Language {
  return lang ?? answer.instance.language ?? languageOfLocale(answer.instance.locale);
}

/**
 * "last-month: 1 Oct 2026 – 31 Oct 2026 (Europe/Madrid)" or "as of 27 Nov 2026 23:40 (Europe/Madrid)";
 * "el mes pasado: 1 oct 2026 – 31 oct 2026 (Europe/Madrid)" in Spanish. English keeps the canonical
 * label (what can be typed again); other languages name the period in words.
 */
export function describePeriod(period: AnswerPeriod, locale: string, lang: Language = 'en'): string {
  if (!period.from) {
    return t(lang, 'period.asOf', { when: period.to.setLocale(dateLocale(locale, lang)).toLocaleString({ day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }), zone: period.timezone });
  }
  const range = describeRange(period as ResolvedPeriod, locale, lang);
  const label = lang === 'en' ? period.label : periodName(period.label, locale, lang);
  return label ? t(lang, 'period.labelled', { label, range, zone: period.timezone }) : t(lang, 'period.range', { range, zone: period.timezone });
}

/** A period as its reader reads it: as typed in English (`last-3-months`, what can be typed again), in words in other languages ("los últimos 3 meses"). */
export function periodInWords(label: string, locale: string, lang: Language): string {
  return lang === 'en' ? label : periodName(label, locale, lang) || label;
}

/**
 * The language of a face showing several instances at once (Home, dashboards, reports): the reader's;
 * else the one language they all answer in; else English.
 */
export function sharedLanguage(instances: readonly Answer['instance'][], reader?: Language): Language {
  if (reader) return reader;
  const languages = new Set(instances.map((instance) => answerLanguage({ instance })));
  return languages.size === 1 ? [...languages][0]! : 'en';
}

/** A canonical period label in words: `last-3-months` → "los últimos 3 meses", `2026-10` → "octubre de 2026"; '' for a range (its dates say it). */
export function periodName(label: string, locale: string, lang: Language): string {
  if (label.includes(' ')) return label.split(' ').map((part) => periodName(part, locale, lang)).join(' ');
  const named = `period.${label}`;
  if (isMessageKey(named)) return t(lang, named);
  let m = /^last-(\d+)-(day|week|month)s$/.exec(label);
  if (m) return t(lang, `period.last-n-${m[2] as 'day' | 'week' | 'month'}s`, { n: Number(m[1]) });
  m = /^(since|until)-(.+)$/.exec(label);
  if (m) return m[1] === 'since' ? t(lang, 'period.since', { start: periodName(m[2]!, locale, lang) }) : t(lang, 'period.until', { end: periodName(m[2]!, locale, lang) });
  m = /^(\d{4})-Q(\d)$/.exec(label);
  if (m) return t(lang, 'period.quarter', { quarter: Number(m[2]), year: m[1]! });
  if (/^\d{4}-\d{2}$/.test(label)) return DateTime.fromFormat(label, 'yyyy-LL', { zone: 'UTC' }).setLocale(dateLocale(locale, lang)).toLocaleString({ month: 'long', year: 'numeric' });
  if (/^\d{4}-\d{2}-\d{2}$/.test(label)) return DateTime.fromISO(label, { zone: 'UTC' }).setLocale(dateLocale(locale, lang)).toLocaleString({ day: 'numeric', month: 'short', year: 'numeric' });
  if (/^\d{4}$/.test(label)) return label;
  return '';
}

/** "Turnover · Katuma"; "Facturación · Katuma" in Spanish. */
export function headline(answer: Answer, lang: Language = 'en'): string {
  return `${localTitle(answer, lang)} · ${answer.instance.name}`;
}

/** The question's title in `lang`: built-in questions from the catalog, custom metrics as configured. */
export function localTitle(answer: Pick<Answer, 'title' | 'question'>, lang: Language): string {
  if (lang === 'en') return answer.title;
  // `list hubs …` and `count shops …` are titled by their segment.
  const [first, second] = answer.question.split(' ');
  const key = `metric.${first === 'list' || first === 'count' ? second : first}`;
  return isMessageKey(key) ? t(lang, key) : answer.title;
}

/** A measure column ("Turnover" of top-shops) in `lang`: the built-in metric it names, else as it is. */
export function localMeasure(answer: Pick<Answer, 'title' | 'question' | 'measure'>, lang: Language): string {
  if (lang === 'en') return answer.measure;
  if (answer.measure === answer.title) return localTitle(answer, lang);
  const key = Object.keys(CATALOGS.en).find((k) => k.startsWith('metric.') && CATALOGS.en[k as MessageKey] === answer.measure);
  return key ? t(lang, key as MessageKey) : answer.measure;
}

/** "from 412 sales orders", "de 412 pedidos": the orders behind a figure, in `lang`. */
export function ordersDetail(answer: Extract<Answer, { kind: 'scalar' }>, lang: Language): string | undefined {
  if (!answer.detail || lang === 'en' || answer.orders === undefined) return answer.detail;
  return t(lang, answer.detail.startsWith('over ') ? 'answer.overOrders' : 'answer.fromOrders', { n: answer.orders });
}

/** The answer's note in `lang` ("No data yet: … starts on …" is rebuilt; other notes are as the question wrote them). */
export function answerNote(answer: Answer, lang: Language): string | undefined {
  if (!answer.note || lang === 'en' || !answer.period.future || !answer.period.from) return answer.note;
  const date = answer.period.from.setLocale(dateLocale(answer.instance.locale, lang)).toLocaleString({ day: 'numeric', month: 'long', year: 'numeric' });
  return t(lang, 'answer.noDataYet', { period: periodName(answer.period.label, answer.instance.locale, lang) || answer.period.label, date });
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string, withDay: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withDay}`;
  return cached(dateFormats, key, () => new Intl.DateTimeFormat(locale, { ...(withDay ? { day: 'numeric' } : {}), month: 'short', year: 'numeric', timeZone: 'UTC' }));
}

/** A bucket's label: a day, the week's Monday, or the month. */
export function bucketLabel(date: string, grain: 'day' | 'week' | 'month', locale: string, lang: Language = 'en'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // The date is already local to the instance; format it as a calendar date (UTC avoids a shift).
  const asDate = new Date(Date.UTC(y, m - 1, d));
  if (grain === 'month') return dateFormat(dateLocale(locale, lang), false).format(asDate);
  const day = dateFormat(dateLocale(locale, lang), true).format(asDate);
  return grain === 'week' ? t(lang, 'table.week', { day }) : day;
}

/** OFN's category of an enterprise in `lang` (`Hub Shop` → "Tienda (hub)"); as OFN names it when the catalogs do not. */
export function categoryName(category: string, lang: Language): string {
  const key = `category.${category}`;
  return isMessageKey(key) ? t(lang, key) : category;
}

/** The status of a billing line as a person reads it, in `lang`: `below_minimum` → "below minimum", "bajo el mínimo". */
export function statusLabel(status: string, lang: Language = 'en'): string {
  const key = `billing.status.${status}`;
  return isMessageKey(key) ? t(lang, key) : status.replace(/_/g, ' ');
}

/** "October 2026" for a billing month (YYYY-MM), in the language of the bill. */
export function localMonthLabel(report: Pick<BillingReport, 'month' | 'instance'>, lang: Language = 'en'): string {
  return DateTime.fromFormat(report.month, 'yyyy-LL', { zone: report.instance.timezone }).setLocale(dateLocale(report.instance.locale, lang)).toFormat('LLLL yyyy');
}
