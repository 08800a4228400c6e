import type { GrowthReport, GrowthSection, StoryOutcome, ReportSection, MapData } from '../core/story.js';
import { formatCount, formatMoney, formatPercent, roundCents } from '../core/money.js';
import { DateTime } from 'luxon';
import { dateLocale, describeRange, type ResolvedPeriod } from '../core/periods.js';
import type { ChartSpec } from './chart.js';
import type { MapFigure, ReportTile } from './figure.js';
import { bucketLabel, periodName } from './format.js';
import { t, type Language } from '../core/i18n.js';
import { formatChange, growthLanguage, growthPeriod } from './growth.js';
import { cohortLabel, stepLabel, storyLanguage } from './story.js';

/** The charts of the growth story (issue 16): pure specs; chart.ts draws them. */

const LOCALE = 'en-GB';

function rangeOf(section: { period: GrowthSection['period'] | null; instance: { timezone: string; locale: string } | null }, lang: Language = 'en'): string {
  if (!section.period?.from || !section.instance) return '';
  return `${describeRange(section.period as ResolvedPeriod, section.instance.locale, lang)} (${section.instance.timezone})`;
}

function ratesNote(rates: StoryOutcome['rates'], currency: string | null, lang: Language = 'en'): string | undefined {
  if (rates.length === 0 || !currency) return undefined;
  const list = rates.map((r) => `1 ${r.currency} = ${r.month ? t(lang, 'growthChart.rateIn', { rate: r.rate, month: bucketLabel(`${r.month}-01`, 'month', LOCALE, lang) }) : r.rate}`).join(', ');
  return t(lang, 'growthChart.converted', { currency, list });
}

/** "Jan 2026", "gen. 2026": a month as short as the language writes it. */
function shortMonth(month: string, locale: string, lang: Language): string {
  return DateTime.fromISO(`${month}-01`, { zone: 'UTC' }).setLocale(dateLocale(locale, lang)).toFormat('LLL yyyy');
}

/** Growth: turnover, active shops and new shops per month, one panel each (never one axis for money and counts); in the report's language. */
export function growthChartSpec(report: GrowthReport, reader?: Language): ChartSpec | undefined {
  const section: GrowthSection | undefined = report.combined ?? report.instances[0];
  if (!section || section.rows.length === 0) return undefined;
  const lang = growthLanguage(report, reader);
  // Several instances added up: figures as the reader's language writes them.
  const locale = section.instance?.locale ?? (lang === 'en' ? LOCALE : lang);
  const who = section.instance ? section.instance.name : t(lang, 'story.instances', { n: report.instances.length });
  const partialIndex = section.rows.findIndex((r) => r.partial);
  const total = section.total;
  const money = (v: string | null) => (v === null || !section.currency ? t(lang, 'growth.na') : formatMoney(roundCents(v), section.currency, locale));
  const notes = [
    t(lang, 'growthChart.total', {
      turnover: money(total.turnover),
      change: formatChange(total.change.turnover.yearBefore, locale),
      orders: formatCount(total.orders, locale),
      active: formatCount(total.activeShops, locale),
      newShops: formatCount(total.newShops, locale),
      months: section.rows.length,
    }),
  ];
  if (partialIndex >= 0) notes.push(t(lang, 'growthChart.toDate', { month: bucketLabel(section.rows[partialIndex]!.date, 'month', locale, lang) }));
  const rates = ratesNote(report.rates, section.currency, lang);
  if (rates) notes.push(rates);
  if (report.note) notes.push(report.note);
  const currency = section.currency;
  const turnover = t(lang, 'metric.turnover');
  const active = t(lang, 'metric.active-shops');
  const newShops = t(lang, 'metric.new-shops');
  const where = section.instance ? rangeOf(section, lang) : t(lang, 'growth.eachZone', { period: growthPeriod(report, lang) });
  // Turnover that cannot be added up (several currencies, no reporting currency) gets no panel: an empty
  // axis would read as nothing sold. The note says why.
  const series = [
    ...(currency ? [{ label: `${turnover} (${currency})`, values: section.rows.map((r) => (r.turnover === null ? null : Number(r.turnover))), format: { style: 'currency' as const, currency, locale } }] : []),
    { label: active, values: section.rows.map((r) => r.activeShops), format: { style: 'count' as const, locale } },
    { label: newShops, values: section.rows.map((r) => r.newShops), format: { style: 'count' as const, locale } },
  ];
  const titles = [...(currency ? [turnover] : []), active, newShops];
  return {
    kind: 'bar',
    title: t(lang, 'growth.slackTitle', { name: `${who} · ${where}` }),
    subtitle: notes.join(' · '),
    labels: section.rows.map((r) => bucketLabel(r.date, 'month', locale, lang) + (r.partial ? ` ${t(lang, 'table.toDate')}` : '')),
    datasets: series.map(({ label, values }) => ({ label, values })),
    valueFormat: series[0]!.format,
    panels: series.map((s, i) => ({ title: titles[i]!, valueFormat: s.format, datasets: [i] })),
    ...(partialIndex >= 0 ? { partialLabel: t(lang, 'chart.periodToDate') } : {}),
    ...(partialIndex >= 0 ? { partialIndex } : {}),
  };
}

