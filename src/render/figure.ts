import { createRequire } from 'node:module';
import { geoBounds, geoEqualEarth, geoMercator, geoPath, type GeoContext, type GeoProjection } from 'd3-geo';
import { feature } from 'topojson-client';
import type { SKRSContext2D, Canvas } from '@napi-rs/canvas';
import type { FeatureCollection, Geometry } from 'geojson';
import { cached } from '../core/memo.js';

/**
 * Drawings Chart.js has no chart for, on the same canvas: the retention heat map, maps of
 * enterprises (Natural Earth outlines from the world-atlas package, projected with d3-geo; nothing
 * fetched at run time) and the yearly report page. chart.ts calls `drawFigure` for a spec that
 * carries a figure; this module imports nothing of chart.ts (the theme arrives as `FigureTheme`).
 */

export interface HeatmapFigure {
  kind: 'heatmap';
  /** Row labels (cohorts) and a note each (the cohort's size). */
  rows: { label: string; note: string }[];
  columns: string[];
  /** Over the row labels, in the chart's language (default "First sale"). */
  corner?: string;
  /** Said instead of the grid when it has no row, in the chart's language. */
  empty?: string;
  /** Percent 0–100, or null for a month not started. */
  cells: (number | null)[][];
  /** Under the grid: how to read it. */
  footer: string[];
}

export interface MapGroup {
  label: string;
  points: { latitude: number; longitude: number }[];
}

export interface MapFigure {
  kind: 'map';
  groups: MapGroup[];
  footer: string[];
  /** What a point is ("shops"), for an inset's label. */
  noun?: string;
  /** An inset's label, in the chart's language (default "Inset, at its own scale:"). */
  insetLabel?: string;
}

export interface ReportTile {
  label: string;
  value: string;
  /** "+12.3 % vs 2024", or "no 2024 figure". */
  change: string;
  /** Direction for the colour: up, down or none. */
  trend: 'up' | 'down' | 'none';
}

export interface ReportFigure {
  kind: 'report';
  heading: string;
  subheading: string;
  tiles: ReportTile[];
  /** The monthly turnover chart, already drawn by chart.ts. */
  chartTitle: string;
  /** A table for `all`: one row per instance, under `title` (default "By instance"). */
  table?: { header: string[]; rows: string[][]; title?: string };
  map: MapFigure;
  mapTitle: string;
  footer: string[];
}

export type Figure = HeatmapFigure | MapFigure | ReportFigure;

export interface FigureTheme {
  font: string;
  palette: readonly string[];
  text: string;
  muted: string;
}

// --- sizes (CSS pixels) --------------------------------------------------------------------------

const HEAT_LABEL = 124;
const HEAT_CELL_W = 30;
const HEAT_CELL_H = 20;
/** A4 portrait at 96 px per inch; drawn at twice the pixels, so about 190 dpi on paper. */
export const PAGE = { width: 794, height: 1123 };
const MAP_WIDTH = 480;

export function figureSize(figure: Figure, titleLines: number, subtitleLines: number): { width: number; height: number } {
  const header = 14 + titleLines * 17 + subtitleLines * 14;
  switch (figure.kind) {
    case 'heatmap':
      return { width: Math.max(480, HEAT_LABEL + 16 + figure.columns.length * HEAT_CELL_W), height: header + 22 + Math.max(1, figure.rows.length) * HEAT_CELL_H + 12 + figure.footer.length * 13 };
    case 'map': {
      const layout = mapLayout(figure.groups, MAP_WIDTH - 16);
      return { width: MAP_WIDTH, height: header + layout.height + (figure.groups.length > 1 ? 20 : 0) + 8 + figure.footer.length * 13 + 6 };
    }
    case 'report':
      return PAGE;
  }
}

// --- heat map ------------------------------------------------------------------------------------

