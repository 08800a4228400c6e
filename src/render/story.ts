import type { StoryOutcome, FunnelSection, RetentionSection, BuyersSection, ReportSection, MapData } from '../core/story.js';
import { formatCount, formatMoney, formatPercent, moneyToJson, roundCents } from '../core/money.js';
import { jsonPeriod } from './answer.js';
import { toCsv } from './csv-writer.js';
import { isMessageKey, numbersLocale, t, type Language } from '../core/i18n.js';
import { bucketLabel, describePeriod, periodInWords, ratesAndNote, sharedLanguage, warningLine } from './format.js';
import { formatChange, ratesText } from './growth.js';
import { alignTable } from './table.js';

/** Text, JSON and CSV of `funnel`, `retention`, `buyers`, `report` and `map` (issue 16). */

const LOCALE = 'en-GB';

/** A funnel step in `lang`: "Became shops", "Se hicieron tienda". */
export function stepLabel(step: string, lang: Language = 'en'): string {
  const key = `story.step.${step}`;
  return isMessageKey(key) ? t(lang, key) : step;
}

/** The language of a story: the reader's; else one instance's own; else English (several instances). */
export function storyLanguage(outcome: StoryOutcome, reader?: Language): Language {
  const shown = outcome.story === 'map' ? outcome.map.instances.map((i) => i.instance) : outcome.sections.flatMap((s) => (s.instance ? [s.instance] : []));
  return sharedLanguage(shown.length === 1 ? shown : [], reader);
}

type Section = { instance: { name: string; locale: string } | null; period: Parameters<typeof describePeriod>[0] | null };

function heading(outcome: StoryOutcome, section: Section, count: number, lang: Language): string {
  if (!section.instance) {
    return t(lang, 'story.allSection', { n: count, period: periodInWords(outcome.periodLabel, LOCALE, lang) });
  }
  return `${section.instance.name}${section.period ? ` · ${describePeriod(section.period, section.instance.locale, lang)}` : ''}`;
}

function instanceCount(outcome: StoryOutcome): number {
  if (outcome.story === 'map') return outcome.map.instances.length;
  return outcome.sections.filter((s) => s.instance !== null).length;
}

export function storyTitle(outcome: StoryOutcome, reader?: Language): string {
  const lang = storyLanguage(outcome, reader);
  const n = instanceCount(outcome);
  const what =
    outcome.story === 'map'
      ? t(lang, 'story.map', { layer: outcome.map.layer })
      : outcome.story === 'report'
        ? t(lang, outcome.toDate ? 'story.reportToDate' : 'story.report', { year: String(outcome.year) })
        : t(lang, `story.${outcome.story}`);
  const only = outcome.story === 'map' ? outcome.map.instances : outcome.sections;
  const name = n === 1 && only[0]?.instance ? only[0].instance.name : t(lang, 'story.instances', { n });
  return t(lang, 'story.title', { what, name });
}

function funnelText(outcome: StoryOutcome, s: FunnelSection, n: number, lang: Language): string[] {
  const l = numbersLocale(s.instance, lang);
  return [
    heading(outcome, s, n, lang),
    alignTable(
      [t(lang, 'story.col.step'), t(lang, 'story.col.enterprises'), t(lang, 'story.col.ofPrevious'), t(lang, 'story.col.ofCreated')],
      s.steps.map((st) => [stepLabel(st.step, lang), formatCount(st.count, l), formatPercent(st.ofPrevious, l), formatPercent(st.ofFirst, l)]),
      ['left', 'right', 'right', 'right'],
    ),
    t(lang, 'story.medianDays', { days: s.medianDaysToFirstSale === null ? t(lang, 'story.noSaleYet') : formatCount(s.medianDaysToFirstSale, l) }),
    '',
  ];
}

function buyersText(outcome: StoryOutcome, s: BuyersSection, n: number, lang: Language): string[] {
  const l = numbersLocale(s.instance, lang);
  return [
    heading(outcome, s, n, lang),
    t(lang, 'story.buyersLine', { buyers: formatCount(s.buyers, l), repeat: formatCount(s.repeatBuyers, l), rate: formatPercent(s.repeatRate, l) }),
    ...(s.ordersWithoutBuyer ? [t(lang, 'story.ordersWithoutBuyer', { n: s.ordersWithoutBuyer })] : []),
    '',
  ];
}

export function cohortLabel(month: string, locale = LOCALE, lang: Language = 'en'): string {
  return bucketLabel(`${month}-01`, 'month', locale, lang);
}

function retentionText(outcome: StoryOutcome, s: RetentionSection, n: number, lang: Language): string[] {
  const l = numbersLocale(s.instance, lang);
  if (s.cohorts.length === 0) return [heading(outcome, s, n, lang), t(lang, 'story.noCohort'), ''];
  const width = Math.max(...s.cohorts.map((c) => c.active.length));
  return [
    heading(outcome, s, n, lang),
    alignTable(
      [t(lang, 'story.col.firstSale'), t(lang, 'story.col.shops'), ...Array.from({ length: width }, (_, k) => `+${k}`)],
      s.cohorts.map((c) => [cohortLabel(c.month, l, lang), formatCount(c.size, l), ...c.active.map((v) => (v === null ? '' : Math.round(v).toString()))]),
    ),
    '',
  ];
}

