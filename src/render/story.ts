import type { StoryOutcome, FunnelSection, RetentionSection, BuyersSection, ReportSection, MapData } from '../core/story.js';
import { formatCount, formatMoney, formatPercent, moneyToJson, roundCents } from '../core/money.js';
import { jsonPeriod } from './answer.js';
import { toCsv } from './csv-writer.js';
import { bucketLabel, describePeriod } from './format.js';
import { formatChange, ratesText } from './growth.js';
import { alignTable } from './table.js';

/** Text, JSON and CSV of `funnel`, `retention`, `buyers`, `report` and `map` (issue 16). */

const LOCALE = 'en-GB';
export const STEP_LABELS: Record<string, string> = {
  created: 'Created in the period',
  shop: 'Became shops',
  first_sale: 'Made a first sale',
  three_months: 'Sold in 3+ months',
};

export const STORY_TITLES: Record<StoryOutcome['story'], string> = {
  funnel: 'Funnel',
  retention: 'Retention',
  buyers: 'Buyers',
  report: 'Yearly report',
  map: 'Map',
};

type Section = { instance: { name: string; locale: string } | null; period: Parameters<typeof describePeriod>[0] | null };

function heading(outcome: StoryOutcome, section: Section, count: number): string {
  if (!section.instance) return `All ${count} instances · ${outcome.periodLabel}, each in its own time zone`;
  return `${section.instance.name}${section.period ? ` · ${describePeriod(section.period, section.instance.locale)}` : ''}`;
}

function instanceCount(outcome: StoryOutcome): number {
  if (outcome.story === 'map') return outcome.map.instances.length;
  return outcome.sections.filter((s) => s.instance !== null).length;
}

export function storyTitle(outcome: StoryOutcome): string {
  const n = instanceCount(outcome);
  const what = outcome.story === 'map' ? `Map of ${outcome.map.layer}` : outcome.story === 'report' ? `Report ${outcome.year}${outcome.toDate ? ' (to date)' : ''}` : STORY_TITLES[outcome.story];
  const only = outcome.story === 'map' ? outcome.map.instances : outcome.sections;
  const name = n === 1 && only[0]?.instance ? only[0].instance.name : `${n} instance${n === 1 ? '' : 's'}`;
  return `${what} · ${name}`;
}

function funnelText(outcome: StoryOutcome, s: FunnelSection, n: number): string[] {
  const l = s.instance?.locale ?? LOCALE;
  return [
    heading(outcome, s, n),
    alignTable(
      ['Step', 'Enterprises', '% of previous', '% of created'],
      s.steps.map((st) => [STEP_LABELS[st.step]!, formatCount(st.count, l), formatPercent(st.ofPrevious, l), formatPercent(st.ofFirst, l)]),
      ['left', 'right', 'right', 'right'],
    ),
    `Median days from creation to first sale: ${s.medianDaysToFirstSale === null ? '— (no sale yet)' : formatCount(s.medianDaysToFirstSale, l)}`,
    '',
  ];
}

function buyersText(outcome: StoryOutcome, s: BuyersSection, n: number): string[] {
  const l = s.instance?.locale ?? LOCALE;
  return [
    heading(outcome, s, n),
    `Buyers: ${formatCount(s.buyers, l)}, of whom ${formatCount(s.repeatBuyers, l)} ordered twice or more (repeat rate ${formatPercent(s.repeatRate, l)})`,
    ...(s.ordersWithoutBuyer ? [`${formatCount(s.ordersWithoutBuyer, l)} sales orders had neither a user nor a customer record and are not counted.`] : []),
    '',
  ];
}

export function cohortLabel(month: string, locale = LOCALE): string {
  return bucketLabel(`${month}-01`, 'month', locale);
}

