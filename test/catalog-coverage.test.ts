import { describe, expect, it } from 'vitest';
import type { Answer, GlobalAnswer, ScalarAnswer } from '../src/core/answer.js';
import { CATALOGS, t, type MessageKey } from '../src/core/i18n.js';
import { DEFAULT_REGISTRY } from '../src/queries/registry.js';
import type { BillingReport, Outcome } from '../src/core/outcome.js';
import { helpIn, notice } from '../src/core/outcome.js';
import type { GrowthReport, StoryOutcome } from '../src/core/story.js';
import { QUESTION_WORDS } from '../src/core/vocabulary.js';
import { parsePeriod, PERIOD_FORMS } from '../src/core/periods.js';
import { parseQuestion, routeTable } from '../src/commands/index.js';
import { announcementMessage } from '../src/render/announcement.js';
import { chartSpecFor, globalChartSpec } from '../src/render/answer-chart.js';
import { growthChartSpec, storyChartSpec } from '../src/render/story-chart.js';
import { billingText } from '../src/render/billing.js';
import { homeView } from '../src/render/home.js';
import { renderText } from '../src/render/text.js';
import { pulseLabel, pulseMessage, slackMessage } from '../src/render/slack-message.js';
import { answers, instance, period } from './support/i18n-answers.js';
import { errorWords, OfnError } from '../src/core/errors.js';
import { ask } from '../src/commands/pipeline.js';
import { operatorGrant, type Grant } from '../src/core/access.js';
import { billingMonth } from '../src/commands/billing.js';
import { monthPeriod } from '../src/commands/growth.js';
import type { Deps } from '../src/commands/types.js';
import { testConfig } from './support/deps.js';

/**
 * Pseudo-localization: every German message is wrapped in ⟦ ⟧ before anything is rendered (this file
 * runs in its own module graph, so nothing was compiled before). Whatever a reader would see outside the
 * brackets, apart from the data (names, figures, dates the locale writes, the question as typed, the
 * grammar of `help`), was built outside the catalogs: the test names it.
 *
 * Covers what is translated: answers of every kind, several instances, billing, growth, announcements,
 * charts, help, the App Home tab and the story questions (funnel, buyers, retention, report, map), in
 * text and Slack, dashboards, `billing all`, and every chart and page (the yearly report's included).
 */
const de = CATALOGS.de as Record<MessageKey, string>;
for (const key of Object.keys(de) as MessageKey[]) de[key] = `⟦${de[key]}⟧`;

const MONTHS = [...Array(12).keys()].flatMap((m) => {
  const date = new Date(Date.UTC(2026, m, 15));
  return ['long', 'short'].map((month) => new Intl.DateTimeFormat('de-DE', { month: month as 'long' | 'short', timeZone: 'UTC' }).format(date));
});
/** What comes from data, not from us: names, zones, currencies, and the words Intl writes for dates. */
const DATA = ['ofn-insights', 'Katuma', 'OFN UK', 'Mercat Verd', 'Horta Nord', 'Forn Nou', 'Girona', 'Europe/Madrid', 'Europe/London', 'EUR', 'GBP', 'ES', ...MONTHS.sort((a, b) => b.length - a.length)];