function mapFigure(map: MapData, footer: string[] = [], lang: Language = 'en'): MapFigure {
  const total = map.instances.reduce((n, i) => n + i.points.length, 0);
  const missing = map.instances.reduce((n, i) => n + i.withoutCoordinates, 0);
  return {
    kind: 'map',
    groups: map.instances.map((i) => ({ label: `${i.instance.name} (${formatCount(i.points.length, LOCALE)})`, points: i.points })),
    noun: map.layer,
    // One short line each: a footer is not wrapped, and the count left out must not run off the edge.
    footer: [
      t(lang, 'sc.mapListed', { n: formatCount(total, LOCALE), layer: map.layer }),
      ...(missing ? [t(lang, 'sc.mapMissing', { n: formatCount(missing, LOCALE) })] : []),
      ...footer,
      t(lang, 'sc.outlines'),
    ],
  };
}

function headlineTiles(section: ReportSection, year: number, toDate: boolean): ReportTile[] {
  const locale = section.instance?.locale ?? LOCALE;
  return section.headline.map((h) => {
    const value = h.value === null ? 'n/a' : h.key === 'turnover' ? (section.currency ? formatMoney(roundCents(h.value), section.currency, locale).replace(/[.,]\d\d(?=\D*$)/, '') : 'n/a') : formatCount(h.value, locale);
    const against = toDate ? `same days of ${year - 1}` : String(year - 1);
    const change = h.value === null || h.previous === null ? 'not added up: see below' : h.change === null ? `none in ${year - 1}` : `${formatChange(h.change, locale)} vs ${against}`;
    return { label: h.label, value, change, trend: h.change === null || h.change === 0 ? 'none' : h.change > 0 ? 'up' : 'down' };
  });
}

