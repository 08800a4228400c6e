import Big from 'big.js';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { AnswerPeriod, GlobalAnswer, InstanceRef, RankingAnswer, SeriesAnswer } from '../src/core/answer.js';
import type { CurrencySettings } from '../src/core/exchange.js';
import { chartSpecFor, chartSpecOf, DEFAULT_TOP_SHOPS, globalChartSpec } from '../src/render/answer-chart.js';
import { chartConfiguration, chartSize, PIXEL_RATIO, renderChart, valueLabelsOf, type ChartSpec } from '../src/render/chart.js';

// Issue 13, "Honest charts": straight lines or bars, counts as bars, top shops plus one bar for the rest,
// value labels, one currency per axis, the bucket containing now marked and nothing drawn after it.

const ZONE = 'Europe/Madrid';
// In English (language: en): these tests read what the chart says, not which language it says it in (test/i18n.test.ts).
const katuma: InstanceRef = { id: 'katuma', name: 'Katuma', timezone: ZONE, currency: 'EUR', locale: 'es-ES', language: 'en' };
const france: InstanceRef = { id: 'fr', name: 'OFN France', timezone: 'Europe/Paris', currency: 'EUR', locale: 'fr-FR' };
const uk: InstanceRef = { id: 'uk', name: 'OFN UK', timezone: 'Europe/London', currency: 'GBP', locale: 'en-GB' };
const australia: InstanceRef = { id: 'au', name: 'OFN Australia', timezone: 'Australia/Melbourne', currency: 'AUD', locale: 'en-AU' };

function period(from: string, to: string): AnswerPeriod {
  return { label: `${from}..${to}`, from: DateTime.fromISO(from, { zone: ZONE }), to: DateTime.fromISO(to, { zone: ZONE }), timezone: ZONE };
}

function days(from: string, n: number): string[] {
  const start = DateTime.fromISO(from);
  return Array.from({ length: n }, (_, i) => start.plus({ days: i }).toISODate()!);
}

const MONTHS = ['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01', '2026-05-01', '2026-06-01', '2026-07-01', '2026-08-01', '2026-09-01', '2026-10-01', '2026-11-01'];

function series(overrides: Partial<SeriesAnswer> & Pick<SeriesAnswer, 'rows'>): SeriesAnswer {
  return {
    kind: 'series',
    question: 'turnover katuma 2026 by month',
    title: 'Turnover',
    measure: 'Turnover',
    instance: katuma,
    period: period('2026-01-01', '2026-12-01'),
    unit: 'money',
    grain: 'month',
    ...overrides,
  };
}

/** 72 shops with decimal turnovers, largest first; the total is their exact sum. */
function shops72(): { rows: RankingAnswer['rows']; total: string } {
  const rows = Array.from({ length: 72 }, (_, i) => ({
    enterpriseId: i + 1,
    name: i === 0 ? 'La Cooperativa Agroecològica del Baix Empordà' : `Shop ${i + 1}`,
    value: new Big(20000).div(i + 1).round(2).plus('0.07').toFixed(2),
    orders: 100 - i,
  }));
  return { rows, total: rows.reduce((sum, r) => sum.plus(r.value!), new Big(0)).toFixed(2) };
}

function ranking(overrides: Partial<RankingAnswer> = {}): RankingAnswer {
  const { rows, total } = shops72();
  return {
    kind: 'ranking',
    question: 'turnover katuma 2026-10 by shop',
    title: 'Turnover by shop',
    measure: 'Turnover',
    instance: katuma,
    period: period('2026-10-01', '2026-11-01'),
    unit: 'money',
    rows,
    total: { value: total },
    ...overrides,
  };
}

function compare(unit: 'money' | 'count', instances: InstanceRef[], partialLast = false): GlobalAnswer {
  return {
    kind: 'global',
    question: 'compare turnover',
    title: unit === 'money' ? 'Turnover' : 'Orders',
    unit,
    periodLabel: 'last-12-months',
    warnings: [],
    results: instances.map((instance, k) =>
      series({
        instance,
        unit,
        rows: MONTHS.map((date, i) => ({
          date,
          value: unit === 'money' ? `${1000 * (k + 1) + i}.50` : String(10 * (k + 1) + i),
          ...(partialLast && i === MONTHS.length - 1 ? { partial: true } : {}),
        })),
      }),
    ),
  };
}

const NO_RATES: CurrencySettings = { exchangeRates: { flat: {}, monthly: {} } };
const RATES: CurrencySettings = { reportingCurrency: 'EUR', exchangeRates: { flat: { AUD: '0.6', GBP: '1.17' }, monthly: { '2026-10': { AUD: '0.61' } } } };

type Dataset = Record<string, unknown> & { type: string; label: string; yAxisID?: string };