function headlineValue(s: ReportSection, key: string, value: string | null, lang: Language): string {
  const l = numbersLocale(s.instance, lang);
  if (value === null) return t(lang, 'growth.na');
  return key === 'turnover' ? (s.currency ? formatMoney(roundCents(value), s.currency, l) : t(lang, 'growth.na')) : formatCount(value, l);
}

/** A headline figure's name in `lang`: the catalogs' metric names (buyers: the story's). */
export function headlineLabel(h: { key: string; label: string }, lang: Language): string {
  const key = h.key === 'buyers' ? 'story.buyers' : `metric.${h.key.replace(/_/g, '-')}`;
  return isMessageKey(key) ? t(lang, key) : h.label;
}

function reportText(outcome: Extract<StoryOutcome, { story: 'report' }>, s: ReportSection, n: number, lang: Language): string[] {
  const l = numbersLocale(s.instance, lang);
  const year = String(outcome.year);
  const previous = String(outcome.year - 1);
  return [
    heading(outcome, s, n, lang),
    alignTable(
      [t(lang, 'story.col.figure'), outcome.toDate ? t(lang, 'story.col.yearToDate', { year }) : year, outcome.toDate ? t(lang, 'story.col.sameDays', { year: previous }) : previous, t(lang, 'story.col.change')],
      s.headline.map((h) => [headlineLabel(h, lang), headlineValue(s, h.key, h.value, lang), headlineValue(s, h.key, h.previous, lang), formatChange(h.change, l)]),
      ['left', 'right', 'right', 'right'],
    ),
    t(lang, 'story.turnoverByMonth'),
    alignTable(
      [t(lang, 'table.month'), t(lang, 'metric.turnover')],
      s.months.map((m) => [`${bucketLabel(m.date, 'month', l, lang)}${m.partial ? ` ${t(lang, 'table.toDate')}` : ''}`, m.turnover === null || !s.currency ? t(lang, 'growth.na') : formatMoney(roundCents(m.turnover), s.currency, l)]),
    ),
    '',
  ];
}

function mapText(map: MapData, lang: Language): string[] {
  return map.instances.map((i) => {
    const line = t(lang, 'story.mapLine', { name: i.instance.name, n: i.points.length, layer: map.layer });
    return i.withoutCoordinates ? t(lang, 'story.mapWithout', { line, n: i.withoutCoordinates }) : line;
  });
}

/** A story as text, in `reader`'s language (the CLI's --lang), else one instance's own, else English. */
export function storyText(outcome: StoryOutcome, reader?: Language): string {
  const lang = storyLanguage(outcome, reader);
  const n = instanceCount(outcome);
  const lines = [storyTitle(outcome, lang), ''];
  switch (outcome.story) {
    case 'funnel':
      for (const s of outcome.sections) lines.push(...funnelText(outcome, s, n, lang));
      lines.push(t(lang, 'story.noteFunnel'));
      break;
    case 'buyers':
      for (const s of outcome.sections) lines.push(...buyersText(outcome, s, n, lang));
      lines.push(t(lang, 'story.noteBuyers'));
      break;
    case 'retention':
      for (const s of outcome.sections) lines.push(...retentionText(outcome, s, n, lang));
      lines.push(t(lang, 'story.noteRetention'));
      break;
    case 'report':
      for (const s of outcome.sections) lines.push(...reportText(outcome, s, n, lang));
      lines.push(...mapText(outcome.map, lang));
      if (outcome.toDate) lines.push(t(lang, 'story.noteReportToDate', { year: String(outcome.year), previous: String(outcome.year - 1) }));
      lines.push(t(lang, 'story.noteReport'));
      break;
    case 'map':
      lines.push(...mapText(outcome.map, lang));
      lines.push(t(lang, 'story.noteMap'));
      break;
  }
  const sectionCurrency = outcome.story === 'report' ? (outcome.sections.at(-1)?.currency ?? null) : null;
  lines.push(...ratesAndNote(ratesText(outcome.rates, sectionCurrency, lang), outcome, lang));
  for (const w of outcome.warnings) lines.push(warningLine(w, lang));
  return lines.join('\n').trimEnd();
}

// ---------------------------------------------------------------------------------------------------
// JSON: the issue's shapes per instance; `all` wraps them ({"instances": [...], "combined": {...}}).

