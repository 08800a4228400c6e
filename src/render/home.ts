import { DateTime } from 'luxon';
import type { Answer, InstanceRef, ScalarAnswer } from '../core/answer.js';
import { saidIn, type ErrorText } from '../core/errors.js';
import { t, type Language } from '../core/i18n.js';
import { dateLocale } from '../core/periods.js';
import { describePeriod, formatValue, sharedLanguage } from './format.js';
import { contextLine, escapeMrkdwn, mrkdwnSection, plain, type Block } from './mrkdwn.js';

/** The App Home tab (views.publish), pure: what the face computed or took from its cache, as Block Kit. */

export const HOME_ACTION = { refresh: 'ofn_home_refresh', dashboard: 'ofn_home_dashboard' } as const;
// Slack's limit for a Home tab view.
export const HOME_MAX_BLOCKS = 100;

export const HOME_METRICS = ['turnover', 'orders', 'new-shops', 'active-shops'] as const;
export type HomeMetric = (typeof HOME_METRICS)[number];

/**
 * One metric of one instance: this month's complete days (on the 1st, today so far), the same days of
 * last month (none on the 1st), and all of last month.
 */
export interface HomeFigure {
  metric: HomeMetric;
  thisMonth: ScalarAnswer;
  sameDays?: ScalarAnswer;
  lastMonth: ScalarAnswer;
}

export interface HomeInstance {
  instance: InstanceRef;
  /** When these figures were read from the replica (ISO instant); shown, since they may come from the cache. */
  readAt: string;
  figures: HomeFigure[];
  /** Set when the replica could not answer: said instead of figures. */
  error?: string;
  /** The error's words in the catalogs, so each reader of the cached figures reads it in their language. */
  errorText?: ErrorText;
}

export interface HomeInput {
  /** The reader's language (their Slack locale); default: the instances' own when they share one, else English. */
  language?: Language;
  instances: HomeInstance[];
  dashboards: { name: string; title: string; questions: number }[];
  cacheSeconds: number;
}

/** "1–15 Oct" from a resolved range, in the instance's locale (the days compared). */
function days(answer: Answer, lang: Language): string {
  const { from, to } = answer.period;
  if (!from) return answer.period.label;
  const last = to.minus({ days: 1 });
  const month = last.setLocale(dateLocale(answer.instance.locale, lang)).toFormat('LLL');
  return from.day === last.day ? `${from.day} ${month}` : `${from.day}–${last.day} ${month}`;
}

function field(figure: HomeFigure, lang: Language): Block {
  const { thisMonth, sameDays, lastMonth } = figure;
  const monthName = (a: Answer) => a.period.from?.setLocale(dateLocale(a.instance.locale, lang)).toFormat('LLL') ?? '';
  // A period still in progress is today alone (the 1st): said so, and compared with nothing but last month.
  const current = thisMonth.period.asOf ? t(lang, 'home.todaySoFar') : escapeMrkdwn(days(thisMonth, lang));
  const lines = [
    `*${t(lang, `metric.${figure.metric}`)}*`,
    `*${escapeMrkdwn(formatValue(thisMonth, thisMonth.value, lang))}* ${current}`,
    `${sameDays ? `${escapeMrkdwn(formatValue(sameDays, sameDays.value, lang))} ${escapeMrkdwn(days(sameDays, lang))} · ` : ''}${escapeMrkdwn(formatValue(lastMonth, lastMonth.value, lang))} ${escapeMrkdwn(t(lang, 'home.allOf', { month: monthName(lastMonth) }))}`,
  ];
  return { type: 'mrkdwn', text: lines.join('\n') };
}

function instanceBlocks(home: HomeInstance, lang: Language): Block[] {
  const name = `*${escapeMrkdwn(home.instance.name)}* (${escapeMrkdwn(home.instance.id)})`;
  const said = home.error === undefined ? undefined : saidIn({ message: home.error, ...(home.errorText ? { text: home.errorText } : {}) }, lang);
  if (home.error || home.figures.length === 0) return [mrkdwnSection(`${name}\n:warning: ${escapeMrkdwn(said ?? t(lang, 'home.noFigures'))}`)];
  const read = DateTime.fromISO(home.readAt, { zone: home.instance.timezone }).setLocale(dateLocale(home.instance.locale, lang)).toFormat('d LLL HH:mm');
  const first = home.figures[0]!;
  const period = first.thisMonth.period;
  const compared = first.sameDays ? t(lang, 'home.compared', { days: days(first.thisMonth, lang) }) : t(lang, 'home.comparedFirst', { period: describePeriod(period, home.instance.locale, lang) });
  return [
    mrkdwnSection(name),
    { type: 'section', fields: home.figures.map((f) => field(f, lang)) },
    contextLine(escapeMrkdwn(t(lang, 'home.readAt', { compared, zone: home.instance.timezone, read }))),
  ];
}

/** The Home view for one user: their instances' month so far, their dashboards, and a Refresh button. At most 100 blocks. */
export function homeView(input: HomeInput): { type: 'home'; blocks: Block[] } {
  // The user's language, else their instances' when all share one, else English.
  const lang = sharedLanguage(input.instances.map((h) => h.instance), input.language);
  const top: Block[] = [
    { type: 'header', text: plain('ofn-insights') },
    {
      type: 'actions',
      elements: [{ type: 'button', text: plain(t(lang, 'home.refresh')), action_id: HOME_ACTION.refresh, value: 'refresh' }],
    },
    contextLine(escapeMrkdwn(t(lang, 'home.intro', { minutes: Math.round(input.cacheSeconds / 60) }))),
  ];
  const tail: Block[] = [];
  if (input.dashboards.length) {
    tail.push({ type: 'divider' }, { type: 'header', text: plain(t(lang, 'home.dashboards')) });
    for (const d of input.dashboards) {
      tail.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `*${escapeMrkdwn(d.title)}*\n\`${escapeMrkdwn(d.name)}\` · ${t(lang, 'home.questions', { n: d.questions })}` },
        // The value is re-checked when clicked (the dashboard is looked up and each question authorized again).
        accessory: { type: 'button', text: plain(t(lang, 'home.postToMe')), action_id: HOME_ACTION.dashboard, value: d.name },
      });
    }
  }
  const groups = input.instances.map((home) => [{ type: 'divider' }, ...instanceBlocks(home, lang)] as Block[]);
  if (input.instances.length === 0) groups.push([mrkdwnSection(t(lang, 'home.noInstance'))]);
  // Slack refuses a Home view of more than 100 blocks: whole instances and dashboards while they fit, and a line saying what was left out.
  const keptTail = tail.length + top.length > HOME_MAX_BLOCKS - 10 ? tail.slice(0, HOME_MAX_BLOCKS - 10 - top.length) : tail;
  const lostDashboards = input.dashboards.length - keptTail.filter((b) => b.accessory).length;
  const budget = HOME_MAX_BLOCKS - top.length - keptTail.length - 2;
  const body: Block[] = [];
  let shown = 0;
  for (const group of groups) {
    if (body.length + group.length > budget) break;
    body.push(...group);
    shown++;
  }
  const note = (key: 'home.moreInstances' | 'home.moreDashboards', n: number) => contextLine(escapeMrkdwn(t(lang, key, { n })));
  const blocks = [...top, ...body, ...(shown < groups.length ? [note('home.moreInstances', groups.length - shown)] : []), ...keptTail, ...(lostDashboards > 0 ? [note('home.moreDashboards', lostDashboards)] : [])];
  return { type: 'home', blocks };
}