function datasetsOf(spec: ChartSpec): Dataset[] {
  return chartConfiguration(spec).data.datasets as unknown as Dataset[];
}

function scalesOf(spec: ChartSpec): Record<string, { ticks: { callback: (v: number, i: number, t: unknown[]) => unknown }; stack?: string }> {
  return chartConfiguration(spec).options?.scales as never;
}

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.toString('latin1', 1, 4)).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('no smoothing: straight lines or bars, counts as bars', () => {
  it('draws a year of daily turnover as straight segments, never a curve', () => {
    const spec = chartSpecFor(series({ grain: 'day', rows: days('2025-11-01', 365).map((date, i) => ({ date, value: String(400 + (i % 7) * 90) })) }))!;
    expect(spec.kind).toBe('line');
    for (const dataset of datasetsOf(spec)) {
      expect(dataset.tension).toBe(0);
      expect(dataset.cubicInterpolationMode).toBe('default');
    }
  });

  it('draws monthly, weekly and daily money in a month as bars', () => {
    expect(chartSpecFor(series({ rows: MONTHS.map((date) => ({ date, value: '100.00' })) }))!.kind).toBe('bar');
    expect(chartSpecFor(series({ grain: 'week', rows: days('2026-01-05', 45).filter((_, i) => i % 7 === 0).map((date) => ({ date, value: '1.00' })) }))!.kind).toBe('bar');
    expect(chartSpecFor(series({ grain: 'day', rows: days('2026-10-01', 31).map((date) => ({ date, value: '1.00' })) }))!.kind).toBe('bar');
  });

  it('draws counts as bars even over a year of days, with whole-number ticks', () => {
    const spec = chartSpecFor(series({ unit: 'count', title: 'Orders', grain: 'day', rows: days('2025-11-01', 365).map((date, i) => ({ date, value: String(i % 5) })) }))!;
    expect(spec.kind).toBe('bar');
    expect(datasetsOf(spec).every((d) => d.type === 'bar')).toBe(true);
    expect((chartConfiguration(spec).options?.scales?.y?.ticks as { precision?: number }).precision).toBe(0);
    const orders = globalChartSpec(compare('count', [katuma, uk, australia]), NO_RATES)!;
    expect(orders.kind).toBe('bar');
  });

  it('draws every comparison line straight', () => {
    const spec = globalChartSpec(compare('money', [katuma, france]), NO_RATES)!;
    expect(spec.kind).toBe('line');
    expect(datasetsOf(spec).map((d) => d.tension)).toEqual([0, 0]);
  });
});