/** The letters left outside the brackets once the data is taken away. */
function outside(text: string, data: readonly string[] = DATA): string {
  let s = text;
  for (let before = ''; before !== s; ) {
    before = s;
    s = s.replace(/⟦[^⟦⟧]*⟧/g, ' ');
  }
  // A fallback text cut at its length limit ends inside a message.
  s = s.replace(/⟦[^⟧]*$/, ' ');
  for (const d of data) s = s.split(d).join(' ');
  s = s.replace(/`[^`]*`/g, ' ').replace(/:[a-z_]+:/g, ' ').replace(/<[^>]*>/g, ' ');
  return s.replace(/[^\p{L}]+/gu, ' ').trim();
}

/** Every string a person reads in a Slack message: texts of blocks, elements and the fallback. */
function readable(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) readable(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) if (!['type', 'action_id', 'value', 'block_id', 'url', 'image_url', 'style', 'align'].includes(key)) readable(v, out);
  }
  return out.map((text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

function expectAllFromCatalogs(what: string, texts: readonly string[], data?: readonly string[]) {
  for (const text of texts) expect(outside(text, data), `${what}: ${text}`).toBe('');
}

/** A category as OFN names it (the golden fixture's `hub` is not one). */
function ofnCategories(answer: Answer): Answer {
  return answer.kind === 'list' ? { ...answer, rows: answer.rows.map((r) => ({ ...r, category: 'Hub Shop' })) } : answer;
}

const slackTexts = (outcome: Outcome) => {
  const message = slackMessage(outcome, { ephemeral: true, chartable: true, csv: true, language: 'de' } as never);
  return [message.text, ...readable(message.blocks)];
};

describe('every string a German reader sees comes from the catalogs', () => {
  it('sees the brackets: the pseudo-localization is in force', () => {
    expect(renderText({ kind: 'answer', answer: answers('de').turnover!, presentation: { chart: false, public: false } }, 'de')).toContain('⟦');
  });

  it.each(Object.keys(answers('de')))('answer %s, as text, in Slack and as a chart', (name) => {
    const answer = ofnCategories(answers('de')[name]!);
    const outcome: Outcome = { kind: 'answer', answer, presentation: { chart: false, public: false } };
    expectAllFromCatalogs(`${name} text`, renderText(outcome, 'de').split('\n'));
    expectAllFromCatalogs(`${name} slack`, slackTexts(outcome));
    const chart = chartSpecFor(answer, { language: 'de', topShops: 1 });
    if (chart) expectAllFromCatalogs(`${name} chart`, [chart.title, chart.subtitle ?? '', ...chart.labels, ...chart.datasets.map((d) => d.label)]);
  });

  it('several instances', () => {
    const katuma = answers('de').turnover!;
    const uk = { ...katuma, instance: { ...katuma.instance, id: 'uk', name: 'OFN UK', currency: 'GBP' } } as Answer;
    const answer: GlobalAnswer = { kind: 'global', question: 'turnover all last-month', title: 'Turnover', unit: 'money', periodLabel: 'last-month', results: [katuma, uk], warnings: [], total: { value: null, currency: null, partial: true, rates: [] } };
    const outcome: Outcome = { kind: 'global', answer, presentation: { chart: false, public: false } };
    expectAllFromCatalogs('global text', renderText(outcome, 'de').split('\n'));
    expectAllFromCatalogs('global slack', slackTexts(outcome));
    // Its chart: two series in two currencies, with and without rates to a reporting currency.
    const series = answers('de').byMonth!;
    const compare: GlobalAnswer = { ...answer, question: 'compare orders katuma,uk', title: 'Orders', unit: 'money', periodLabel: 'this-quarter', results: [series, { ...series, instance: { ...series.instance, id: 'uk', name: 'OFN UK', currency: 'GBP' } } as Answer] };
    const rates = (flat: Record<string, string>) => ({ flat, monthly: { '2026-10': { GBP: '1.16' } } });
    for (const config of [{ exchangeRates: rates({}) }, { reportingCurrency: 'EUR', exchangeRates: { flat: {}, monthly: {} } }, { reportingCurrency: 'EUR', exchangeRates: rates({ GBP: '1.15' }) }]) {
      const chart = globalChartSpec(compare, config as never, 'de')!;
      expectAllFromCatalogs('global chart', [chart.title, chart.subtitle ?? '', ...chart.labels, chart.partialLabel ?? '', ...(chart.panels ?? []).map((p) => p.title)]);
      // The last one converts, and names its rates (monthly and flat).
      if ((config.exchangeRates.flat as Record<string, string>).GBP) expect(chart.subtitle).toMatch(/1 GBP = .*1\.16 EUR.*1\.15 EUR/);
    }
  });

  it('a bill, provisional and with its plan', () => {
    const report: BillingReport = {
      kind: 'billing',
      instance: instance('de'),
      month: '2026-11',
      provisional: true,
      asOf: '2026-11-15T13:00:00.000+01:00',
      hash: 'abcdef0123456789',
      plan: { name: null, kind: 'tiers', tiers: [{ upTo: '100', charge: '5' }, { upTo: null, charge: '10' }], minimumTurnover: '10', taxRate: '0', trialDays: 1, groupBy: 'external_billing_id' } as never,
      lines: [{ enterpriseId: 7, billingId: null, members: [7], name: 'Mercat Verd', category: 'Hub Shop', createdAt: '2024-03-01 10:00:00', turnover: '1234.50', orders: 41, charge: '10.00', tax: '0.00', total: '10.00', status: 'below_minimum' }],
      totals: { turnover: '1234.50', charge: '10.00', tax: '0.00', total: '10.00', billed: 0, trial: 0, belowMinimum: 1 },
    };
    expectAllFromCatalogs('billing text', billingText(report, 'de').split('\n'));
    expectAllFromCatalogs('billing slack', slackTexts(report));
    // Without lines, and as sent, with a change since.
    const all: Outcome = { kind: 'billing-all', reports: [report, { ...report, plan: null, provisional: undefined as never, sentAt: new Date('2026-12-01T08:00:00Z') }], total: { value: '20', currency: 'EUR', partial: true, rates: [] }, warnings: [] };
    expectAllFromCatalogs('billing all text', renderText(all, 'de').split('\n'), [...DATA, 'abcdef0123456789']);
    expectAllFromCatalogs('billing all slack', slackTexts(all), [...DATA, '<instance>', '<YYYY-MM>']);
    const { provisional: _provisional, asOf: _asOf, ...closed } = report;
    const sent: BillingReport = { ...closed, lines: [], sentAt: new Date('2026-12-01T08:00:00Z'), changes: [] };
    expectAllFromCatalogs('billing empty', billingText(sent, 'de').split('\n'), [...DATA, '2026-12-01T08:00:00.000Z']);
  });

  it('a growth report, one month still running', () => {
    const change = Object.fromEntries(['newProfiles', 'newShops', 'activeShops', 'orders', 'turnover'].map((f) => [f, { previous: 1.5, yearBefore: null }]));
    const section = {
      instance: instance('de'),
      currency: 'EUR',
      period: period('this-month'),
      rows: [{ date: '2026-11-01', newProfiles: 1, newShops: 1, activeShops: 1, orders: 1, turnover: '1', partial: true as const, change }],
      total: { newProfiles: 1, newShops: 1, activeShops: 1, orders: 1, turnover: '1', change },
    } as GrowthReport['instances'][number];
    const report: GrowthReport = { kind: 'growth', question: 'growth katuma this-month', periodLabel: 'this-month', instances: [section], rates: [], warnings: [], presentation: { chart: false, public: false } };
    expectAllFromCatalogs('growth text', renderText(report, 'de').split('\n'));
    expectAllFromCatalogs('growth slack', slackTexts(report));
  });

  it('announcements of one and of many', () => {
    const shop = { id: 42, name: 'Forn Nou', category: 'Hub Shop', town: 'Girona', country: 'ES', createdLocal: '16 Nov. 2026 09:00' };
    const at = { name: 'Katuma', timezone: 'Europe/Madrid', locale: 'de-DE', language: 'de' as const };
    for (const message of [announcementMessage(at, 'new-shop', [shop]), announcementMessage(at, 'new-profile', Array.from({ length: 41 }, () => shop), '15 Nov. 08:00')]) {
      expectAllFromCatalogs('announcement', [message.text, ...readable(message.blocks)]);
    }
  });

  it('the story questions: funnel, buyers, retention, the yearly report to date and a map; one instance and all', () => {
    const one = instance('de');
    const p = period('2026');
    const common = { kind: 'story' as const, periodLabel: '2026', rates: [], warnings: [], presentation: { chart: false, public: false } };
    const map = { layer: 'shops' as const, instances: [{ instance: one, points: [{ latitude: 41.98, longitude: 2.82 }], withoutCoordinates: 2 }] };
    const stories: StoryOutcome[] = [
      { ...common, question: 'funnel katuma 2026', global: false, story: 'funnel', sections: [{ instance: one, period: p, steps: (['created', 'shop', 'first_sale', 'three_months'] as const).map((step, i) => ({ step, count: 10 - i, ofPrevious: 90, ofFirst: 80 })), medianDaysToFirstSale: null }] },
      { ...common, question: 'funnel all 2026', global: true, story: 'funnel', sections: [{ instance: one, period: p, steps: [], medianDaysToFirstSale: 3 }, { instance: null, period: null, steps: [], medianDaysToFirstSale: 3 }] },
      { ...common, question: 'buyers katuma 2026', global: false, story: 'buyers', sections: [{ instance: one, period: p, buyers: 10, repeatBuyers: 3, repeatRate: 30, ordersWithoutBuyer: 2 }] },
      { ...common, question: 'retention katuma 2026', global: false, story: 'retention', sections: [{ instance: one, period: p, cohorts: [{ month: '2026-10', size: 2, active: [100, null] }] }] },
      { ...common, question: 'retention katuma 2026', global: false, story: 'retention', sections: [{ instance: one, period: p, cohorts: [] }] },
      {
        ...common,
        question: 'report katuma 2026',
        global: false,
        story: 'report',
        year: 2026,
        toDate: true,
        map,
        sections: [{ instance: one, currency: 'EUR', period: p, headline: (['shops', 'producers', 'hubs', 'active_shops', 'orders', 'turnover', 'buyers'] as const).map((key) => ({ key, label: key, value: '1', previous: null, change: null })), months: [{ date: '2026-11-01', turnover: '1', partial: true }, { date: '2026-10-01', turnover: null }] }],
      },
      { ...common, question: 'map shops katuma', global: false, story: 'map', map },
    ];
    for (const story of stories) {
      expectAllFromCatalogs(`${story.question} text`, renderText(story, 'de').split('\n'));
      expectAllFromCatalogs(`${story.question} slack`, slackTexts(story));
      // Its chart, the yearly report's page included.
      const chart = storyChartSpec(story, 'de');
      if (!chart) continue;
      type Page = { rows?: { label: string; note: string }[]; corner?: string; empty?: string; footer?: string[]; noun?: string; insetLabel?: string; heading?: string; subheading?: string; chartTitle?: string; mapTitle?: string; tiles?: { label: string; value: string; change: string }[]; map?: Page; table?: { title?: string; header: string[] } };
      const figure = chart.figure as Page | undefined;
      const pageTexts = (f: Page | undefined): string[] =>
        f ? [...(f.rows ?? []).flatMap((r) => [r.label, r.note]), f.corner ?? '', f.empty ?? '', (f.footer ?? []).join(' '), f.noun ?? '', f.insetLabel ?? '', f.subheading ?? '', f.chartTitle ?? '', f.mapTitle ?? '', ...(f.tiles ?? []).flatMap((x) => [x.label, x.value, x.change]), f.table?.title ?? '', ...(f.table?.header ?? []), ...pageTexts(f.map)] : [];
      const inset = chart.inset;
      const texts = [chart.title, chart.subtitle ?? '', ...chart.labels, ...chart.datasets.map((d) => d.label), ...pageTexts(figure), ...(inset ? [...inset.labels, ...inset.datasets.map((d) => d.label), inset.partialLabel ?? ''] : [])];
      expectAllFromCatalogs(`${story.question} chart`, texts, [...DATA, 'Natural Earth']);
    }
  });

  it('a dashboard: answers of each kind, one refused and one failed, in text and Slack', () => {
    const parts = Object.entries(answers('de')).map(([name, answer]) => ({ question: name, status: 'answered' as const, outcome: { kind: 'answer' as const, answer: ofnCategories(answer), presentation: { chart: false, public: false } } }));
    const dashboard: Outcome = {
      kind: 'dashboard',
      name: 'weekly',
      title: 'Weekly',
      askedAt: '2026-11-15T12:00:00Z',
      presentation: { chart: false, public: false },
      // The refusal's and failure's own words are the errors' (errorWords), passed through as written.
      parts: [...parts, { question: 'turnover uk', status: 'refused', message: '⟦refused⟧' }, { question: 'orders katuma', status: 'failed', message: '⟦failed⟧' }],
    };
    const data = [...DATA, 'turnover uk', 'orders katuma', 'weekly', 'Weekly', ...Object.keys(answers('de'))];
    expectAllFromCatalogs('dashboard text', renderText(dashboard, 'de').split('\n'), data);
    expectAllFromCatalogs('dashboard slack', slackTexts(dashboard), data);
  });

  it('the App Home tab: figures, an instance that failed, dashboards, nothing to show, and what did not fit', () => {
    const figure = answers('de').turnover! as ScalarAnswer;
    const first = { ...figure, period: { ...period('today'), asOf: period('today').asOf! } } as ScalarAnswer;
    const home = (n: number) => ({ instance: { ...instance('de'), id: `k${n}` }, readAt: '2026-11-15T12:00:00Z', figures: (['turnover', 'orders', 'new-shops', 'active-shops'] as const).map((metric) => ({ metric, thisMonth: n % 2 ? first : figure, ...(n % 2 ? {} : { sameDays: figure }), lastMonth: figure })) });
    const views = [
      homeView({ language: 'de', instances: [home(0), home(1), { instance: instance('de'), readAt: '2026-11-15T12:00:00Z', figures: [] }], dashboards: [{ name: 'weekly', title: 'Weekly', questions: 3 }], cacheSeconds: 300 }),
      homeView({ language: 'de', instances: [], dashboards: [], cacheSeconds: 300 }),
      homeView({ language: 'de', instances: Array.from({ length: 40 }, (_, i) => home(i)), dashboards: Array.from({ length: 95 }, (_, i) => ({ name: `d${i}`, title: 'Weekly', questions: 1 })), cacheSeconds: 300 }),
    ];
    for (const view of views) expectAllFromCatalogs('home', readable(view.blocks), [...DATA, 'katuma', 'weekly', 'Weekly', ...Array.from({ length: 95 }, (_, i) => `d${i}`), ...Array.from({ length: 40 }, (_, i) => `k${i}`)].sort((a, b) => b.length - a.length));
  });

  it('help, all of it and one question, apart from the grammar it teaches', () => {
    const table = routeTable();
    const grammar = [
      ...table.commands.flatMap((r) => [r.usage, r.usage.split(/ [<[]/)[0]!, ...r.examples, ...r.aliases]),
      ...QUESTION_WORDS.map((q) => q.phrase),
      ...PERIOD_FORMS,
      ...table.commands.map((r) => r.name),
      'katuma',
    ].sort((a, b) => b.length - a.length);
    for (const question of ['help', 'help turnover', 'help pulse add', 'help billing']) {
      const parsed = parseQuestion(question, { instanceIds: ['katuma'] });
      if (parsed.kind !== 'help') throw new Error(question);
      expectAllFromCatalogs(question, helpIn(parsed, 'de').lines, [...grammar, ...DATA]);
      // Help is one code block cut in sections at Slack's limit: read it whole.
      const [fallback, header, ...sections] = slackTexts(parsed);
      expectAllFromCatalogs(`${question} slack`, [fallback!, header!, sections.map((c) => c.replace(/```/g, '')).join('')], [...grammar, ...DATA, '/ofn', 'help']);
    }
  });
});

