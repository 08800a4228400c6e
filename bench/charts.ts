import { createCanvas } from '@napi-rs/canvas';
import { renderChart, registerFonts, type ChartSpec } from '../src/render/chart.js';
import { fmt, median, table, timed } from './stats.js';

function lineSpec(points: number): ChartSpec {
  return {
    kind: 'line',
    title: `Turnover · Bench · ${points} points`,
    labels: Array.from({ length: points }, (_, i) => `d${i + 1}`),
    datasets: [{ label: 'Turnover', values: Array.from({ length: points }, (_, i) => 1000 + 500 * Math.sin(i / 5) + i * 3) }],
    valueFormat: { style: 'currency', currency: 'EUR', locale: 'en-GB' },
  };
}

/** Chart render time per 800x400 PNG, next to encoding a blank 800x400 canvas (the floor). */
export async function benchCharts(runs: number, log: (line: string) => void): Promise<string> {
  registerFonts();
  const rows: (string | number)[][] = [];
  const blank: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [ms] = await timed(async () => {
      const canvas = createCanvas(800, 400);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 800, 400);
      return canvas.encode('png');
    });
    blank.push(ms);
  }
  rows.push(['blank canvas → PNG (baseline)', fmt(median(blank))]);
  for (const points of [12, 365]) {
    const spec = lineSpec(points);
    for (let i = 0; i < 5; i++) await renderChart(spec);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push((await timed(() => renderChart(spec)))[0]);
    rows.push([`line chart, ${points} points`, fmt(median(samples))]);
    log(`  chart ${points} points: ${fmt(median(samples))} ms`);
  }
  return table(['800x400 PNG', 'median ms'], rows);
}
