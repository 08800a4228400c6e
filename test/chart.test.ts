import { GlobalFonts } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { CHART_FONT_FAMILY, chartConfiguration, chartSize, PIXEL_RATIO, registerFonts, renderChart, type ChartSpec } from '../src/render/chart.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which a valid PNG has right after its signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const months = ['Nov 2025', 'Dec 2025', 'Jan 2026', 'Feb 2026', 'Mar 2026', 'Apr 2026'];

function turnoverSpec(overrides: Partial<ChartSpec> = {}): ChartSpec {
  return {
    kind: 'line',
    title: 'Turnover · Katuma · Nov 2025 – Apr 2026',
    labels: months,
    datasets: [{ label: 'Katuma', values: [18_000, 24_500, 28_400, 27_900, 27_600, 24_100] }],
    valueFormat: { style: 'currency', currency: 'EUR', locale: 'en-GB' },
    ...overrides,
  };
}

type TickCallback = (value: number | string, index: number, ticks: unknown[]) => unknown;

/** Chart.js's option types are deep unions; tests only need to reach into a few known paths. */
/** The PNG's pixels: the chart's CSS size at the pixel ratio (laid out at Slack's width, drawn sharp). */
function pixels(spec: ChartSpec): { width: number; height: number } {
  const { width, height } = chartSize(spec);
  return { width: width * PIXEL_RATIO, height: height * PIXEL_RATIO };
}

function scales(spec: ChartSpec): Record<'x' | 'y', { ticks: { callback: TickCallback; display?: boolean } }> {
  return chartConfiguration(spec).options?.scales as never;
}

function plugins(spec: ChartSpec): { legend: { display: boolean }; title: { text: string[]; display: boolean } } {
  return chartConfiguration(spec).options?.plugins as never;
}

describe('registerFonts', () => {
  it('registers the packaged font under our own family name, idempotently', () => {
    registerFonts();
    registerFonts();
    expect(GlobalFonts.has(CHART_FONT_FAMILY)).toBe(true);
  });
});

