import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart, registerables } from 'chart.js';
import type { ChartConfiguration, ChartDataset, Plugin, ScaleOptions } from 'chart.js';

export interface ChartSpec {
  kind: 'line' | 'bar';
  title: string; // e.g. "Turnover · Katuma · Nov 2025 – Oct 2026"
  labels: string[]; // x labels already formatted (dates in the instance's zone, or shop names)
  datasets: { label: string; values: number[] }[]; // one series per instance for comparisons
  valueFormat: { style: 'currency'; currency: string; locale: string } | { style: 'count'; locale: string };
  width?: number; // default 800
  height?: number; // default 400
  horizontal?: boolean; // horizontal bars for rankings such as top shops
}

/**
 * The family name charts ask for. It is an alias of our own so that text can only come
 * from the font registered out of the npm package, never from whatever the host has installed
 * (charts must look the same on a laptop, in CI and in the container).
 */
export const CHART_FONT_FAMILY = 'OFN Insights Sans';

/** Tableau 10, reordered: distinguishable for common colour-vision deficiencies and on white. */
export const CHART_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#b07aa1',
  '#edc948',
  '#9c755f',
  '#ff9da7',
  '#bab0ac',
] as const;

const TEXT_COLOUR = '#1f2937';
const MUTED_TEXT_COLOUR = '#4b5563';
const GRID_COLOUR = '#e5e7eb';
const AXIS_COLOUR = '#d1d5db';
const BACKGROUND_COLOUR = '#ffffff';
const DEFAULT_WIDTH = 800;
const DEFAULT_HEIGHT = 400;
// Slack shows images scaled to the message column; 1 keeps PNGs small and renders fast,
// and 800x400 at 1x stays legible in the expanded view.
const DEVICE_PIXEL_RATIO = 1;
// Category labels (shop names) longer than this are cut so the plot area keeps its width.
const MAX_CATEGORY_LABEL_LENGTH = 28;
// Above this many points a line chart draws no point markers: they would merge into a smear.
const MAX_POINTS_WITH_MARKERS = 60;
// Up to this many x labels may be tilted so that all of them show; beyond, they stay level and skip.
const MAX_LABELS_TILTED = 31;
// Space between the legend and the plot: otherwise the top tick label crowds the legend.
const LEGEND_GAP = 10;

let fontsRegistered = false;

/** Registers the bundled font; idempotent, called by renderChart and at start. */
export function registerFonts(): void {
  if (fontsRegistered) return;
  const require = createRequire(import.meta.url);
  const fontDirectory = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']) {
    const key = GlobalFonts.registerFromPath(path.join(fontDirectory, file), CHART_FONT_FAMILY);
    if (key === null) {
      throw new Error(`could not register chart font ${file} from ${fontDirectory}`);
    }
  }
  fontsRegistered = true;
}

let chartJsRegistered = false;

function registerChartJs(): void {
  if (chartJsRegistered) return;
  Chart.register(...registerables);
  chartJsRegistered = true;
}

/** Formats axis values: the currency or a plain count, compact once the axis reaches 10,000. */
export function valueFormatter(
  format: ChartSpec['valueFormat'],
  largestMagnitude: number,
): (value: number) => string {
  const compact = largestMagnitude >= 10_000;
  const options: Intl.NumberFormatOptions =
    format.style === 'currency' ? { style: 'currency', currency: format.currency } : {};
  if (compact) {
    options.notation = 'compact';
    // Currencies default to two minimum decimals, which compact notation would render as "€30.0k".
    options.minimumFractionDigits = 0;
    options.maximumFractionDigits = 1;
  } else if (largestMagnitude >= 10 || format.style === 'count') {
    options.minimumFractionDigits = 0;
    options.maximumFractionDigits = 0;
  }
  // Otherwise small amounts (a few euros) keep the currency's own minor units, or ticks would read "€0", "€1", "€1".
  const numberFormat = new Intl.NumberFormat(format.locale, options);
  return (value) => numberFormat.format(value);
}

function truncateLabel(label: string): string {
  return label.length > MAX_CATEGORY_LABEL_LENGTH ? `${label.slice(0, MAX_CATEGORY_LABEL_LENGTH - 1)}…` : label;
}

