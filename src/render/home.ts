import { DateTime } from 'luxon';
import type { Answer, InstanceRef, ScalarAnswer } from '../core/answer.js';
import { describePeriod, formatValue } from './format.js';
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
}

export interface HomeInput {
  instances: HomeInstance[];
  dashboards: { name: string; title: string; questions: number }[];
  cacheSeconds: number;
}

const LABEL: Record<HomeMetric, string> = { turnover: 'Turnover', orders: 'Orders', 'new-shops': 'New shops', 'active-shops': 'Active shops' };

/** "1–15 Oct" from a resolved range, in the instance's locale (the days compared). */
function days(answer: Answer): string {
  const { from, to } = answer.period;
  if (!from) return answer.period.label;
  const last = to.minus({ days: 1 });
  const month = last.setLocale(answer.instance.locale).toFormat('LLL');
  return from.day === last.day ? `${from.day} ${month}` : `${from.day}–${last.day} ${month}`;
}

function field(figure: HomeFigure): Block {
  const { thisMonth, sameDays, lastMonth } = figure;
  const monthName = (a: Answer) => a.period.from?.setLocale(a.instance.locale).toFormat('LLL') ?? '';
  // A period still in progress is today alone (the 1st): said so, and compared with nothing but last month.
  const current = thisMonth.period.asOf ? 'today so far' : escapeMrkdwn(days(thisMonth));
  const lines = [
    `*${LABEL[figure.metric]}*`,
    `*${escapeMrkdwn(formatValue(thisMonth, thisMonth.value))}* ${current}`,
    `${sameDays ? `${escapeMrkdwn(formatValue(sameDays, sameDays.value))} ${escapeMrkdwn(days(sameDays))} · ` : ''}${escapeMrkdwn(formatValue(lastMonth, lastMonth.value))} all ${monthName(lastMonth)}`,
  ];
  return { type: 'mrkdwn', text: lines.join('\n') };
}

function instanceBlocks(home: HomeInstance): Block[] {
  const name = `*${escapeMrkdwn(home.instance.name)}* (${escapeMrkdwn(home.instance.id)})`;
  if (home.error || home.figures.length === 0) return [mrkdwnSection(`${name}\n:warning: ${escapeMrkdwn(home.error ?? 'No figures.')}`)];
  const read = DateTime.fromISO(home.readAt, { zone: home.instance.timezone }).toFormat('d LLL HH:mm');
  const first = home.figures[0]!;
  const period = first.thisMonth.period;
  const compared = first.sameDays
    ? `${days(first.thisMonth)}: this month's complete days (today counts once it is over), against the same days of last month and all of it`
    : `${describePeriod(period, home.instance.locale)}: no day of this month is over yet; against all of last month`;
  return [
    mrkdwnSection(name),
    { type: 'section', fields: home.figures.map(field) },
    contextLine(escapeMrkdwn(`${compared} · ${home.instance.timezone} · read from the replica at ${read}`)),
  ];
}

/** The Home view for one user: their instances' month so far, their dashboards, and a Refresh button. At most 100 blocks. */
export function homeView(input: HomeInput): { type: 'home'; blocks: Block[] } {
  const top: Block[] = [
    { type: 'header', text: plain('ofn-insights') },
    {
      type: 'actions',
      elements: [{ type: 'button', text: plain('Refresh'), action_id: HOME_ACTION.refresh, value: 'refresh' }],
    },
    contextLine(escapeMrkdwn(`This month so far against the same days of last month, each instance in its own time zone. Figures are kept for ${Math.round(input.cacheSeconds / 60)} min; Refresh reads them again. Ask anything with /ofn help.`)),
  ];
  const tail: Block[] = [];
  if (input.dashboards.length) {
    tail.push({ type: 'divider' }, { type: 'header', text: plain('Dashboards') });
    for (const d of input.dashboards) {
      tail.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `*${escapeMrkdwn(d.title)}*\n\`${escapeMrkdwn(d.name)}\` · ${d.questions} question${d.questions === 1 ? '' : 's'}` },
        // The value is re-checked when clicked (the dashboard is looked up and each question authorized again).
        accessory: { type: 'button', text: plain('Post to me'), action_id: HOME_ACTION.dashboard, value: d.name },
      });
    }
  }
  const groups = input.instances.map((home) => [{ type: 'divider' }, ...instanceBlocks(home)] as Block[]);
  if (input.instances.length === 0) groups.push([mrkdwnSection('No instance to show you here yet: an operator can add a `user:` rule for you under `access:`, or instances under `home:`, in the ofn-insights config.')]);
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
  const note = (n: number, what: string) => contextLine(escapeMrkdwn(`${n} more ${what} not shown here (Slack shows at most 100 blocks): ask with /ofn.`));
  const blocks = [...top, ...body, ...(shown < groups.length ? [note(groups.length - shown, 'instances')] : []), ...keptTail, ...(lostDashboards > 0 ? [note(lostDashboards, 'dashboards')] : [])];
  return { type: 'home', blocks };
}