describe('by-shop charts: the top shops and one bar for the rest', () => {
  it('shows the top 15 of 72 shops and "Other 57 shops", adding up to the total to the cent', () => {
    const answer = ranking();
    const spec = chartSpecFor(answer)!;
    expect(DEFAULT_TOP_SHOPS).toBe(15);
    expect(spec.labels).toHaveLength(16);
    expect(spec.labels.slice(0, 15)).toEqual(answer.rows.slice(0, 15).map((r) => r.name));
    expect(spec.labels[15]).toBe('Other 57 shops');
    expect(spec.othersIndex).toBe(15);
    const drawn = spec.datasets[0]!.values.reduce((sum: Big, v) => sum.plus(String(v)), new Big(0));
    expect(drawn.toFixed(2)).toBe(answer.total!.value);
    // Without a total the other bar is the rest of the rows, still exact.
    const withoutTotal = chartSpecFor({ ...answer, total: undefined } as RankingAnswer)!;
    const restOfRows = answer.rows.slice(15).reduce((sum, r) => sum.plus(r.value!), new Big(0));
    expect(String(withoutTotal.datasets[0]!.values[15])).toBe(restOfRows.toString());
  });

  it('takes another N, and puts every shop beyond a cut answer into the other bar', () => {
    expect(chartSpecFor(ranking(), { topShops: 5 })!.labels).toHaveLength(6);
    const answer = ranking();
    const top5 = chartSpecFor({ ...answer, question: 'top-shops 5 katuma 2026-10', rows: answer.rows.slice(0, 5), totalRows: 72 })!;
    expect(top5.labels[5]).toBe('Other 67 shops');
    const drawn = top5.datasets[0]!.values.reduce((sum: Big, v) => sum.plus(String(v)), new Big(0));
    expect(drawn.toFixed(2)).toBe(answer.total!.value);
  });

  it('never adds averages up into an "others" bar', () => {
    const { rows } = shops72();
    const averages = rows.map((r, i) => ({ ...r, value: `${30 + (i % 20)}.25` }));
    const spec = chartSpecFor(ranking({ question: 'average-order katuma 2026-10 by shop', title: 'Average order', rows: averages, total: { value: '41.10', orders: 3600 } }))!;
    expect(spec.labels).toHaveLength(15);
    expect(spec.othersIndex).toBeUndefined();
    expect(spec.subtitle).toContain('15 of 72 shops');
  });

  it('prints every bar value at its end in the instance locale and currency, and cuts only the names', () => {
    const spec = chartSpecFor(ranking())!;
    const labels = valueLabelsOf(spec);
    expect(labels).toHaveLength(1);
    expect(labels[0]).toHaveLength(16);
    expect(labels[0]!.every((text) => text !== null && text.endsWith('€'))).toBe(true);
    // es-ES, grouped from the thousands (es-ES alone would leave 4-digit numbers bare).
    expect(labels[0]![0]!.replace(/\s/g, ' ')).toBe('20.000 €');
    expect(labels[0]![4]!.replace(/\s/g, ' ')).toBe('4.000 €');
    const plugins = chartConfiguration(spec).plugins!.map((p) => p.id);
    expect(plugins).toContain('ofnValueLabels');
    const names = scalesOf(spec).y!.ticks.callback(0, 0, []) as string;
    expect(names.endsWith('…')).toBe(true);
    expect(names.length).toBeLessThanOrEqual(22);
  });

  it('cuts two names that would read the same in the middle, so their endings tell them apart', () => {
    const { rows } = shops72();
    const names = ['OFN Australia Launceston Buying Group', 'OFN Australia Launceston Mushrooms', 'Mercat Verd'];
    const spec = chartSpecFor(ranking({ rows: rows.slice(0, 3).map((r, i) => ({ ...r, name: names[i]! })) }))!;
    const shown = [0, 1, 2].map((i) => scalesOf(spec).y!.ticks.callback(i, i, []) as string);
    expect(new Set(shown).size).toBe(3);
    expect(shown[0]).toMatch(/^OFN Austr.*….*Buying Group$/);
    expect(shown[1]).toMatch(/….*Mushrooms$/);
    expect(shown[2]).toBe('Mercat Verd');
  });

  it('is tall enough for one readable row per bar at Slack width', () => {
    const { width, height } = chartSize(chartSpecFor(ranking())!);
    expect(width).toBe(480);
    expect(height / 16).toBeGreaterThanOrEqual(20);
  });
});

describe('one currency per axis', () => {
  it('keeps instances in one currency on that currency axis', () => {
    const spec = globalChartSpec(compare('money', [katuma, france]), RATES)!;
    expect(spec.valueFormat).toMatchObject({ style: 'currency', currency: 'EUR' });
    expect(spec.panels).toBeUndefined();
  });

  it('converts mixed currencies to the reporting currency and names each rate', () => {
    const spec = globalChartSpec(compare('money', [katuma, australia, uk]), RATES)!;
    expect(spec.panels).toBeUndefined();
    expect(spec.valueFormat).toMatchObject({ style: 'currency', currency: 'EUR' });
    expect(spec.title).toContain('(in EUR)');
    expect(spec.subtitle).toContain('1 AUD = 0.61 EUR in Oct 2026, 0.6 EUR otherwise');
    expect(spec.subtitle).toContain('1 GBP = 1.17 EUR');
    // October's AUD at its own rate, the other months at the flat one: 2009.50 × 0.61, 2000.50 × 0.6.
    expect(spec.datasets[1]!.values[9]).toBe(1225.795);
    expect(spec.datasets[1]!.values[0]).toBe(1200.3);
  });

  it('without rates, draws one panel per currency, each axis in its own currency', () => {
    for (const config of [NO_RATES, { reportingCurrency: 'EUR', exchangeRates: { flat: { GBP: '1.17' }, monthly: {} } }]) {
      const spec = globalChartSpec(compare('money', [katuma, australia, uk, france]), config)!;
      expect(spec.panels!.map((p) => p.title)).toEqual(['EUR', 'AUD', 'GBP']);
      for (const panel of spec.panels!) {
        expect(panel.valueFormat).toMatchObject({ style: 'currency', currency: panel.title });
        for (const index of panel.datasets) expect(spec.datasets[index]!.label).toContain(`(${panel.title})`);
      }
      expect(spec.panels!.flatMap((p) => p.datasets).sort()).toEqual([0, 1, 2, 3]);
      // Chart.js: one stacked value axis per panel, each dataset on its own currency's axis.
      const scales = scalesOf(spec);
      expect(['y0', 'y1', 'y2'].map((id) => scales[id]!.stack)).toEqual(['currencies', 'currencies', 'currencies']);
      expect(datasetsOf(spec).map((d) => d.yAxisID)).toEqual(['y0', 'y1', 'y2', 'y0']);
      expect(scales.y1!.ticks.callback(5000, 0, [1, 2, 3])).toBe('A$5,000');
      expect(scales.y2!.ticks.callback(3000, 0, [1, 2, 3])).toBe('£3,000');
      expect(scales.y0!.ticks.callback(1000, 0, [1, 2, 3])).toBe('€1,000');
    }
    expect(globalChartSpec(compare('money', [katuma, australia]), NO_RATES)!.subtitle).toContain('one panel per currency');
  });

  it('reaches the panels through chartSpecOf, as Slack and pulses call it', () => {
    const spec = chartSpecOf({ kind: 'global', answer: compare('money', [katuma, uk]), presentation: { chart: true, public: false } }, NO_RATES)!;
    expect(spec.panels).toHaveLength(2);
  });
});

