import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, GlobalFonts, type Canvas } from '@napi-rs/canvas';
import { Chart, registerables } from 'chart.js';
import type { ChartConfiguration, ChartDataset, Plugin, ScaleOptions } from 'chart.js';
import { drawFigure, figureSize, withAlpha, type Figure } from './figure.js';

/** How a chart's values read: money in one currency, or a count; always in the instance's locale. */
export type ValueFormat = { style: 'currency'; currency: string; locale: string } | { style: 'count'; locale: string };

/** One series: a value per label; null where the value is undefined (an average over no orders), drawn as a gap. */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

/**
 * One value axis of a chart drawn in panels: amounts in different currencies never share an axis, so
 * each currency gets its own panel, stacked over the same bucket labels.
 */
export interface ChartPanel {
  /** Shown on the panel's axis, e.g. "EUR". */
  title: string;
  valueFormat: ValueFormat;
  /** Indices into `ChartSpec.datasets` drawn in this panel. */
  datasets: number[];
}

export interface ChartSpec {
  kind: 'line' | 'bar';
  title: string; // e.g. "Turnover · Katuma · 1 Nov 2025 – 31 Oct 2026 (Europe/Madrid)"
  /** How to read the chart: exchange rates, which bucket is to date, what "Others" holds. */
  subtitle?: string;
  labels: string[]; // x labels already formatted (dates in the instance's zone, or shop names)
  datasets: ChartSeries[]; // one series per instance for comparisons
  /** The value axis; with `panels`, each panel has its own and this is the first panel's. */
  valueFormat: ValueFormat;
  /** Set when the amounts are in several currencies and no rates are known: one panel per currency. */
  panels?: ChartPanel[];
  /** The index of the bucket that contains now (drawn lighter, or dashed for lines): it is not over. */
  partialIndex?: number;
  /** What is written over that bucket, in the chart's language (default "to date"). */
  partialLabel?: string;
  /** The index of the bar that aggregates the rest ("Other 57 shops"), drawn in grey. */
  othersIndex?: number;
  /** Prints each bar's value at its end, in the locale and currency (rankings, short series). */
  valueLabels?: boolean;
  /** Width and height in CSS pixels, as Slack shows the image; the PNG has PIXEL_RATIO times as many. */
  width?: number; // default 480
  height?: number; // default: what the title, legend and plot need (chartSize)
  horizontal?: boolean; // horizontal bars for rankings such as top shops
  /**
   * A drawing Chart.js has no chart for (a heat map, a map, the yearly report page): drawn under the
   * title by render/figure.ts; `labels` and `datasets` then only describe it (alt text).
   */
  figure?: Figure;
  /** With a report figure: its monthly chart, drawn by Chart.js and placed on the page. */
  inset?: ChartSpec;
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
const OTHERS_COLOUR = '#9ca3af';
const GRID_COLOUR = '#e5e7eb';
const AXIS_COLOUR = '#d1d5db';
const BACKGROUND_COLOUR = '#ffffff';
/**
 * Slack shows an image 360–500 px wide in the message column. Charts are laid out at that size in CSS
 * pixels, so 11 px text stays 11 px there, and drawn at twice the pixels so the expanded view is sharp.
 */
export const DEFAULT_WIDTH = 480;
// Plot heights in CSS pixels: a line or column chart, one currency panel, one horizontal bar.
const PLOT_HEIGHT = 180;
const PANEL_PLOT_HEIGHT = 115;
const BAR_ROW_HEIGHT = 21;
export const PIXEL_RATIO = 2;
const FONT_SIZE = 11;
const TITLE_SIZE = 13;
// Category labels (shop names) longer than this are cut with an ellipsis; the value label at the bar's end stays whole.
const MAX_CATEGORY_LABEL_LENGTH = 22;
// Above this many points a line chart draws no point markers: they would merge into a smear.
const MAX_POINTS_WITH_MARKERS = 40;
// Up to this many x labels may be tilted so that all of them show; beyond, they stay level and skip.
const MAX_LABELS_TILTED = 16;
// Space between the legend and the plot: otherwise the top tick label crowds the legend.
const LEGEND_GAP = 6;
// DejaVu Sans: digits are 0.636 em wide and most letters narrower; used to fit titles and value labels without a canvas.
const AVERAGE_CHAR_EM = 0.62;
const BOLD_CHAR_EM = 0.7;
// What the value axis's ticks and the paddings take from the width of a vertical chart.
const VALUE_AXIS_ROOM = 80;

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

// Chart.js's controllers, scales and elements, registered once as this module loads.
Chart.register(...registerables);

// Grouping always: es-ES leaves 4-digit numbers ungrouped (9168 € beside 12.438 € on one axis).
const GROUPING = { useGrouping: 'always' } as unknown as Intl.NumberFormatOptions;

/** The number options of a value format: grouped, in its currency when it has one. */
function numberOptions(format: ValueFormat): Intl.NumberFormatOptions {
  return { ...GROUPING, ...(format.style === 'currency' ? { style: 'currency', currency: format.currency } : {}) };
}

/** Formats axis values: the currency or a plain count, compact once the axis reaches 10,000. */
export function valueFormatter(format: ValueFormat, largestMagnitude: number): (value: number) => string {
  const compact = largestMagnitude >= 10_000;
  const options = numberOptions(format);
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
  if (!compact || /^en\b/i.test(format.locale)) return (value) => numberFormat.format(value);
  // Charts are in English: a Spanish instance's axis must not read "40 mil €" nor a German one "1,5 Mio. €".
  // The figure keeps the locale's own decimal mark and currency place, with the English K, M and B after it.
  delete options.notation;
  const mantissa = new Intl.NumberFormat(format.locale, options);
  return (value) => {
    const size = Math.abs(value);
    const [divisor, suffix] = size >= 1e9 ? [1e9, 'B'] : size >= 1e6 ? [1e6, 'M'] : size >= 1e3 ? [1e3, 'K'] : [1, ''];
    const parts = mantissa.formatToParts(value / divisor);
    const last = parts.findLastIndex((p) => p.type === 'integer' || p.type === 'fraction');
    return parts.map((p, i) => (i === last ? p.value + suffix : p.value)).join('');
  };
}

/**
 * Formats the value printed on a bar: the full figure in the locale and currency, whole units once the
 * largest value reaches 1,000 (cents would not fit at Slack's size; the message beside the chart has them).
 */
export function valueLabelFormatter(format: ValueFormat, largestMagnitude: number): (value: number) => string {
  const options = numberOptions(format);
  if (format.style === 'count' || largestMagnitude >= 1000) {
    options.minimumFractionDigits = 0;
    options.maximumFractionDigits = 0;
  }
  const numberFormat = new Intl.NumberFormat(format.locale, options);
  return (value) => numberFormat.format(value);
}

/**
 * Breaks text into lines that fit `width` px at `size` px: between " · " parts first (a title's question,
 * instance and period each stay whole where they fit), then between words.
 */
export function wrapText(text: string, width: number, size: number, bold = false): string[] {
  const perLine = Math.max(8, Math.floor(width / (size * (bold ? BOLD_CHAR_EM : AVERAGE_CHAR_EM))));
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(' · ')) {
    const candidate = line ? `${line} · ${part}` : part;
    if (candidate.length <= perLine) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    for (const word of part.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (next.length <= perLine || !line) line = next;
      else {
        lines.push(line);
        line = word;
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Category labels cut to fit: with an ellipsis at the end, or in the middle where two cut names would
 * read the same ("OFN Australia Launces…" twice): their different endings stay visible.
 */
export function shortLabels(labels: readonly string[], max = MAX_CATEGORY_LABEL_LENGTH): string[] {
  const cut = labels.map((label) => (label.length > max ? `${label.slice(0, max - 1).trimEnd()}…` : label));
  const seen = new Map<string, number>();
  for (const label of cut) seen.set(label, (seen.get(label) ?? 0) + 1);
  const head = Math.ceil((max - 1) / 2) - 2;
  const tail = max - 1 - head;
  return cut.map((label, i) => {
    const whole = labels[i]!;
    if (label === whole || (seen.get(label) ?? 0) < 2) return label;
    return `${whole.slice(0, head).trimEnd()}…${whole.slice(-tail).trimStart()}`;
  });
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
    ctx.font = `${FONT_SIZE + 1}px "${CHART_FONT_FAMILY}"`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('No data for this period', (chartArea.left + chartArea.right) / 2, (chartArea.top + chartArea.bottom) / 2);
    ctx.restore();
  },
};

/** Prints each bar's value at its end: right of a horizontal bar, above a vertical one. */
function valueLabelsPlugin(texts: (string | null)[][], horizontal: boolean): Plugin {
  return {
    id: 'ofnValueLabels',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = TEXT_COLOUR;
      ctx.font = `${FONT_SIZE}px "${CHART_FONT_FAMILY}"`;
      ctx.textAlign = horizontal ? 'left' : 'center';
      ctx.textBaseline = horizontal ? 'middle' : 'bottom';
      chart.data.datasets.forEach((_, datasetIndex) => {
        const meta = chart.getDatasetMeta(datasetIndex);
        if (meta.hidden) return;
        meta.data.forEach((element, index) => {
          const text = texts[datasetIndex]?.[index];
          if (!text) return;
          const { x, y } = element.getProps(['x', 'y'], true) as { x: number; y: number };
          ctx.fillText(text, horizontal ? x + 4 : x, horizontal ? y : y - 3);
        });
      });
      ctx.restore();
    },
  };
}

/**
 * Writes "to date" over the bucket containing now: among 48 weekly bars a lighter bar alone is easy to
 * miss, and its axis label may be one that is skipped.
 */
function partialMarkerPlugin(index: number, label = 'to date'): Plugin {
  return {
    id: 'ofnPartialMarker',
    afterDatasetsDraw(chart) {
      const tops: { x: number; y: number }[] = [];
      chart.data.datasets.forEach((_, datasetIndex) => {
        const meta = chart.getDatasetMeta(datasetIndex);
        const element = meta.hidden ? undefined : meta.data[index];
        const value = chart.data.datasets[datasetIndex]?.data[index];
        if (element && typeof value === 'number' && Number.isFinite(value)) tops.push(element.getProps(['x', 'y'], true) as { x: number; y: number });
      });
      if (tops.length === 0) return;
      const { ctx, chartArea } = chart;
      const x = tops.reduce((sum, t) => sum + t.x, 0) / tops.length;
      const y = Math.min(...tops.map((t) => t.y));
      ctx.save();
      ctx.fillStyle = MUTED_TEXT_COLOUR;
      ctx.strokeStyle = MUTED_TEXT_COLOUR;
      ctx.font = `${FONT_SIZE - 1}px "${CHART_FONT_FAMILY}"`;
      const half = ctx.measureText(label).width / 2;
      // In the band the axis's grace keeps free above the bars, kept inside the plot (the bucket in
      // progress is usually the last, at the right edge), with a dotted line down to the bar.
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(label, Math.min(Math.max(x, chartArea.left + half), chartArea.right - half), chartArea.top + 1);
      const lineTop = chartArea.top + FONT_SIZE + 3;
      if (y - 4 > lineTop) {
        ctx.lineWidth = 1;
        ctx.setLineDash([2, 2]);
        ctx.beginPath();
        ctx.moveTo(x, lineTop);
        ctx.lineTo(x, y - 4);
        ctx.stroke();
      }
      ctx.restore();
    },
  };
}

/** What the value labels need beside the bars: the widest label, estimated from its characters. */
function labelRoom(texts: (string | null)[][]): number {
  const longest = Math.max(0, ...texts.flat().map((t) => t?.length ?? 0));
  return Math.ceil(longest * FONT_SIZE * AVERAGE_CHAR_EM) + 10;
}

/**
 * Whether each vertical bar's value fits above it without touching its neighbours' (12 monthly values
 * in euros do not at Slack's width: they would overlap into one unreadable line).
 */
export function verticalLabelsFit(spec: ChartSpec): boolean {
  const bars = spec.labels.length * Math.max(1, spec.datasets.length);
  if (bars === 0) return false;
  const slot = ((spec.width ?? DEFAULT_WIDTH) - VALUE_AXIS_ROOM) / bars;
  const format = valueLabelFormatter(spec.valueFormat, largestOf(spec.datasets.flatMap((d) => d.values)));
  const longest = Math.max(...spec.datasets.flatMap((d) => d.values.map((v) => (v === null ? 0 : format(v).length))));
  return longest * FONT_SIZE * AVERAGE_CHAR_EM + 4 <= slot;
}

/**
 * The text printed at the end of each bar (per dataset, per label; null for a gap), in the locale and the
 * panel's currency; none when the spec asks for none or, for columns, when they would not fit.
 */
export function valueLabelsOf(spec: ChartSpec): (string | null)[][] {
  const horizontal = spec.kind === 'bar' && spec.horizontal === true;
  if (spec.valueLabels !== true || spec.kind !== 'bar' || !(horizontal || verticalLabelsFit(spec))) return [];
  const panels = panelsOf(spec);
  return spec.datasets.map((series, index) => {
    const panel = panels.find((p) => p.datasets.includes(index)) ?? panels[0]!;
    const format = valueLabelFormatter(panel.valueFormat, largestOf(series.values));
    return series.values.map((v) => (v === null || Number.isNaN(v) ? null : format(v)));
  });
}

function largestOf(values: readonly (number | null)[]): number {
  return Math.max(0, ...values.map((v) => (v === null || Number.isNaN(v) ? 0 : Math.abs(v))));
}

/**
 * The size a chart is drawn at, in CSS pixels: the spec's, or 480 wide and as tall as its title lines,
 * legend, plot (one row per bar of a ranking, one band per currency panel) and labels need.
 */
export function chartSize(spec: ChartSpec): { width: number; height: number } {
  const width = spec.width ?? DEFAULT_WIDTH;
  if (spec.height !== undefined) return { width, height: spec.height };
  const textWidth = width - 24;
  const titleLines = spec.title ? wrapText(spec.title, textWidth, TITLE_SIZE, true).length : 0;
  const subtitleLines = spec.subtitle ? wrapText(spec.subtitle, textWidth, FONT_SIZE).length : 0;
  if (spec.figure) return figureSize(spec.figure, titleLines, subtitleLines);
  const header = 16 + titleLines * 17 + subtitleLines * 14 + (spec.datasets.length > 1 ? 24 : 0);
  const horizontal = spec.kind === 'bar' && spec.horizontal === true;
  if (horizontal) return { width, height: header + 12 + Math.max(3, spec.labels.length) * BAR_ROW_HEIGHT };
  const tilted = spec.labels.length > 6 && spec.labels.length <= MAX_LABELS_TILTED;
  const plot = spec.panels && spec.panels.length > 1 ? spec.panels.length * PANEL_PLOT_HEIGHT : PLOT_HEIGHT;
  return { width, height: header + plot + (tilted ? 56 : 26) };
}

/**
 * A panel's axis title, written up its side: in two lines when it is longer than a panel is tall
 * ("Boutiques / actives"), cut at the space nearest its middle.
 */
export function panelTitleLines(title: string): string | string[] {
  if (title.length <= 14 || !title.includes(' ')) return title;
  const middle = title.length / 2;
  let cut = -1;
  for (let i = title.indexOf(' '); i >= 0; i = title.indexOf(' ', i + 1)) if (cut < 0 || Math.abs(i - middle) < Math.abs(cut - middle)) cut = i;
  return [title.slice(0, cut), title.slice(cut + 1)];
}

/** The panels a spec is drawn in: its own, or one value axis for all its series. */
export function panelsOf(spec: ChartSpec): ChartPanel[] {
  return spec.panels ?? [{ title: '', valueFormat: spec.valueFormat, datasets: spec.datasets.map((_, i) => i) }];
}

/** Pure: the Chart.js configuration for a spec (theme, axis formatting with the currency, no animation). */
export function chartConfiguration(spec: ChartSpec): ChartConfiguration {
  const horizontal = spec.kind === 'bar' && spec.horizontal === true;
  const multiple = spec.datasets.length > 1;
  const pointCount = spec.labels.length;
  const { width } = chartSize(spec);
  const panels = panelsOf(spec);
  const panelled = spec.panels !== undefined && spec.panels.length > 1;
  const axisOf = new Map<number, string>();
  panels.forEach((panel, p) => panel.datasets.forEach((d) => axisOf.set(d, panelled ? `y${p}` : horizontal ? 'x' : 'y')));

  const hasData = spec.labels.length > 0 && spec.datasets.some((d) => d.values.length > 0);
  const partial = spec.partialIndex;

  const datasets: ChartDataset<'line' | 'bar'>[] = spec.datasets.map((series, index) => {
    const colour = CHART_PALETTE[index % CHART_PALETTE.length]!;
    const axis = axisOf.get(index) ?? 'y';
    if (spec.kind === 'line') {
      const markers = pointCount <= MAX_POINTS_WITH_MARKERS;
      return {
        type: 'line',
        label: series.label,
        data: series.values,
        yAxisID: axis,
        borderColor: colour,
        backgroundColor: multiple ? colour : withAlpha(colour, 0.12),
        // One series gets a light area under it; comparisons stay as plain lines so they don't hide each other.
        fill: !multiple,
        borderWidth: pointCount > 120 ? 1.5 : 2,
        pointRadius: (ctx: { dataIndex: number }) => (markers || ctx.dataIndex === partial ? 3 : 0),
        pointHoverRadius: 0,
        pointBorderColor: colour,
        // The bucket still in progress is a hollow point reached by a dashed segment: it will still grow.
        pointBackgroundColor: (ctx: { dataIndex: number }) => (ctx.dataIndex === partial ? BACKGROUND_COLOUR : colour),
        segment: { borderDash: (ctx: { p1DataIndex: number }) => (ctx.p1DataIndex === partial ? [4, 3] : undefined) },
        // Straight segments: a smoothed curve passes through values that were never measured.
        tension: 0,
        cubicInterpolationMode: 'default',
        spanGaps: false,
      } as unknown as ChartDataset<'line'>;
    }
    const fillOf = (i: number) => (i === spec.othersIndex ? OTHERS_COLOUR : i === partial ? withAlpha(colour, 0.35) : colour);
    return {
      type: 'bar',
      label: series.label,
      data: series.values,
      ...(horizontal ? {} : { yAxisID: axis }),
      backgroundColor: series.values.map((_, i) => fillOf(i)),
      borderColor: series.values.map((_, i) => (i === spec.othersIndex ? OTHERS_COLOUR : colour)),
      // Only the bucket in progress gets an outline: a light bar with its colour's edge reads "not over yet".
      borderWidth: series.values.map((_, i) => (i === partial ? 1.5 : 0)),
      borderRadius: 2,
      maxBarThickness: horizontal ? 18 : 40,
      categoryPercentage: horizontal ? 0.85 : 0.8,
    } as unknown as ChartDataset<'bar'>;
  });

  const font = (size: number, weight: 'normal' | 'bold' = 'normal') => ({ family: CHART_FONT_FAMILY, size, weight });

  const valueLabelTexts = valueLabelsOf(spec);
  const labelled = valueLabelTexts.length > 0;

  // `underAnother`: a panel below another, whose top tick would print over the upper panel's zero.
  const valueAxisOf = (panel: ChartPanel, underAnother = false): ScaleOptions<'linear'> => {
    const values = panel.datasets.flatMap((d) => spec.datasets[d]?.values ?? []);
    const formatValue = valueFormatter(panel.valueFormat, largestOf(values));
    // A horizontal ranking prints every value on its bar: its value axis would only repeat them, smaller.
    const showTicks = hasData && !(horizontal && labelled);
    return {
      type: 'linear',
      beginAtZero: true,
      // Room above the tallest bar for its value label, or for "to date" over the bucket in progress.
      ...(!horizontal && (labelled || partial !== undefined) ? { grace: '12%' } : {}),
      border: { display: false },
      // In panels each zero line is drawn as dark as an axis: it is where one currency's panel ends.
      grid: { color: panelled ? (ctx: { tick?: { value: number } }) => (ctx.tick?.value === 0 ? AXIS_COLOUR : GRID_COLOUR) : GRID_COLOUR, drawTicks: false, display: showTicks },
      // Headroom above each panel's highest point keeps it clear of the baseline of the panel above.
      ...(panelled ? { stack: 'currencies', stackWeight: 1, grace: '10%' } : {}),
      ...(panelled
        ? { title: { display: true, text: panelTitleLines(panel.title), color: TEXT_COLOUR, font: font(FONT_SIZE, 'bold'), padding: { top: 0, bottom: 2 } } }
        : {}),
      ticks: {
        // Without data the axis would show an invented 0–1 range.
        display: showTicks,
        color: MUTED_TEXT_COLOUR,
        font: font(FONT_SIZE),
        padding: 6,
        maxTicksLimit: panelled ? 4 : 6,
        // Counts (orders, customers) never have fractional ticks.
        ...(panel.valueFormat.style === 'count' ? { precision: 0 } : {}),
        callback: (value: number | string, index: number, ticks: unknown[]) =>
          underAnother && index === ticks.length - 1 ? '' : formatValue(Number(value)),
      },
    } as ScaleOptions<'linear'>;
  };

  const categoryLabels = horizontal ? shortLabels(spec.labels) : spec.labels;
  const categoryAxis = {
    type: 'category',
    border: { color: AXIS_COLOUR },
    grid: { display: false },
    ticks: {
      color: MUTED_TEXT_COLOUR,
      font: font(FONT_SIZE),
      // Horizontal rankings show every shop. A few labels may tilt so that each one shows;
      // longer timelines (a month of days, a year of weeks) stay level and skip to what fits.
      autoSkip: !horizontal && pointCount > MAX_LABELS_TILTED,
      autoSkipPadding: 12,
      maxRotation: horizontal || pointCount > MAX_LABELS_TILTED ? 0 : 50,
      minRotation: 0,
      // Chart.js hands category ticks their index; look the label up so the callback stays pure.
      callback: (value: number | string) => (horizontal ? categoryLabels : spec.labels)[Number(value)] ?? String(value),
    },
  } satisfies ScaleOptions<'category'>;

  const scales: Record<string, ScaleOptions> = {};
  if (horizontal) {
    scales.x = valueAxisOf(panels[0]!);
    scales.y = categoryAxis;
  } else {
    scales.x = categoryAxis;
    // Chart.js stacks left axes from the bottom up: define them in reverse so the first panel is on top.
    if (panelled) [...panels.entries()].reverse().forEach(([p, panel]) => (scales[`y${p}`] = { ...valueAxisOf(panel, p > 0), position: 'left' } as ScaleOptions));
    else scales.y = valueAxisOf(panels[0]!);
  }

  const textWidth = width - 24;
  const title = spec.title.length > 0 ? wrapText(spec.title, textWidth, TITLE_SIZE, true) : [];
  const subtitle = spec.subtitle ? wrapText(spec.subtitle, textWidth, FONT_SIZE) : [];
  const plugins: Plugin[] = [whiteBackground, legendGap, noDataNotice];
  if (labelled) plugins.push(valueLabelsPlugin(valueLabelTexts, horizontal));
  // A column with its value printed already says where it stands; the marker would sit on that value.
  else if (partial !== undefined && !horizontal) plugins.push(partialMarkerPlugin(partial, spec.partialLabel));

  return {
    type: spec.kind,
    data: { labels: [...spec.labels], datasets: datasets as ChartDataset[] },
    plugins,
    options: {
      responsive: false,
      maintainAspectRatio: false,
      animation: false,
      devicePixelRatio: PIXEL_RATIO,
      indexAxis: horizontal ? 'y' : 'x',
      layout: {
        padding: { top: 6, right: horizontal && labelled ? labelRoom(valueLabelTexts) : 14, bottom: 6, left: 8 },
      },
      events: [],
      color: TEXT_COLOUR,
      font: font(FONT_SIZE),
      scales,
      plugins: {
        title: {
          display: title.length > 0,
          text: title,
          color: TEXT_COLOUR,
          font: font(TITLE_SIZE, 'bold'),
          align: 'start',
          padding: { top: 2, bottom: subtitle.length > 0 ? 2 : multiple ? 4 : 10 },
        },
        subtitle: {
          display: subtitle.length > 0,
          text: subtitle,
          color: MUTED_TEXT_COLOUR,
          font: font(FONT_SIZE),
          align: 'start',
          padding: { top: 0, bottom: multiple ? 4 : 10 },
        },
        legend: {
          display: multiple,
          position: 'top',
          align: 'start',
          labels: {
            color: TEXT_COLOUR,
            font: font(FONT_SIZE),
            boxWidth: 10,
            boxHeight: 10,
            padding: 10,
          },
        },
        tooltip: { enabled: false },
      },
    },
  } as ChartConfiguration;
}

/** Renders a PNG in-process with Chart.js on @napi-rs/canvas: width × height CSS pixels at PIXEL_RATIO. */
export async function renderChart(spec: ChartSpec): Promise<Buffer> {
  registerFonts();
  if (spec.figure) return renderFigure(spec, spec.figure);
  const { canvas, chart } = drawChart(spec);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}

/** A spec drawn by Chart.js on a canvas of its own, width × height CSS pixels. */
function drawChart(spec: ChartSpec): { canvas: Canvas; chart: Chart; width: number; height: number } {
  const size = chartSize(spec);
  const canvas = createCanvas(size.width, size.height);
  // Text shaping follows the host language otherwise; pin it so output is the same everywhere.
  canvas.getContext('2d').lang = 'en';
  // Chart.js only needs getContext('2d') and width/height, which the native canvas provides; it scales
  // the canvas to width × PIXEL_RATIO itself.
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], chartConfiguration(spec));
  return { canvas, chart, ...size };
}

