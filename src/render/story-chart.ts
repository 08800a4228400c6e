import type { GrowthReport, GrowthSection, StoryOutcome, ReportSection, MapData } from '../core/story.js';
import { formatCount, formatMoney, formatPercent, roundCents } from '../core/money.js';
import { DateTime } from 'luxon';
import { dateLocale, describeRange, type ResolvedPeriod } from '../core/periods.js';
import type { ChartSpec } from './chart.js';
import type { MapFigure, ReportTile } from './figure.js';
import { bucketLabel, periodInWords, ratesAndNote } from './format.js';
import { saidIn } from '../core/errors.js';
import { numbersLocale, t, type Language } from '../core/i18n.js';
import { formatChange, growthLanguage, growthPeriod } from './growth.js';
import { cohortLabel, headlineLabel, stepLabel, storyLanguage } from './story.js';

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

/** A note cut at spaces into lines of at most `width` characters (a word longer than that is left whole). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
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
  const locale = numbersLocale(section.instance, lang);
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
  notes.push(...ratesAndNote(ratesNote(report.rates, section.currency, lang), report, lang));
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
    ...(partialIndex >= 0 ? { partialLabel: t(lang, 'chart.periodToDate'), partialIndex } : {}),
  };
}

function mapFigure(map: MapData, lang: Language): MapFigure {
  const total = map.instances.reduce((n, i) => n + i.points.length, 0);
  const missing = map.instances.reduce((n, i) => n + i.withoutCoordinates, 0);
  return {
    kind: 'map',
    groups: map.instances.map((i) => ({ label: `${i.instance.name} (${formatCount(i.points.length, numbersLocale(undefined, lang))})`, points: i.points })),
    noun: t(lang, 'sc.noun', { layer: map.layer }),
    insetLabel: t(lang, 'rp.inset'),
    // One short line each: a footer is not wrapped, and the count left out must not run off the edge.
    footer: [
      t(lang, 'sc.mapListed', { n: formatCount(total, numbersLocale(undefined, lang)), layer: map.layer }),
      ...(missing ? [t(lang, 'sc.mapMissing', { n: formatCount(missing, numbersLocale(undefined, lang)) })] : []),
      t(lang, 'sc.outlines'),
    ],
  };
}

function headlineTiles(section: ReportSection, year: number, lang: Language, locale: string): ReportTile[] {
  const na = t(lang, 'growth.na');
  return section.headline.map((h) => {
    const value = h.value === null ? na : h.key === 'turnover' ? (section.currency ? formatMoney(roundCents(h.value), section.currency, locale).replace(/[.,]\d\d(?=\D*$)/, '') : na) : formatCount(h.value, locale);
    // The year before, to the same day when this one is not over: the page's notes say so (a tile has room for "+88.9 % vs 2025" only).
    const against = String(year - 1);
    const change = h.value === null || h.previous === null ? t(lang, 'rp.notAdded') : h.change === null ? t(lang, 'rp.noneIn', { year: String(year - 1) }) : t(lang, 'rp.vs', { change: formatChange(h.change, locale), against });
    return { label: headlineLabel(h, lang), value, change, trend: h.change === null || h.change === 0 ? 'none' : h.change > 0 ? 'up' : 'down' };
  });
}

function reportSpec(outcome: Extract<StoryOutcome, { story: 'report' }>, lang: Language): ChartSpec {
  const section = outcome.global ? outcome.sections.find((s) => s.instance === null)! : outcome.sections[0]!;
  const instances = outcome.sections.filter((s) => s.instance !== null);
  // Several instances added up: figures as the reader's language writes them.
  const locale = numbersLocale(section.instance, lang);
  const who = section.instance ? section.instance.name : t(lang, 'story.instances', { n: instances.length });
  const currency = section.currency;
  const partial = section.months.findIndex((m) => m.partial);
  const year = String(outcome.year);
  const previous = String(outcome.year - 1);
  const notes = [
    outcome.toDate ? t(lang, 'rp.toDate', { year, previous }) : t(lang, 'rp.everyVs', { previous }),
    t(lang, 'rp.typesNote'),
    t(lang, 'rp.turnoverNote'),
  ];
  notes.push(...ratesAndNote(ratesNote(outcome.rates, currency, lang), outcome, lang));
  for (const w of outcome.warnings) notes.push(t(lang, 'rp.notIncluded', { name: w.name, message: saidIn(w, lang) }));
  notes.push(t(lang, 'rp.source'));
  // Money of instances that can't be added up is drawn one panel per currency, never on one axis.
  const perCurrency = section.months.some((m) => m.turnover === null) && instances.length > 1;
  const currencies = [...new Set(instances.map((s) => s.currency!))];
  const turnover = t(lang, 'metric.turnover');
  const chart: ChartSpec = {
    kind: 'bar',
    title: '',
    labels: section.months.map((m) => shortMonth(m.date.slice(0, 7), LOCALE, lang).replace(/ \d{4}$/, '') + (m.partial ? ` ${t(lang, 'table.toDate')}` : '')),
    datasets: perCurrency
      ? instances.map((s) => ({ label: `${s.instance!.name} (${s.currency})`, values: section.months.map((m) => Number(s.months.find((x) => x.date === m.date)?.turnover ?? 0)) }))
      : [{ label: turnover, values: section.months.map((m) => (m.turnover === null ? null : Number(m.turnover))) }],
    valueFormat: currency ? { style: 'currency', currency, locale } : { style: 'currency', currency: currencies[0]!, locale: numbersLocale(undefined, lang) },
    ...(perCurrency
      ? { panels: currencies.map((c) => ({ title: c, valueFormat: { style: 'currency' as const, currency: c, locale: numbersLocale(undefined, lang) }, datasets: instances.flatMap((s, i) => (s.currency === c ? [i] : [])) })) }
      : {}),
    width: 698,
    // Panels as low as still readable: the page's map needs the room (three currencies: 325 px).
    height: perCurrency ? 100 + 75 * currencies.length : 230,
    ...(partial >= 0 ? { partialIndex: partial, partialLabel: t(lang, 'chart.periodToDate') } : {}),
  };
  const range = section.instance && section.period ? `${describeRange(section.period as ResolvedPeriod, LOCALE, lang)} (${section.instance.timezone})` : t(lang, outcome.toDate ? 'rp.rangeAllToDate' : 'rp.rangeAll', { year });
  return {
    kind: 'bar',
    title: t(lang, outcome.toDate ? 'rp.titleToDate' : 'rp.title', { who, year }),
    labels: section.headline.map((h) => headlineLabel(h, lang)),
    datasets: [],
    valueFormat: { style: 'count', locale },
    figure: {
      kind: 'report',
      heading: `Open Food Network · ${who}`,
      subheading: range,
      tiles: headlineTiles(section, outcome.year, lang, locale),
      chartTitle: `${t(lang, 'story.turnoverByMonth')}${currency ? ` (${currency})` : ''}`,
      ...(outcome.global
        ? {
            table: {
              title: t(lang, 'rp.byInstance'),
              // Short headings: the page's columns are narrow.
              header: [t(lang, 'growth.col.instance'), t(lang, 'rp.col.shops'), t(lang, 'rp.col.active'), t(lang, 'rp.col.orders'), t(lang, 'rp.col.turnover'), t(lang, 'rp.col.buyers')],
              rows: instances.map((s) => {
                const v = (key: string) => s.headline.find((h) => h.key === key)?.value ?? null;
                const l = locale; // one table, one way of writing numbers
                const sum = v('turnover');
                return [s.instance!.name, formatCount(v('shops') ?? 0, l), formatCount(v('active_shops') ?? 0, l), formatCount(v('orders') ?? 0, l), sum === null ? t(lang, 'growth.na') : formatMoney(roundCents(sum), s.currency!, l).replace(/[.,]\d\d(?=\D*$)/, ''), formatCount(v('buyers') ?? 0, l)];
              }),
            },
          }
        : {}),
      map: mapFigure(outcome.map, lang),
      mapTitle: t(lang, 'rp.mapTitle'),
      // The page's footer is not wrapped when drawn: longer languages are cut into lines here.
      footer: notes.flatMap((note) => wrapText(note, 135)),
    },
    inset: chart,
  };
}

/** The chart of funnel, retention, buyers, report and map. */
export function storyChartSpec(outcome: StoryOutcome, reader?: Language): ChartSpec | undefined {
  const lang = storyLanguage(outcome, reader);
  const eachZone = () => t(lang, 'sc.eachZone', { period: periodInWords(outcome.periodLabel, LOCALE, lang) });
  const several = (n: number) => t(lang, 'story.instances', { n });
  // The step names start a clause after the first: lower case, except German nouns.
  const inSentence = (label: string) => (lang === 'de' ? label : label.toLowerCase());
  switch (outcome.story) {
    case 'funnel': {
      const s = outcome.global ? outcome.sections.find((x) => x.instance === null)! : outcome.sections[0]!;
      const who = s.instance ? s.instance.name : several(outcome.sections.length - 1);
      const locale = numbersLocale(s.instance, lang);
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
      const locale = numbersLocale(shown.length === 1 ? shown[0]!.instance : undefined, lang);
      const pct = (v: number | null) => formatPercent(v, locale);
      return {
        kind: 'bar',
        horizontal: true,
        title: t(lang, 'sc.buyersTitle', { who: shown.length === 1 ? `${shown[0]!.instance!.name} · ${rangeOf(shown[0]!, lang)}` : `${several(shown.length)} · ${eachZone()}` }),
        subtitle: [
          ...shown.map((s) => t(lang, 'sc.repeatRate', { name: s.instance!.name, rate: pct(s.repeatRate) })),
          ...(combined ? [t(lang, 'sc.allBuyers', { n: formatCount(combined.buyers, numbersLocale(undefined, lang)), rate: pct(combined.repeatRate) })] : []),
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
      const locale = numbersLocale(s.instance, lang);
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
          empty: t(lang, 'story.noCohort'),
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
        valueFormat: { style: 'count', locale: numbersLocale(undefined, lang) },
        figure: mapFigure(outcome.map, lang),
      };
    }
    case 'report':
      return reportSpec(outcome, lang);
  }
}