/**
 * Issue 18, the rest of it: the errors people meet (each through `ask`, as a face asks), management
 * replies, the pulse label, and the notes and warnings questions write. `key` pins which error each
 * question reaches, so a changed parser that stops reaching one is noticed rather than silently skipped.
 */
describe('errors, management replies, pulse labels and warnings a German reader sees come from the catalogs', () => {
  const config = testConfig([
    { id: 'katuma', name: 'Katuma', url: 'postgres://nowhere.invalid/katuma', timezone: 'Europe/Madrid' },
    { id: 'uk', name: 'OFN UK', url: 'postgres://nowhere.invalid/uk', timezone: 'Europe/London', currency: 'GBP' },
  ]);
  // No question here gets as far as a replica: reaching one is a test failure, not an answer.
  const deps: Deps = { config, replica: () => { throw new Error('no replica in this test'); }, now: () => new Date('2026-11-16T08:30:00Z') };
  const operator = operatorGrant(config);
  const member = (instances: string[], label = 'This channel (C0MEMBER1)'): Grant => ({ instances: new Set(instances), billing: false, admin: false, via: 'test', label });

  const refusals: [question: string, key: string, grant?: Grant][] = [
    ['pulse add turnover katuma weekly funday 09:00', 'error.schedule.day'],
    ['pulse add turnover katuma daily 25:00', 'error.schedule.time'],
    ['pulse add turnover katuma monthly 31 09:00', 'error.schedule.monthDay'],
    ['pulse add turnover katuma "0 9 * *"', 'error.schedule.notOne'],
    ['pulse add turnover katuma "0 9 * * 9"', 'error.schedule.cron'],
    ['pulse add turnover katuma "0 9 31 2 *"', 'error.schedule.never'],
    ['pulse add turnover katuma', 'error.pulse.needsBoth'],
    ['pulse pause x', 'error.manage.whichId'],
    ['pulse frobnicate', 'error.pulse.notCommand'],
    ['watch sideways', 'error.watch.which'],
    ['saved now', 'error.manage.nothingAfter'],
    ['save Bad!', 'error.save.usage'],
    ['pulse list', 'error.stateDown'],
    ['pulse pause 3', 'error.needsAdmin', member(['katuma'])],
    ['billing katuma 2026-Q3', 'error.billing.oneMonth'],
    ['billing katuma katumaa', 'error.billing.wordGuess'],
    ['billing all katuma', 'error.billing.allAndOne'],
    ['billing', 'error.whichInstance'],
    ['billing katuma 2026-10', 'error.billing.noPlan'],
    ['billing all 2026-10', 'error.billing.noneWithPlan'],
    ['billing katuma 2026-10', 'error.access.billing', member(['katuma'])],
    ['turnover katuma last-month', 'error.access.hidden', member(['uk'])],
    ['turnover all last-month', 'error.access.none', member([], 'This conversation')],
    ['turnover katuma since', 'error.boundNeedsDate'],
    ['map katuma', 'error.mapWhat'],
    ['map shops katuma last-month', 'error.mapNoPeriod'],
    ['report katuma 2026-10', 'error.reportYear'],
    ['funnel katuma', 'error.storyNeedsPeriod'],
    ['compare', 'error.compareWhich'],
    ['compare turnovr', 'error.compareWhichGuess'],
    ['define', 'error.defineWhat'],
    ['define turnovr', 'error.nothingCalledGuess'],
    ['count', 'error.needsSegment'],
    ['count hubz katuma', 'error.needsSegmentGuess'],
    ['turnover katuma by colour', 'error.breakdowns'],
    ['turnover katuma by month by week', 'error.oneBreakdown'],
    ['turnover katuma,uk katuma', 'error.instancesOnce'],
    ['turnover katuma,nowhere', 'error.unknownInList'],
    ['turnover katuma uk', 'error.oneInstance'],
    ['turnover last-month', 'error.whichInstanceOrAll'],
    ['top-shops katuma 500', 'error.rowsRange'],
    ['dashboard a b', 'error.dashboard.oneName'],
    ['dashboard add "x"', 'error.dashboard.nameFirst'],
    ['dashboard add weekly turnover katuma', 'error.dashboard.quotes'],
    ['dashboard remove', 'error.dashboard.removeWhich'],
    ['dashboard nowhere', 'error.noDashboard'],
  ];

  async function refusal(question: string, grant: Grant = operator): Promise<OfnError> {
    try {
      await ask(deps, question, undefined, { grant });
    } catch (error) {
      if (error instanceof OfnError) return error;
      throw error;
    }
    throw new Error(`${question}: answered`);
  }

  it.each(refusals)('%s: %s', async (question, key, grant) => {
    const error = await refusal(question, grant);
    expect(error.text?.key).toBe(key);
    const { message, hint } = errorWords(error, 'de');
    expectAllFromCatalogs(question, [message, hint ?? ''], [...DATA, 'OFN UK', 'C0MEMBER1']);
    // The English stays what logs, JSON and the API read.
    expect(errorWords(error, 'en').message).toBe(error.message);
    expect(error.message).not.toContain('⟦');
  });

  it('the errors reached only at run time: a month not begun, a period not in whole months, a question a dashboard could not add', () => {
    const errors: OfnError[] = [];
    const catching = (work: () => unknown) => {
      try {
        work();
      } catch (error) {
        errors.push(error as OfnError);
      }
    };
    catching(() => billingMonth({ instance: 'katuma', month: '2027-05', asSent: false } as never, 'Europe/Madrid', new Date('2026-11-16T08:30:00Z')));
    catching(() => monthPeriod(parsePeriod('last-3-days'), 'Europe/Madrid', new Date('2026-11-16T08:30:00Z'), 'growth katuma'));
    errors.push(OfnError.within('`turnover katumaa`: ', OfnError.say('UnknownInstance', 'error.unknownInstance', { word: 'katumaa', instances: 'katuma, uk' })));
    errors.push(OfnError.of('ReplicaUnavailable', { key: 'error.noInstanceAnswered', details: [{ name: 'OFN UK', message: 'x', text: { key: 'error.replicaDeadline', values: { name: 'OFN UK', seconds: 30 } } }] }));
    expect(errors.map((e) => e.text?.key)).toEqual(['error.billing.notStarted', 'error.wholeMonths', 'error.unknownInstance', 'error.noInstanceAnswered']);
    for (const error of errors) {
      const { message, hint } = errorWords(error, 'de');
      expectAllFromCatalogs(error.message, [message, hint ?? ''], [...DATA, 'OFN UK']);
    }
  });

  it('every management reply (notice), as text and in Slack', () => {
    const values = { id: '3', name: 'weekly', question: 'turnover katuma last-week', schedule: 'weekly mon 09:00', zone: 'Europe/Madrid', channel: 'C0OPS0001', onlyIfResults: 'yes', next: '2026-11-23 09:00', hidden: 2, status: 'paused', hasNext: 'yes', hasNote: 'yes', note: 'disabled', event: 'new-shops', instance: 'katuma', source: 'config', titled: 'yes', title: 'Weekly', questions: '`turnover katuma`', admin: 'yes', replaced: 'no', n: 2 };
    const keys = (Object.keys(CATALOGS.en) as MessageKey[]).filter((key) => key.startsWith('notice.'));
    expect(keys.length).toBeGreaterThan(10);
    const outcome = notice('pulse-list', keys.map((key) => ({ key, values })));
    expect(outcome.text).toContain('Pulse #3: `turnover katuma last-week` weekly mon 09:00 (Europe/Madrid) in <#C0OPS0001>, only when there are results.');
    expectAllFromCatalogs('notice text', renderText(outcome, 'de').split('\n'));
    expectAllFromCatalogs('notice slack', slackTexts(outcome));
  });

  it('the pulse label, on time and late, in the language of the answer it closes', () => {
    const outcome: Outcome = { kind: 'answer', answer: answers('de').turnover!, presentation: { chart: false, public: false } };
    for (const late of [false, true]) {
      const message = pulseMessage(outcome, { pulseId: 3, slotLocal: '2026-11-16T09:00', timezone: 'Europe/Madrid', late });
      const label = readable(message.blocks).at(-1)!;
      expect(label).toContain('#3');
      expectAllFromCatalogs('pulse label', [label]);
      expectAllFromCatalogs('dashboard pulse footer', [pulseLabel({ pulseId: 3, slotLocal: '2026-11-16T09:00', timezone: 'Europe/Madrid', late }, 'de', true)]);
    }
  });

  it('warnings and notes: instances that did not answer, one without a billing plan, turnover not added up', () => {
    const katuma = answers('de').turnover!;
    const down = { instance: 'uk', name: 'OFN UK', message: "OFN UK's replica did not answer in 30 s.", text: { key: 'error.replicaDeadline' as const, values: { name: 'OFN UK', seconds: 30 } } };
    const noPlan = { instance: 'uk', name: 'OFN UK', message: 'no billing plan in the config', text: { key: 'warning.noBillingPlan' as const } };
    const global: Outcome = { kind: 'global', answer: { kind: 'global', question: 'turnover all last-month', title: 'Turnover', unit: 'money', periodLabel: 'last-month', results: [katuma], warnings: [down], total: { value: '1234.5', currency: 'EUR', partial: true, rates: [] } }, presentation: { chart: false, public: false } };
    expectAllFromCatalogs('global warning text', renderText(global, 'de').split('\n'));
    expectAllFromCatalogs('global warning slack', slackTexts(global));
    const bill = { kind: 'billing', instance: instance('de'), month: '2026-10', plan: null, hash: 'abcdef0123456789', lines: [], totals: { turnover: '0', charge: '0', tax: '0', total: '0', billed: 0, trial: 0, belowMinimum: 0 } } as BillingReport;
    const all: Outcome = { kind: 'billing-all', month: '2026-10', reports: [bill], total: { value: '0', currency: 'EUR', partial: true, rates: [] }, warnings: [noPlan, down] };
    expectAllFromCatalogs('billing all warnings text', renderText(all, 'de').split('\n'));
    expectAllFromCatalogs('billing all warnings slack', slackTexts(all), [...DATA, '<instance>', '<YYYY-MM>']);
    const change = Object.fromEntries(['newProfiles', 'newShops', 'activeShops', 'orders', 'turnover'].map((f) => [f, { previous: 1.5, yearBefore: null }]));
    const section = { instance: instance('de'), currency: 'EUR', period: period('last-month'), rows: [{ date: '2026-10-01', newProfiles: 1, newShops: 1, activeShops: 1, orders: 1, turnover: '1', change }], total: { newProfiles: 1, newShops: 1, activeShops: 1, orders: 1, turnover: '1', change } } as GrowthReport['instances'][number];
    const noteWords = { key: 'note.notAddedRates' as const, values: { currency: 'EUR', list: 'GBP' } };
    const growth: GrowthReport = { kind: 'growth', question: 'growth katuma last-month', periodLabel: 'last-month', instances: [section], rates: [], note: 'Turnover is not added up: no rate to EUR for GBP (exchangeRates in the config).', noteWords, warnings: [down], presentation: { chart: false, public: false } };
    expectAllFromCatalogs('growth notes text', renderText(growth, 'de').split('\n'));
    expectAllFromCatalogs('growth notes slack', slackTexts(growth));
    // Growth's chart says the note too.
    expectAllFromCatalogs('growth notes chart', [growthChartSpec(growth, 'de')!.subtitle ?? '']);
    // A dashboard's refusal and failure in the catalogs' words, as the route records them.
    const dashboard: Outcome = {
      kind: 'dashboard',
      name: 'weekly',
      title: 'Weekly',
      askedAt: '2026-11-15T12:00:00Z',
      presentation: { chart: false, public: false },
      parts: [
        { question: 'turnover uk', status: 'refused', message: 'x', text: { key: 'error.access.hidden', values: { who: 'channel', id: 'C0MEMBER1', names: 'OFN UK', visible: 'katuma', count: 1, hidden: '`uk`' } } },
        { question: 'orders katuma', status: 'failed', message: 'x', text: { key: 'error.dashboard.partNotQuestion' } },
      ],
    };
    const data = [...DATA, 'turnover uk', 'orders katuma', 'weekly', 'Weekly', 'C0MEMBER1'];
    expectAllFromCatalogs('dashboard refusals text', renderText(dashboard, 'de').split('\n'), data);
    expectAllFromCatalogs('dashboard refusals slack', slackTexts(dashboard), data);
    // The Home tab of an instance whose replica is down: its figures are cached for every reader, the error in each one's words.
    const view = homeView({ language: 'de', instances: [{ instance: instance('de'), readAt: '2026-11-15T12:00:00Z', figures: [], error: "Katuma's replica is not answering right now, try again later.", errorText: { key: 'error.replicaDown', values: { name: 'Katuma' } } }], dashboards: [], cacheSeconds: 300 });
    expectAllFromCatalogs('home, a replica down', readable(view.blocks), [...DATA, 'katuma']);
  });

  it('the story questions’ warnings and notes (funnel, buyers, retention, the yearly report, a map), in text, Slack and the report’s page', () => {
    const one = instance('de');
    const p = period('2026');
    const down = { instance: 'uk', name: 'OFN UK', message: "OFN UK's replica did not answer in 30 s.", text: { key: 'error.replicaDeadline' as const, values: { name: 'OFN UK', seconds: 30 } } };
    const noteWords = { key: 'note.notAddedRates' as const, values: { currency: 'EUR', list: 'GBP' } };
    const common = { kind: 'story' as const, periodLabel: '2026', rates: [], warnings: [down], note: 'Turnover is not added up: no rate to EUR for GBP (exchangeRates in the config).', noteWords, presentation: { chart: false, public: false } };
    const map = { layer: 'shops' as const, instances: [{ instance: one, points: [{ latitude: 41.98, longitude: 2.82 }], withoutCoordinates: 0 }] };
    const report: StoryOutcome = {
      ...common,
      question: 'report katuma 2026',
      global: false,
      story: 'report',
      year: 2026,
      toDate: false,
      map,
      sections: [{ instance: one, currency: 'EUR', period: p, headline: [{ key: 'orders', label: 'orders', value: '1', previous: null, change: null }], months: [{ date: '2026-10-01', turnover: '1' }] }],
    };
    const stories: StoryOutcome[] = [
      { ...common, question: 'funnel katuma 2026', global: false, story: 'funnel', sections: [{ instance: one, period: p, steps: [], medianDaysToFirstSale: 3 }] },
      { ...common, question: 'buyers katuma 2026', global: false, story: 'buyers', sections: [{ instance: one, period: p, buyers: 10, repeatBuyers: 3, repeatRate: 30, ordersWithoutBuyer: 0 }] },
      { ...common, question: 'retention katuma 2026', global: false, story: 'retention', sections: [{ instance: one, period: p, cohorts: [] }] },
      report,
      { ...common, question: 'map shops katuma', global: false, story: 'map', map },
    ];
    for (const story of stories) {
      const text = renderText(story, 'de');
      // The warning and the note are there, in the catalogs' words, not left out.
      expect(text).toContain('⚠ OFN UK: ⟦');
      expectAllFromCatalogs(`${story.question} warnings text`, text.split('\n'));
      expectAllFromCatalogs(`${story.question} warnings slack`, slackTexts(story));
    }
    const page = storyChartSpec(report, 'de')!.figure as { footer?: string[] };
    // The instance left out, with why in German (inside the note's own brackets, so named here).
    expect(page.footer!.join(' ')).toContain(t('de', 'error.replicaDeadline', { name: 'OFN UK', seconds: 30 }));
    expectAllFromCatalogs('report page notes', [page.footer!.join(' ')]);
  });

  it('define, metrics and segments: the fixed words and built-in descriptions in the catalogs, definitions as written', () => {
    const registry = DEFAULT_REGISTRY;
    const entries = [...registry.metrics.values(), ...registry.segments.values()];
    // Shown as written: names, definitions, and the built-in descriptions the catalogs have no words for.
    const data = [...DATA, '/ofn', 'define', 'metrics', 'segments', ...entries.flatMap((e) => [e.name, e.definition, ...(CATALOGS.en[`route.${e.name}` as MessageKey] ? [] : [e.description])])].sort((a, b) => b.length - a.length);
    for (const question of ['define turnover', 'define hubs', 'define producer-shops', 'metrics', 'segments']) {
      const parsed = parseQuestion(question, { instanceIds: ['katuma'] });
      if (parsed.kind !== 'help') throw new Error(question);
      const page = helpIn(parsed, 'de');
      expect(page.language).toBe('de');
      expectAllFromCatalogs(question, [page.title, ...page.lines], data);
      expectAllFromCatalogs(`${question} text`, renderText(parsed, 'de').split('\n'), data);
      const [fallback, header, ...sections] = slackTexts(parsed);
      expectAllFromCatalogs(`${question} slack`, [fallback!, header!, sections.map((c) => c.replace(/```/g, '')).join('')], data);
    }
  });

  it('what a pulse’s or watch’s creator is told when a delivery is refused or its channel is gone', () => {
    for (const kind of ['pulse', 'watch']) {
      const values = { kind, id: '3', channel: 'C0GONE001', event: 'new-shops', instance: 'katuma', error: 'channel_not_found' };
      const reason = errorWords(OfnError.say('AccessDenied', 'error.access.hidden', { who: 'target', id: 'C0GONE001', names: 'Katuma', visible: 'uk', count: 1, hidden: '`katuma`' }), 'de').message;
      const texts = [
        t('de', 'creator.refusedText', values),
        t('de', 'creator.refused', { ...values, reason }),
        t('de', 'creator.refused', { ...values, reason: t('de', 'creator.noRule', values) }),
        t('de', 'creator.noParse', { details: reason }),
        t('de', 'creator.disabledText', values),
        t('de', 'creator.disabled', values),
        t('de', 'slack.restarting'),
      ];
      expectAllFromCatalogs(`${kind} creator`, texts, [...DATA, 'C0GONE001', 'channel_not_found', 'katuma']);
    }
  });

  it('the next slot of a pulse, written as German writes dates', () => {
    const added = notice('pulse-add', [{ key: 'notice.pulseAdded', values: { id: '3', question: 'turnover katuma last-week', schedule: 'weekly mon 09:00', zone: 'Europe/Madrid', channel: 'C0OPS0001', onlyIfResults: 'no', next: '2026-11-23 09:00', hidden: 0 }, times: { next: '2026-11-23T09:00' } }]);
    const text = renderText(added, 'de');
    expect(text).not.toContain('2026-11-23');
    expect(text).toContain('23.');
    expect(added.text).toContain('Next: 2026-11-23 09:00.');
    expectAllFromCatalogs('next slot', [text], [...DATA, 'Mo']);
  });
});