describe('the bucket containing now', () => {
  const rows = [
    ...MONTHS.slice(0, 10).map((date) => ({ date, value: '20000.00' })),
    { date: '2026-11-01', value: '9000.00', partial: true },
    { date: '2026-12-01', value: '0.00' }, // a bucket after now: never drawn, even if an answer still carries it
  ];

  it('is marked "(to date)" and drawn lighter with an outline; nothing after it is drawn', () => {
    const spec = chartSpecFor(series({ rows }))!;
    expect(spec.labels).toHaveLength(11);
    expect(spec.labels[10]).toMatch(/\(to date\)$/);
    expect(spec.partialIndex).toBe(10);
    expect(spec.subtitle).toContain('to date');
    const [bars] = datasetsOf(spec) as unknown as [{ backgroundColor: string[]; borderWidth: number[] }];
    expect(bars.backgroundColor[10]).not.toBe(bars.backgroundColor[9]);
    expect(bars.backgroundColor[10]).toMatch(/^rgba\(.*0\.35\)$/);
    expect(bars.borderWidth[10]).toBeGreaterThan(0);
    expect(bars.borderWidth[9]).toBe(0);
    // Twelve monthly values would overlap at Slack width: no value labels, and "to date" written over the bar.
    expect(valueLabelsOf(spec)).toEqual([]);
    expect(chartConfiguration(spec).plugins!.map((p) => p.id)).toContain('ofnPartialMarker');
  });

  it('ends a line with a dashed segment to a hollow point', () => {
    const daily = days('2025-12-01', 364).map((date) => ({ date, value: '500.00' }));
    daily[363] = { ...daily[363]!, partial: true } as (typeof daily)[number];
    const spec = chartSpecFor(series({ grain: 'day', rows: daily }))!;
    expect(spec.kind).toBe('line');
    const [line] = datasetsOf(spec) as unknown as [{ segment: { borderDash: (ctx: { p1DataIndex: number }) => unknown }; pointBackgroundColor: (ctx: { dataIndex: number }) => string }];
    expect(line.segment.borderDash({ p1DataIndex: 363 })).toEqual([4, 3]);
    expect(line.segment.borderDash({ p1DataIndex: 362 })).toBeUndefined();
    expect(line.pointBackgroundColor({ dataIndex: 363 })).toBe('#ffffff');
  });

  it('is marked in comparisons too', () => {
    const spec = globalChartSpec(compare('count', [katuma, uk], true), NO_RATES)!;
    expect(spec.partialIndex).toBe(10);
    expect(spec.labels[10]).toMatch(/\(to date\)$/);
  });

  it('leaves an instance bucket it has no row for as a gap, not a zero', () => {
    const answer = compare('money', [katuma, france]);
    const second = answer.results[1] as SeriesAnswer;
    answer.results[1] = { ...second, rows: second.rows.slice(0, 10) };
    const spec = globalChartSpec(answer, NO_RATES)!;
    expect(spec.datasets[1]!.values[10]).toBeNull();
  });
});

describe('the PNG of each chart kind', () => {
  const kinds: [string, ChartSpec][] = [
    ['monthly money', chartSpecFor(series({ rows: MONTHS.map((date) => ({ date, value: '21000.00' })) }))!],
    ['daily counts', chartSpecFor(series({ unit: 'count', grain: 'day', rows: days('2026-10-01', 31).map((date, i) => ({ date, value: String(i % 9) })) }))!],
    ['72 shops', chartSpecFor(ranking())!],
    ['converted comparison', globalChartSpec(compare('money', [katuma, australia, uk], true), RATES)!],
    ['panels per currency', globalChartSpec(compare('money', [katuma, australia, uk], true), NO_RATES)!],
  ];
  it.each(kinds)('renders %s at Slack width, twice the pixels', async (_, spec) => {
    const { width, height } = chartSize(spec);
    expect(width).toBe(480);
    expect(pngSize(await renderChart(spec))).toEqual({ width: width * PIXEL_RATIO, height: height * PIXEL_RATIO });
  });
});