function reportSpec(outcome: Extract<StoryOutcome, { story: 'report' }>): ChartSpec {
  const section = outcome.global ? outcome.sections.find((s) => s.instance === null)! : outcome.sections[0]!;
  const instances = outcome.sections.filter((s) => s.instance !== null);
  const locale = section.instance?.locale ?? LOCALE;
  const who = section.instance ? section.instance.name : `${instances.length} instances`;
  const currency = section.currency;
  const partial = section.months.findIndex((m) => m.partial);
  const notes = [
    outcome.toDate ? `${outcome.year} is not over: every figure is to date and compared with the same days of ${outcome.year - 1}.` : `Every figure compared with ${outcome.year - 1}.`,
    'Shops sell (own or others’ products); hubs sell others’ too; producers grow or make. Counted at the end of the period, by today’s type.',
    'Turnover: completed sales orders (not canceled or returned), gross. Buyers: distinct users or guest customer records; never who.',
  ];
  const rates = ratesNote(outcome.rates, currency);
  if (rates) notes.push(rates);
  if (outcome.note) notes.push(outcome.note);
  for (const w of outcome.warnings) notes.push(`Not included: ${w.name} (${w.message})`);
  notes.push('Source: each instance’s OFN database (read-only replica), by ofn-insights.');
  // Money of instances that can't be added up is drawn one panel per currency, never on one axis.
  const perCurrency = section.months.some((m) => m.turnover === null) && instances.length > 1;
  const currencies = [...new Set(instances.map((s) => s.currency!))];
  const chart: ChartSpec = {
    kind: 'bar',
    title: '',
    labels: section.months.map((m) => bucketLabel(m.date, 'month', LOCALE).replace(/ \d{4}$/, '') + (m.partial ? ' (to date)' : '')),
    datasets: perCurrency
      ? instances.map((s) => ({ label: `${s.instance!.name} (${s.currency})`, values: section.months.map((m) => Number(s.months.find((x) => x.date === m.date)?.turnover ?? 0)) }))
      : [{ label: 'Turnover', values: section.months.map((m) => (m.turnover === null ? null : Number(m.turnover))) }],
    valueFormat: currency ? { style: 'currency', currency, locale } : { style: 'currency', currency: currencies[0]!, locale: LOCALE },
    ...(perCurrency
      ? { panels: currencies.map((c) => ({ title: c, valueFormat: { style: 'currency' as const, currency: c, locale: LOCALE }, datasets: instances.flatMap((s, i) => (s.currency === c ? [i] : [])) })) }
      : {}),
    width: 698,
    // Panels as low as still readable: the page's map needs the room (three currencies: 325 px).
    height: perCurrency ? 100 + 75 * currencies.length : 230,
    ...(partial >= 0 ? { partialIndex: partial } : {}),
  };
  const range = section.instance && section.period ? `${describeRange(section.period as ResolvedPeriod, LOCALE)} (${section.instance.timezone})` : `1 Jan – ${outcome.toDate ? 'to date' : '31 Dec'} ${outcome.year}, each instance in its own time zone`;
  return {
    kind: 'bar',
    title: `Open Food Network · ${who} · ${outcome.year}${outcome.toDate ? ' (to date)' : ''}`,
    labels: section.headline.map((h) => h.label),
    datasets: [],
    valueFormat: { style: 'count', locale },
    figure: {
      kind: 'report',
      heading: `Open Food Network · ${who}`,
      subheading: range,
      tiles: headlineTiles(section, outcome.year, outcome.toDate),
      chartTitle: `Turnover by month${currency ? ` (${currency})` : ''}`,
      ...(outcome.global
        ? {
            table: {
              header: ['Instance', 'Shops', 'Active shops', 'Orders', 'Turnover', 'Buyers'],
              rows: instances.map((s) => {
                const v = (key: string) => s.headline.find((h) => h.key === key)?.value ?? null;
                const l = LOCALE; // one table, one way of writing numbers
                const t = v('turnover');
                return [s.instance!.name, formatCount(v('shops') ?? 0, l), formatCount(v('active_shops') ?? 0, l), formatCount(v('orders') ?? 0, l), t === null ? 'n/a' : formatMoney(roundCents(t), s.currency!, l).replace(/[.,]\d\d(?=\D*$)/, ''), formatCount(v('buyers') ?? 0, l)];
              }),
            },
          }
        : {}),
      map: mapFigure(outcome.map),
      mapTitle: 'Where the shops are',
      footer: notes,
    },
    inset: chart,
  };
}