function retentionText(outcome: StoryOutcome, s: RetentionSection, n: number): string[] {
  const l = s.instance?.locale ?? LOCALE;
  if (s.cohorts.length === 0) return [heading(outcome, s, n), 'No shop made its first sale in this period.', ''];
  const width = Math.max(...s.cohorts.map((c) => c.active.length));
  return [
    heading(outcome, s, n),
    alignTable(
      ['First sale', 'Shops', ...Array.from({ length: width }, (_, k) => `+${k}`)],
      s.cohorts.map((c) => [cohortLabel(c.month, l), formatCount(c.size, l), ...c.active.map((v) => (v === null ? '' : Math.round(v).toString()))]),
    ),
    '',
  ];
}

function headlineValue(s: ReportSection, key: string, value: string | null): string {
  const l = s.instance?.locale ?? LOCALE;
  if (value === null) return 'n/a';
  return key === 'turnover' ? (s.currency ? formatMoney(roundCents(value), s.currency, l) : 'n/a') : formatCount(value, l);
}

function reportText(outcome: Extract<StoryOutcome, { story: 'report' }>, s: ReportSection, n: number): string[] {
  const l = s.instance?.locale ?? LOCALE;
  return [
    heading(outcome, s, n),
    alignTable(
      ['Figure', String(outcome.year) + (outcome.toDate ? ' to date' : ''), String(outcome.year - 1) + (outcome.toDate ? ' same days' : ''), 'Change'],
      s.headline.map((h) => [h.label, headlineValue(s, h.key, h.value), headlineValue(s, h.key, h.previous), formatChange(h.change, l)]),
      ['left', 'right', 'right', 'right'],
    ),
    'Turnover by month',
    alignTable(['Month', 'Turnover'], s.months.map((m) => [`${bucketLabel(m.date, 'month', l)}${m.partial ? ' (to date)' : ''}`, m.turnover === null || !s.currency ? 'n/a' : formatMoney(roundCents(m.turnover), s.currency, l)])),
    '',
  ];
}

function mapText(map: MapData): string[] {
  return map.instances.map(
    (i) => `${i.instance.name}: ${formatCount(i.points.length, LOCALE)} public ${map.layer} on the map${i.withoutCoordinates ? `, ${formatCount(i.withoutCoordinates, LOCALE)} without coordinates (not shown)` : ''}`,
  );
}

export function storyText(outcome: StoryOutcome): string {
  const n = instanceCount(outcome);
  const lines = [storyTitle(outcome), ''];
  switch (outcome.story) {
    case 'funnel':
      for (const s of outcome.sections) lines.push(...funnelText(outcome, s, n));
      lines.push('Shops: sells own or any today, or distributed a sales order (it was a shop then). Sales are counted up to now.');
      break;
    case 'buyers':
      for (const s of outcome.sections) lines.push(...buyersText(outcome, s, n));
      lines.push('A buyer is the order’s user, or for a guest order its shop’s customer record (a guest at two shops counts twice); never shown who.');
      break;
    case 'retention':
      for (const s of outcome.sections) lines.push(...retentionText(outcome, s, n));
      lines.push('Each cell: % of the shops that first sold in that month which sold again k months later (+0 = the first month, always 100). Blank: not yet.');
      break;
    case 'report':
      for (const s of outcome.sections) lines.push(...reportText(outcome, s, n));
      lines.push(...mapText(outcome.map));
      if (outcome.toDate) lines.push(`${outcome.year} is not over: every figure is to date, compared with the same days of ${outcome.year - 1}.`);
      lines.push('Shops, producers and hubs: those existing at the end of the period, by today’s type.');
      break;
    case 'map':
      lines.push(...mapText(outcome.map));
      lines.push('Only enterprises OFN lists publicly, at their own address, rounded to about 1 km.');
      break;
  }
  const sectionCurrency = outcome.story === 'report' ? (outcome.sections.at(-1)?.currency ?? null) : null;
  const rates = ratesText(outcome.rates, sectionCurrency);
  if (rates) lines.push(rates);
  if (outcome.note) lines.push(outcome.note);
  for (const w of outcome.warnings) lines.push(`⚠ ${w.name}: ${w.message}`);
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