function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Fills the canvas white before drawing: a transparent PNG turns black text unreadable in Slack's dark mode. */
const whiteBackground: Plugin = {
  id: 'ofnWhiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = BACKGROUND_COLOUR;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Chart.js has no option for the space under the legend; lengthen the legend box as it is fitted. */
const legendGap: Plugin = {
  id: 'ofnLegendGap',
  beforeInit(chart) {
    const legend = (chart as { legend?: { fit(): void; height: number } }).legend;
    if (!legend) return;
    const fit = legend.fit.bind(legend);
    legend.fit = () => {
      fit();
      // A hidden legend fits to zero height and must stay so.
      if (legend.height > 0) legend.height += LEGEND_GAP;
    };
  },
};

/** Says so when there is nothing to plot, so an empty chart is not mistaken for a broken one. */
const noDataNotice: Plugin = {
  id: 'ofnNoDataNotice',
  afterDraw(chart) {
    const hasData = chart.data.datasets.some((dataset) => dataset.data.length > 0) && chart.data.labels?.length !== 0;
    if (hasData) return;
    const { ctx, chartArea } = chart;
    ctx.save();
    ctx.fillStyle = MUTED_TEXT_COLOUR;
    ctx.font = `14px "${CHART_FONT_FAMILY}"`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('No data for this period', (chartArea.left + chartArea.right) / 2, (chartArea.top + chartArea.bottom) / 2);
    ctx.restore();
  },
};

/** Pure: the Chart.js configuration for a spec (theme, axis formatting with the currency, no animation). */
export function chartConfiguration(spec: ChartSpec): ChartConfiguration {
  const horizontal = spec.kind === 'bar' && spec.horizontal === true;
  const multiple = spec.datasets.length > 1;
  const pointCount = spec.labels.length;

  const hasData = spec.labels.length > 0 && spec.datasets.some((d) => d.values.length > 0);
  const largestMagnitude = Math.max(0, ...spec.datasets.flatMap((d) => d.values.map((v) => Math.abs(v))));
  const formatValue = valueFormatter(spec.valueFormat, largestMagnitude);

  const datasets: ChartDataset<'line' | 'bar'>[] = spec.datasets.map((series, index) => {
    const colour = CHART_PALETTE[index % CHART_PALETTE.length]!;
    if (spec.kind === 'line') {
      const markers = pointCount <= MAX_POINTS_WITH_MARKERS;
      return {
        type: 'line',
        label: series.label,
        data: series.values,
        borderColor: colour,
        backgroundColor: multiple ? colour : withAlpha(colour, 0.12),
        // One series gets a light area under it; comparisons stay as plain lines so they don't hide each other.
        fill: !multiple,
        borderWidth: pointCount > 120 ? 1.5 : 2,
        pointRadius: markers ? 3 : 0,
        pointHoverRadius: 0,
        pointBackgroundColor: colour,
        // Monotone curves never overshoot the data (a smoothed dip below a real minimum would lie);
        // dense daily series are drawn straight, where curves would only cost time.
        ...(markers ? { cubicInterpolationMode: 'monotone' as const } : { tension: 0 }),
      } satisfies ChartDataset<'line'>;
    }
    return {
      type: 'bar',
      label: series.label,
      data: series.values,
      backgroundColor: colour,
      borderColor: colour,
      borderWidth: 0,
      borderRadius: 2,
      maxBarThickness: 48,
    } satisfies ChartDataset<'bar'>;
  });

  const font = (size: number, weight: 'normal' | 'bold' = 'normal') => ({ family: CHART_FONT_FAMILY, size, weight });

  const valueAxis = {
    type: 'linear',
    beginAtZero: true,
    border: { display: false },
    grid: { color: GRID_COLOUR, drawTicks: false },
    ticks: {
      // Without data the axis would show an invented 0–1 range.
      display: hasData,
      color: MUTED_TEXT_COLOUR,
      font: font(12),
      padding: 8,
      maxTicksLimit: 8,
      // Counts (orders, customers) never have fractional ticks.
      ...(spec.valueFormat.style === 'count' ? { precision: 0 } : {}),
      callback: (value: number | string) => formatValue(Number(value)),
    },
  } satisfies ScaleOptions<'linear'>;

  const categoryAxis = {
    type: 'category',
    border: { color: AXIS_COLOUR },
    grid: { display: false },
    ticks: {
      color: MUTED_TEXT_COLOUR,
      font: font(12),
      // Horizontal rankings show every shop. Up to a month of labels may tilt so that each one shows;
      // longer timelines (365 days) stay level and skip to what fits.
      autoSkip: !horizontal && pointCount > MAX_LABELS_TILTED,
      autoSkipPadding: 16,
      maxRotation: horizontal || pointCount > MAX_LABELS_TILTED ? 0 : 45,
      minRotation: 0,
      // Chart.js hands category ticks their index; look the label up so the callback stays pure.
      callback: (value: number | string) => truncateLabel(spec.labels[Number(value)] ?? String(value)),
    },
  } satisfies ScaleOptions<'category'>;

  return {
    type: spec.kind,
    data: { labels: [...spec.labels], datasets: datasets as ChartDataset[] },
    plugins: [whiteBackground, legendGap, noDataNotice],
    options: {
      responsive: false,
      maintainAspectRatio: false,
      animation: false,
      devicePixelRatio: DEVICE_PIXEL_RATIO,
      indexAxis: horizontal ? 'y' : 'x',
      layout: { padding: { top: 8, right: 24, bottom: 12, left: 12 } },
      events: [],
      color: TEXT_COLOUR,
      font: font(12),
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        title: {
          display: spec.title.length > 0,
          text: spec.title,
          color: TEXT_COLOUR,
          font: font(16, 'bold'),
          align: 'start',
          padding: { top: 4, bottom: multiple ? 8 : 16 },
        },
        legend: {
          display: multiple,
          position: 'top',
          align: 'start',
          labels: {
            color: TEXT_COLOUR,
            font: font(12),
            boxWidth: 12,
            boxHeight: 12,
            padding: 16,
          },
        },
        tooltip: { enabled: false },
      },
    },
  } as ChartConfiguration;
}

/** Renders a PNG in-process with Chart.js on @napi-rs/canvas. */
export async function renderChart(spec: ChartSpec): Promise<Buffer> {
  registerFonts();
  registerChartJs();
  const width = spec.width ?? DEFAULT_WIDTH;
  const height = spec.height ?? DEFAULT_HEIGHT;
  const canvas = createCanvas(width, height);
  // Text shaping follows the host language otherwise; pin it so output is the same everywhere.
  canvas.getContext('2d').lang = 'en';
  // Chart.js only needs getContext('2d') and width/height, which the native canvas provides.
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], chartConfiguration(spec));
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