/** White to OFN blue; the text turns white on the darker half. */
function heatColour(percent: number): string {
  const t = Math.max(0, Math.min(1, percent / 100));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(226, 37)}, ${mix(233, 87)}, ${mix(242, 140)})`;
}

/** Writes `text` at (x, y) in the theme's font at `font` (size, and weight if any: "bold 15px"), in `colour`. */
function write(ctx: SKRSContext2D, theme: FigureTheme, text: string, x: number, y: number, font: string, colour: string, align: 'left' | 'center' | 'right' = 'left'): void {
  ctx.font = `${font} "${theme.font}"`;
  ctx.fillStyle = colour;
  ctx.textAlign = align;
  ctx.fillText(text, x, y);
}

function drawHeatmap(ctx: SKRSContext2D, f: HeatmapFigure, top: number, theme: FigureTheme): void {
  const left = 8;
  const gridLeft = left + HEAT_LABEL;
  ctx.textBaseline = 'middle';
  f.columns.forEach((c, k) => write(ctx, theme, c, gridLeft + k * HEAT_CELL_W + HEAT_CELL_W / 2, top + 8, '10px', theme.muted, 'center'));
  write(ctx, theme, f.corner ?? 'First sale', left, top + 8, '10px', theme.muted);
  const gridTop = top + 18;
  f.rows.forEach((row, r) => {
    const y = gridTop + r * HEAT_CELL_H;
    write(ctx, theme, row.label, left, y + HEAT_CELL_H / 2, '11px', theme.text);
    write(ctx, theme, row.note, gridLeft - 4, y + HEAT_CELL_H / 2, '9px', theme.muted, 'right');
    f.cells[r]!.forEach((v, k) => {
      const x = gridLeft + k * HEAT_CELL_W;
      // Not started yet: nothing drawn, unlike a 0 % cell, which is tinted and says 0.
      if (v === null) return;
      ctx.fillStyle = heatColour(v);
      ctx.fillRect(x + 1, y + 1, HEAT_CELL_W - 2, HEAT_CELL_H - 2);
      write(ctx, theme, `${Math.round(v)}`, x + HEAT_CELL_W / 2, y + HEAT_CELL_H / 2 + 0.5, '10px', v >= 55 ? '#ffffff' : theme.text, 'center');
    });
  });
  if (f.rows.length === 0) write(ctx, theme, f.empty ?? 'No shop made its first sale in this period.', gridLeft, gridTop + HEAT_CELL_H / 2, '10px', theme.muted);
  drawFooter(ctx, f.footer, gridTop + Math.max(1, f.rows.length) * HEAT_CELL_H + 12, theme);
}

function drawFooter(ctx: SKRSContext2D, lines: readonly string[], top: number, theme: FigureTheme, size = 10, left = 8): void {
  ctx.textBaseline = 'middle';
  lines.forEach((line, i) => write(ctx, theme, line, left, top + i * (size + 3), `${size}px`, theme.muted));
}

// --- maps ----------------------------------------------------------------------------------------

type Countries = FeatureCollection<Geometry>;
/** The countries, each with its bounding box in degrees ([[west, south], [east, north]]; west > east across the antimeridian). */
type Outlines = { all: Countries; bounds: [[number, number], [number, number]][] };
const outlines = new Map<string, Outlines>();

/** Natural Earth countries from the world-atlas package (1:50m for regions, 1:110m for the world), read once. */
function countries(scale: '50m' | '110m'): Outlines {
  return cached(outlines, scale, () => {
    const require = createRequire(import.meta.url);
    const topology = require(`world-atlas/countries-${scale}.json`);
    const all = feature(topology, topology.objects.countries) as unknown as Countries;
    return { all, bounds: all.features.map((f) => geoBounds(f)) };
  });
}

/**
 * The countries that reach into a frame: projecting all of the 1:50m world for a country's map is most
 * of a map's drawing time, and everything outside the frame is clipped anyway. A world frame, or a
 * frame whose corners do not invert, gets every country.
 */
export function countriesIn(frame: Pick<Frame, 'box' | 'projection' | 'world'>): Countries {
  const { all, bounds } = countries(frame.world ? '110m' : '50m');
  if (frame.world) return all;
  const corners = [
    [0, 0],
    [frame.box.width, 0],
    [0, frame.box.height],
    [frame.box.width, frame.box.height],
  ].map((xy) => frame.projection.invert?.(xy as [number, number]));
  if (corners.some((c) => !c || !Number.isFinite(c[0]) || !Number.isFinite(c[1]))) return all;
  const lons = corners.map((c) => c![0]);
  const lats = corners.map((c) => c![1]);
  const [w, e, s, n] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const features = all.features.filter((_, i) => {
    const [[west, south], [east, north]] = bounds[i]!;
    if (west > east) return true; // across the antimeridian (Russia, Fiji): kept, clipped as before
    return west <= e && east >= w && south <= n && north >= s;
  });
  return { type: 'FeatureCollection', features };
}

interface Frame {
  /** Points (group index, lon, lat) drawn in this frame. */
  points: { group: number; lon: number; lat: number }[];
  box: { x: number; y: number; width: number; height: number };
  projection: GeoProjection;
  world: boolean;
  /** Set on an inset: what it shows. */
  inset?: boolean;
}

/**
 * Points grouped by nearness (1° cells joined within 4°): the largest group sets the main frame, and a
 * far, small group that would more than triple its area (the Canary Islands beside mainland Spain)
 * gets an inset instead of shrinking everything. Points on several continents get the world.
 */
export function mapLayout(groups: readonly MapGroup[], width: number): { height: number; frames: Frame[] } {
  const points = groups.flatMap((g, group) => g.points.map((p) => ({ group, lon: p.longitude, lat: p.latitude })));
  const lons = points.map((p) => p.lon);
  if (points.length === 0 || Math.max(...lons) - Math.min(...lons) > 90) {
    const projection = geoEqualEarth().fitWidth(width, { type: 'Sphere' });
    const height = Math.round(width * (points.length === 0 ? 0.5 : 0.49));
    return { height, frames: [{ points, box: { x: 0, y: 0, width, height }, projection, world: true }] };
  }
  const clusters = cluster(points);
  const [main, ...rest] = clusters.sort((a, b) => b.length - a.length);
  let mainPoints = [...main!];
  const insets: typeof points[] = [];
  for (const c of rest) {
    if (c.length <= points.length * 0.25 && bboxArea([...mainPoints, ...c]) > 3 * Math.max(bboxArea(mainPoints), 4)) insets.push(c);
    else mainPoints = [...mainPoints, ...c];
  }
  const mainProjection = geoMercator().fitWidth(width - 2 * MAP_PAD, extentOf(mainPoints, 0.08));
  const [[, y0], [, y1]] = geoPath(mainProjection).bounds(multiPoint(mainPoints));
  const mainHeight = Math.max(220, Math.min(420, Math.round(y1 - y0 + 2 * MAP_PAD)));
  const projection = fittedTo(mainPoints, width, mainHeight);
  const frames: Frame[] = [{ points: mainPoints, box: { x: 0, y: 0, width, height: mainHeight }, projection, world: false }];
  // Insets in the bottom-left corner, side by side.
  let x = 0;
  for (const c of insets.slice(0, 3)) {
    const w = Math.round(width * 0.28);
    const h = Math.round(w * 0.62);
    frames.push({ points: c, box: { x, y: mainHeight - h, width: w, height: h }, projection: fittedTo(c, w, h, 10, 3), world: false, inset: true });
    x += w + 6;
  }
  return { height: mainHeight, frames };
}

const MAP_PAD = 18;

function multiPoint(points: readonly { lon: number; lat: number }[]) {
  return { type: 'MultiPoint' as const, coordinates: points.map((p) => [p.lon, p.lat]) };
}

/** A Mercator projection fitted to the points' box widened by a margin (at least 3° across, so one town is not a street map). */
function extentOf(points: readonly { lon: number; lat: number }[], margin: number, minSpan = 8) {
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  let [w, e, s, n] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  // minSpan: a country's scale at least for the main frame: coastlines and borders give the points their place.
  if (e - w < minSpan) [w, e] = [(w + e) / 2 - minSpan / 2, (w + e) / 2 + minSpan / 2];
  if (n - s < minSpan) [s, n] = [(s + n) / 2 - minSpan / 2, (s + n) / 2 + minSpan / 2];
  const padLon = (e - w) * margin;
  const padLat = (n - s) * margin;
  return multiPoint([
    { lon: w - padLon, lat: s - padLat },
    { lon: e + padLon, lat: n + padLat },
    { lon: w - padLon, lat: n + padLat },
    { lon: e + padLon, lat: s - padLat },
  ]);
}

function fittedTo(points: readonly { lon: number; lat: number }[], width: number, height: number, pad = MAP_PAD, minSpan = 8): GeoProjection {
  return geoMercator().fitExtent(
    [
      [pad, pad],
      [width - pad, height - pad],
    ],
    extentOf(points, 0.08, minSpan),
  );
}

function bboxArea(points: readonly { lon: number; lat: number }[]): number {
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  return (Math.max(...lons) - Math.min(...lons)) * (Math.max(...lats) - Math.min(...lats));
}

/** Single-link clusters of 1° cells within 4° of each other. */
function cluster<P extends { lon: number; lat: number }>(points: readonly P[]): P[][] {
  const cells = new Map<string, P[]>();
  for (const p of points) {
    const key = `${Math.floor(p.lon)},${Math.floor(p.lat)}`;
    cells.set(key, [...(cells.get(key) ?? []), p]);
  }
  const keys = [...cells.keys()];
  const parent = keys.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const xy = keys.map((k) => k.split(',').map(Number) as [number, number]);
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      if (Math.abs(xy[i]![0] - xy[j]![0]) <= 4 && Math.abs(xy[i]![1] - xy[j]![1]) <= 4) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, P[]>();
  keys.forEach((k, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), ...cells.get(k)!]));
  return [...groups.values()];
}

export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function drawFrame(ctx: SKRSContext2D, frame: Frame, left: number, top: number, theme: FigureTheme, radius: number, noun = '', insetLabel = 'Inset, at its own scale:'): void {
  const { box } = frame;
  ctx.save();
  ctx.translate(left + box.x, top + box.y);
  ctx.beginPath();
  ctx.rect(0, 0, box.width, box.height);
  ctx.fillStyle = '#f3f7fb'; // the sea, barely blue
  ctx.fill();
  ctx.clip();
  const path = geoPath(frame.projection, ctx as unknown as GeoContext);
  const land = countriesIn(frame);
  ctx.beginPath();
  path(land);
  ctx.fillStyle = '#e6e8eb';
  ctx.fill();
  ctx.strokeStyle = '#b9bec6';
  ctx.lineWidth = 0.6;
  ctx.stroke();
  for (const p of frame.points) {
    const xy = frame.projection([p.lon, p.lat]);
    if (!xy) continue;
    const colour = theme.palette[p.group % theme.palette.length]!;
    ctx.beginPath();
    ctx.arc(xy[0], xy[1], radius, 0, 2 * Math.PI);
    ctx.fillStyle = withAlpha(colour, 0.8);
    ctx.fill();
    ctx.lineWidth = 0.6;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
  }
  ctx.restore();
  if (frame.inset) {
    // An inset is at another scale and place: it says so, with how many points it holds.
    ctx.textBaseline = 'top';
    // Two lines: what it is, and what its number counts (a bare "9" read as a scale factor).
    write(ctx, theme, insetLabel, left + box.x + 4, top + box.y + 3, '9px', '#4b5563');
    write(ctx, theme, `${frame.points.length} ${noun}`.trim(), left + box.x + 4, top + box.y + 14, '9px', '#4b5563');
  }
  ctx.strokeStyle = frame.inset ? '#6b7280' : '#d1d5db';
  ctx.lineWidth = frame.inset ? 1 : 0.8;
  ctx.strokeRect(left + box.x + 0.5, top + box.y + 0.5, box.width - 1, box.height - 1);
}

function drawMap(ctx: SKRSContext2D, f: MapFigure, left: number, top: number, width: number, theme: FigureTheme, footerSize = 10): number {
  const layout = mapLayout(f.groups, width);
  const count = f.groups.reduce((n, g) => n + g.points.length, 0);
  const radius = count > 2000 ? 1.6 : count > 300 ? 2.2 : 3;
  for (const frame of layout.frames) drawFrame(ctx, frame, left, top, theme, radius, f.noun, f.insetLabel);
  let y = top + layout.height + 10;
  if (f.groups.length > 1) {
    ctx.textBaseline = 'middle';
    let x = left;
    f.groups.forEach((g, i) => {
      ctx.fillStyle = theme.palette[i % theme.palette.length]!;
      ctx.beginPath();
      ctx.arc(x + 5, y, 4, 0, 2 * Math.PI);
      ctx.fill();
      write(ctx, theme, g.label, x + 12, y, '11px', theme.text);
      x += 12 + ctx.measureText(g.label).width + 14;
    });
    y += 20;
  }
  drawFooter(ctx, f.footer, y, theme, footerSize, left);
  return y + f.footer.length * (footerSize + 3);
}

// --- the report page -----------------------------------------------------------------------------

function drawReport(ctx: SKRSContext2D, f: ReportFigure, theme: FigureTheme, chart: Canvas | undefined, chartSize: { width: number; height: number } | undefined): void {
  const margin = 48;
  const width = PAGE.width - 2 * margin;
  ctx.textBaseline = 'alphabetic';
  write(ctx, theme, f.heading, margin, margin + 20, 'bold 26px', theme.text);
  write(ctx, theme, f.subheading, margin, margin + 42, '13px', theme.muted);
  // Headline tiles: four on the first row, three on the second.
  const tileTop = margin + 62;
  const gap = 10;
  const perRow = 4;
  const tileW = (width - gap * (perRow - 1)) / perRow;
  const tileH = 78;
  f.tiles.forEach((t, i) => {
    const row = Math.floor(i / perRow);
    const col = i % perRow;
    const x = margin + col * (tileW + gap);
    const y = tileTop + row * (tileH + gap);
    ctx.fillStyle = '#f5f7fa';
    ctx.fillRect(x, y, tileW, tileH);
    write(ctx, theme, t.label, x + 10, y + 19, '12px', theme.muted);
    let size = 24;
    ctx.font = `bold ${size}px "${theme.font}"`;
    while (ctx.measureText(t.value).width > tileW - 20 && size > 12) ctx.font = `bold ${--size}px "${theme.font}"`;
    write(ctx, theme, t.value, x + 10, y + 49, `bold ${size}px`, theme.text);
    write(ctx, theme, t.change, x + 10, y + 68, '12px', t.trend === 'up' ? '#2f7d32' : t.trend === 'down' ? '#b42318' : theme.muted);
  });
  const sectionTitle = (text: string, at: number) => write(ctx, theme, text, margin, at, 'bold 15px', theme.text);
  let y = tileTop + Math.ceil(f.tiles.length / perRow) * (tileH + gap) + 16;
  sectionTitle(f.chartTitle, y);
  y += 8;
  if (chart && chartSize) {
    ctx.drawImage(chart, margin, y, chartSize.width, chartSize.height);
    y += chartSize.height + 18;
  }
  if (f.table) {
    sectionTitle(f.table.title ?? 'By instance', y);
    y += 20;
    const cols = f.table.header.length;
    const first = width * 0.28;
    const other = (width - first) / (cols - 1);
    const xOf = (c: number) => (c === 0 ? margin : margin + first + other * c);
    const tableRow = (cells: readonly string[]) =>
      cells.forEach((cell, c) => {
        ctx.textAlign = c === 0 ? 'left' : 'right';
        ctx.fillText(cell, xOf(c), y);
      });
    ctx.font = `bold 11px "${theme.font}"`;
    ctx.fillStyle = theme.muted;
    tableRow(f.table.header);
    y += 6;
    ctx.strokeStyle = '#d1d5db';
    ctx.beginPath();
    ctx.moveTo(margin, y);
    ctx.lineTo(margin + width, y);
    ctx.stroke();
    y += 15;
    ctx.font = `11px "${theme.font}"`;
    ctx.fillStyle = theme.text;
    for (const row of f.table.rows) {
      tableRow(row);
      y += 17;
    }
    y += 10;
  }
  sectionTitle(f.mapTitle, y);
  y += 10;
  // The map takes what is left above the footer.
  const footerTop = PAGE.height - margin - f.footer.length * 14;
  const available = footerTop - y - 20;
  // Narrower until it fits, so that its legend and caption stay as large as the page's other small
  // print (scaling the whole map down made them unreadable on paper); scaled only if even that fails.
  const extras = (f.map.groups.length > 1 ? 20 : 0) + 10 + f.map.footer.length * 13;
  // A layout's height grows with its width (a world's in proportion; a region's between its bounds):
  // one narrower try, at the width that would fit were it in proportion.
  let mapWidth = width;
  let layout = mapLayout(f.map.groups, mapWidth);
  if (layout.height + extras > available) {
    mapWidth = Math.max(300, Math.floor((width * (available - extras)) / layout.height));
    layout = mapLayout(f.map.groups, mapWidth);
  }
  const scale = Math.min(1, available / (layout.height + extras));
  ctx.save();
  ctx.translate(margin, y);
  ctx.scale(scale, scale);
  drawMap(ctx, f.map, 0, 0, mapWidth, theme, 11);
  ctx.restore();
  drawFooter(ctx, f.footer, footerTop, theme, 10, margin);
}

/** Draws a figure below the title block (`top`), in CSS pixels. */
export function drawFigure(ctx: SKRSContext2D, figure: Figure, top: number, width: number, theme: FigureTheme, chart?: { canvas: Canvas; width: number; height: number }): void {
  switch (figure.kind) {
    case 'heatmap':
      return drawHeatmap(ctx, figure, top, theme);
    case 'map':
      void drawMap(ctx, figure, 8, top, width - 16, theme);
      return;
    case 'report':
      return drawReport(ctx, figure, theme, chart?.canvas, chart ? { width: chart.width, height: chart.height } : undefined);
  }
}