describe('chartConfiguration', () => {
  it('turns animation and responsiveness off', () => {
    const options = chartConfiguration(turnoverSpec()).options!;
    expect(options.animation).toBe(false);
    expect(options.responsive).toBe(false);
  });

  it('formats value ticks in the currency, compact for large amounts', () => {
    const { y } = scales(turnoverSpec());
    expect(y.ticks.callback(25_000, 0, [])).toBe('€25k');
    expect(y.ticks.callback(0, 0, [])).toBe('€0');
  });

  it('formats small amounts with the cents and other locales their own way', () => {
    const small = scales(turnoverSpec({ datasets: [{ label: 'Fees', values: [1.5, 2.25] }] }));
    expect(small.y.ticks.callback(2.5, 0, [])).toBe('€2.50');

    const french = scales(turnoverSpec({ valueFormat: { style: 'currency', currency: 'EUR', locale: 'fr-FR' } }));
    // fr-FR separates with narrow no-break spaces; compare with those normalised.
    // Charts are in English: the locale's decimal mark and currency place, with K and M rather than its words.
    expect(String(french.y.ticks.callback(1_500_000, 0, [])).replace(/\s/g, ' ')).toBe('1,5M €');
    const spanish = scales(turnoverSpec({ valueFormat: { style: 'currency', currency: 'EUR', locale: 'es-ES' } }));
    expect(String(spanish.y.ticks.callback(40_000, 0, [])).replace(/\s/g, ' ')).toBe('40K €');
    expect(String(spanish.y.ticks.callback(12_500, 0, [])).replace(/\s/g, ' ')).toBe('12,5K €');
    const german = scales(turnoverSpec({ valueFormat: { style: 'currency', currency: 'EUR', locale: 'de-DE' } }));
    expect(String(german.y.ticks.callback(1_500_000, 0, [])).replace(/\s/g, ' ')).toBe('1,5M €');
    expect(String(german.y.ticks.callback(-20_000, 0, [])).replace(/\s/g, ' ')).toBe('-20K €');
    const spanishCounts = scales(turnoverSpec({ valueFormat: { style: 'count', locale: 'es-ES' } }));
    expect(spanishCounts.y.ticks.callback(45_000, 0, [])).toBe('45K');

    const pounds = scales(turnoverSpec({ valueFormat: { style: 'currency', currency: 'GBP', locale: 'en-GB' } }));
    expect(pounds.y.ticks.callback(12_000, 0, [])).toBe('£12k');
  });

  it('formats counts without a currency', () => {
    const { y } = scales(
      turnoverSpec({ datasets: [{ label: 'Orders', values: [1200, 800] }], valueFormat: { style: 'count', locale: 'en-GB' } }),
    );
    expect(y.ticks.callback(1200, 0, [])).toBe('1,200');
  });

  it('puts values on the x axis of horizontal bars and shortens long shop names', () => {
    const longName = 'The Really Long Named Cooperative Food Hub of Somewhere';
    const spec = turnoverSpec({
      kind: 'bar',
      horizontal: true,
      labels: ['Fenton Farm Shop', longName],
      datasets: [{ label: 'Turnover', values: [12_450, 9_800] }],
    });
    const { x, y } = scales(spec);
    expect(x.ticks.callback(10_000, 0, [])).toBe('€10k');
    expect(y.ticks.callback(0, 0, [])).toBe('Fenton Farm Shop');
    const shortened = String(y.ticks.callback(1, 1, []));
    expect(shortened.endsWith('…')).toBe(true);
    expect(shortened.length).toBeLessThan(longName.length);
    expect(chartConfiguration(spec).options?.indexAxis).toBe('y');
  });

  it('shows a legend and distinct colours only when several series are compared', () => {
    const single = turnoverSpec();
    expect(plugins(single).legend.display).toBe(false);

    const compared = turnoverSpec({
      datasets: ['Katuma', 'OFN UK', 'OFN France', 'OFN Australia'].map((label, i) => ({
        label,
        values: months.map((_, j) => 100 * (i + 1) + j),
      })),
    });
    expect(plugins(compared).legend.display).toBe(true);
    const datasets = chartConfiguration(compared).data.datasets;
    expect(datasets.map((d) => d.label)).toEqual(['Katuma', 'OFN UK', 'OFN France', 'OFN Australia']);
    const colours = datasets.map((d) => d.borderColor);
    expect(new Set(colours).size).toBe(colours.length);
  });

  it('carries the title, wrapped between its parts to fit Slack width', () => {
    expect(plugins(turnoverSpec()).title).toMatchObject({ display: true, text: ['Turnover · Katuma · Nov 2025 – Apr 2026'] });
    const long = turnoverSpec({ title: 'Turnover · Katuma · 1 ene 2026 – 29 nov 2026, to date (Europe/Madrid)' });
    expect(plugins(long).title.text).toEqual(['Turnover · Katuma', '1 ene 2026 – 29 nov 2026, to date (Europe/Madrid)']);
  });

  it('hides the value ticks when there is no data rather than inventing a 0–1 range', () => {
    expect(scales(turnoverSpec({ labels: [], datasets: [] })).y.ticks.display).toBe(false);
    expect(scales(turnoverSpec()).y.ticks.display).toBe(true);
  });
});

describe('renderChart', () => {
  it('renders a PNG at Slack width, twice the pixels', async () => {
    const png = await renderChart(turnoverSpec());
    expect(chartSize(turnoverSpec()).width).toBe(480);
    expect(pngSize(png)).toEqual({ width: 960, height: pixels(turnoverSpec()).height });
  });

  it('renders the requested size, for bars and horizontal bars', async () => {
    const bars = await renderChart(turnoverSpec({ kind: 'bar', width: 640, height: 320 }));
    expect(pngSize(bars)).toEqual({ width: 640 * PIXEL_RATIO, height: 320 * PIXEL_RATIO });
    const rankingSpec = turnoverSpec({ kind: 'bar', horizontal: true, labels: ['A', 'B'], datasets: [{ label: 'T', values: [2, 1] }] });
    expect(pngSize(await renderChart(rankingSpec))).toEqual(pixels(rankingSpec));
  });

  it('renders a year of daily points', async () => {
    const labels = Array.from({ length: 365 }, (_, i) => `day ${i + 1}`);
    const spec = turnoverSpec({ labels, datasets: [{ label: 'Katuma', values: labels.map((_, i) => 400 + (i % 30) * 10) }] });
    expect(pngSize(await renderChart(spec))).toEqual(pixels(spec));
  });

  it('still renders when there is nothing to plot', async () => {
    const noSeries = turnoverSpec({ labels: [], datasets: [] });
    expect(pngSize(await renderChart(noSeries))).toEqual(pixels(noSeries));
    const emptySeries = turnoverSpec({ kind: 'bar', datasets: [{ label: 'Katuma', values: [] }] });
    expect(pngSize(await renderChart(emptySeries))).toEqual(pixels(emptySeries));
  });
});