/** A figure (heat map, map, report page) on a canvas of its own: title, subtitle, then the drawing. */
async function renderFigure(spec: ChartSpec, figure: Figure): Promise<Buffer> {
  const { width, height } = chartSize(spec);
  const canvas = createCanvas(width * PIXEL_RATIO, height * PIXEL_RATIO);
  const ctx = canvas.getContext('2d');
  ctx.lang = 'en';
  ctx.scale(PIXEL_RATIO, PIXEL_RATIO);
  ctx.fillStyle = BACKGROUND_COLOUR;
  ctx.fillRect(0, 0, width, height);
  let top = 8;
  if (figure.kind !== 'report') {
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = TEXT_COLOUR;
    ctx.font = `bold ${TITLE_SIZE}px "${CHART_FONT_FAMILY}"`;
    for (const line of wrapText(spec.title, width - 24, TITLE_SIZE, true)) {
      ctx.fillText(line, 8, top);
      top += 17;
    }
    ctx.fillStyle = MUTED_TEXT_COLOUR;
    ctx.font = `${FONT_SIZE}px "${CHART_FONT_FAMILY}"`;
    for (const line of spec.subtitle ? wrapText(spec.subtitle, width - 24, FONT_SIZE) : []) {
      ctx.fillText(line, 8, top);
      top += 14;
    }
    top += 6;
  }
  const inset = spec.inset ? drawChart(spec.inset) : undefined;
  try {
    drawFigure(ctx, figure, top, width, { font: CHART_FONT_FAMILY, palette: CHART_PALETTE, text: TEXT_COLOUR, muted: MUTED_TEXT_COLOUR }, inset);
    return await canvas.encode('png');
  } finally {
    inset?.chart.destroy();
  }
}