function sectionJson(outcome: StoryOutcome, section: FunnelSection | RetentionSection | BuyersSection | ReportSection): Record<string, unknown> {
  const head = section.instance ? { instance: section.instance.id, ...(section.period ? { period: jsonPeriod(section.period) } : {}) } : {};
  switch (outcome.story) {
    case 'funnel': {
      const s = section as FunnelSection;
      return { ...head, steps: s.steps.map((st) => ({ step: st.step, count: st.count, of_previous: st.ofPrevious, of_first: st.ofFirst })), median_days_to_first_sale: s.medianDaysToFirstSale };
    }
    case 'retention': {
      const s = section as RetentionSection;
      return { ...head, cohorts: s.cohorts.map((c) => ({ month: c.month, size: c.size, active: c.active })) };
    }
    case 'buyers': {
      const s = section as BuyersSection;
      return { ...head, buyers: s.buyers, repeat_rate: s.repeatRate, repeat_buyers: s.repeatBuyers, orders_without_buyer: s.ordersWithoutBuyer };
    }
    default: {
      const s = section as ReportSection;
      const value = (key: string, v: string | null) => (v === null ? null : key === 'turnover' ? moneyToJson(v) : Number(v));
      return {
        ...head,
        currency: s.currency,
        headline: s.headline.map((h) => ({ figure: h.key, value: value(h.key, h.value), previous_year: value(h.key, h.previous), change: h.change })),
        months: s.months.map((m) => ({ month: m.date.slice(0, 7), turnover: m.turnover === null ? null : moneyToJson(m.turnover), ...(m.partial ? { partial: true } : {}) })),
      };
    }
  }
}

function mapJson(map: MapData) {
  return {
    layer: map.layer,
    instances: map.instances.map((i) => ({ instance: i.instance.id, points: i.points.map((p) => [p.latitude, p.longitude]), without_coordinates: i.withoutCoordinates })),
  };
}

export function storyJson(outcome: StoryOutcome): Record<string, unknown> {
  const common = {
    question: outcome.question,
    ...(outcome.rates.length ? { rates: outcome.rates } : {}),
    ...(outcome.note ? { note: outcome.note } : {}),
    warnings: outcome.warnings.map((w) => ({ instance: w.instance, message: w.message })),
  };
  if (outcome.story === 'map') return { ...mapJson(outcome.map), ...common };
  const sections = outcome.sections as (FunnelSection | RetentionSection | BuyersSection | ReportSection)[];
  const extra = outcome.story === 'report' ? { year: outcome.year, to_date: outcome.toDate, map: mapJson(outcome.map) } : {};
  if (!outcome.global) return { ...sectionJson(outcome, sections[0]!), ...extra, ...common };
  return {
    period: outcome.periodLabel,
    instances: sections.filter((s) => s.instance !== null).map((s) => sectionJson(outcome, s)),
    combined: sectionJson(outcome, sections.find((s) => s.instance === null)!),
    ...extra,
    ...common,
  };
}

// ---------------------------------------------------------------------------------------------------
// CSV: one line per instance and figure; `all` adds the instances added up as `all`.

export function storyCsv(outcome: StoryOutcome): string {
  const id = (s: { instance: { id: string } | null }) => s.instance?.id ?? 'all';
  switch (outcome.story) {
    case 'funnel':
      return toCsv(
        ['instance', 'step', 'count', 'of_previous', 'of_first', 'median_days_to_first_sale'],
        outcome.sections.flatMap((s) => s.steps.map((st) => [id(s), st.step, st.count, st.ofPrevious ?? '', st.ofFirst ?? '', s.medianDaysToFirstSale ?? ''])),
      );
    case 'buyers':
      return toCsv(['instance', 'buyers', 'repeat_buyers', 'repeat_rate', 'orders_without_buyer'], outcome.sections.map((s) => [id(s), s.buyers, s.repeatBuyers, s.repeatRate ?? '', s.ordersWithoutBuyer]));
    case 'retention':
      return toCsv(
        ['instance', 'cohort', 'size', ...Array.from({ length: 12 }, (_, k) => `month_${k}`)],
        outcome.sections.flatMap((s) => s.cohorts.map((c) => [id(s), c.month, c.size, ...c.active.map((v) => v ?? '')])),
      );
    case 'report':
      return toCsv(
        ['instance', 'year', 'figure', 'value', 'previous_year', 'change', 'currency'],
        outcome.sections.flatMap((s) => [
          ...s.headline.map((h) => [id(s), outcome.toDate ? `${outcome.year} to date` : outcome.year, h.key, h.value === null ? '' : h.key === 'turnover' ? roundCents(h.value) : h.value, h.previous === null ? '' : h.key === 'turnover' ? roundCents(h.previous) : h.previous, h.change ?? '', h.key === 'turnover' ? (s.currency ?? '') : 'count']),
          ...s.months.map((m) => [id(s), m.date.slice(0, 7) + (m.partial ? ' to date' : ''), 'turnover', m.turnover === null ? '' : roundCents(m.turnover), '', '', s.currency ?? '']),
        ]),
      );
    case 'map':
      // Counts only: the points are in the PNG and the JSON.
      return toCsv(['instance', 'layer', 'on_map', 'without_coordinates'], outcome.map.instances.map((i) => [i.instance.id, outcome.map.layer, i.points.length, i.withoutCoordinates]));
  }
}