/** The chart of funnel, retention, buyers, report and map. */
export function storyChartSpec(outcome: StoryOutcome, reader?: Language): ChartSpec | undefined {
  const lang = storyLanguage(outcome, reader);
  const eachZone = () => t(lang, 'sc.eachZone', { period: lang === 'en' ? outcome.periodLabel : periodName(outcome.periodLabel, LOCALE, lang) || outcome.periodLabel });
  const several = (n: number) => t(lang, 'story.instances', { n });
  // The step names start a clause after the first: lower case, except German nouns.
  const inSentence = (label: string) => (lang === 'de' ? label : label.toLowerCase());
  switch (outcome.story) {
    case 'funnel': {
      const s = outcome.global ? outcome.sections.find((x) => x.instance === null)! : outcome.sections[0]!;
      const who = s.instance ? s.instance.name : several(outcome.sections.length - 1);
      const locale = s.instance?.locale ?? LOCALE;
      const pct = (v: number | null) => formatPercent(v, locale);
      return {
        kind: 'bar',
        horizontal: true,
        title: t(lang, 'sc.funnelTitle', { who, where: s.instance ? rangeOf(s, lang) : eachZone() }),
        subtitle: [
          ...s.steps.slice(1).map((st) => t(lang, 'sc.stepNote', { step: inSentence(stepLabel(st.step, lang)), ofFirst: pct(st.ofFirst), ofPrevious: pct(st.ofPrevious) })),
          t(lang, 'sc.medianNote', { days: s.medianDaysToFirstSale === null ? '—' : formatCount(s.medianDaysToFirstSale, locale) }),
        ].join(' · ').replace(/^./, (c) => c.toUpperCase()),
        labels: s.steps.map((st) => stepLabel(st.step, lang)),
        datasets: [{ label: t(lang, 'story.col.enterprises'), values: s.steps.map((st) => st.count) }],
        valueFormat: { style: 'count', locale },
        valueLabels: true,
      };
    }
    case 'buyers': {
      const shown = outcome.sections.filter((s) => s.instance !== null);
      const combined = outcome.sections.find((s) => s.instance === null);
      const locale = shown.length === 1 ? shown[0]!.instance!.locale : LOCALE;
      const pct = (v: number | null) => formatPercent(v, locale);
      return {
        kind: 'bar',
        horizontal: true,
        title: t(lang, 'sc.buyersTitle', { who: shown.length === 1 ? `${shown[0]!.instance!.name} · ${rangeOf(shown[0]!, lang)}` : `${several(shown.length)} · ${eachZone()}` }),
        subtitle: [
          ...shown.map((s) => t(lang, 'sc.repeatRate', { name: s.instance!.name, rate: pct(s.repeatRate) })),
          ...(combined ? [t(lang, 'sc.allBuyers', { n: formatCount(combined.buyers, LOCALE), rate: pct(combined.repeatRate) })] : []),
          t(lang, 'sc.buyerNote'),
        ].join(' · ').replace(/^./, (c) => c.toUpperCase()),
        labels: shown.map((s) => s.instance!.name),
        datasets: [
          { label: t(lang, 'story.buyers'), values: shown.map((s) => s.buyers) },
          { label: t(lang, 'sc.orderedTwice'), values: shown.map((s) => s.repeatBuyers) },
        ],
        valueFormat: { style: 'count', locale },
        valueLabels: true,
      };
    }
    case 'retention': {
      const s = outcome.global ? outcome.sections.find((x) => x.instance === null)! : outcome.sections[0]!;
      const who = s.instance ? s.instance.name : several(outcome.sections.length - 1);
      const locale = s.instance?.locale ?? LOCALE;
      const columns = Array.from({ length: 12 }, (_, k) => `+${k}`);
      // Every month between the first and the last cohort gets a row: a month without new sellers is a fact, not a gap.
      const cohorts = [...s.cohorts];
      for (let i = 1; i < cohorts.length; i++) {
        const [y, m] = cohorts[i - 1]!.month.split('-').map(Number) as [number, number];
        const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
        if (cohorts[i]!.month !== next) cohorts.splice(i, 0, { month: next, size: 0, active: new Array(12).fill(null) });
      }
      return {
        kind: 'bar',
        title: t(lang, 'sc.retentionTitle', { who, where: s.instance ? rangeOf(s, lang) : eachZone() }),
        subtitle: t(lang, 'sc.retentionNote'),
        labels: s.cohorts.map((c) => c.month),
        datasets: [],
        valueFormat: { style: 'count', locale },
        figure: {
          kind: 'heatmap',
          // Short month names ("gen. 2026", not "de gen. del 2026"): the label column is narrow.
          rows: cohorts.map((c) => ({ label: shortMonth(c.month, locale, lang), note: c.size === 0 ? t(lang, 'sc.none') : t(lang, 'sc.shops', { n: c.size }) })),
          corner: t(lang, 'story.col.firstSale'),
          columns,
          cells: cohorts.map((c) => c.active),
          footer: [
            t(lang, 'sc.columns'),
            ...(s.currentMonth ? [t(lang, 'sc.notOver', { month: cohortLabel(s.currentMonth, locale, lang).replace(/^./, (c) => c.toUpperCase()) })] : []),
          ],
        },
      };
    }
    case 'map': {
      const n = outcome.map.instances.length;
      return {
        kind: 'bar',
        title: t(lang, 'sc.mapTitle', { layer: outcome.map.layer, who: n === 1 ? outcome.map.instances[0]!.instance.name : several(n) }),
        labels: outcome.map.instances.map((i) => i.instance.name),
        datasets: [],
        valueFormat: { style: 'count', locale: LOCALE },
        figure: mapFigure(outcome.map, [], lang),
      };
    }
    case 'report':
      return reportSpec(outcome);
  }
}
