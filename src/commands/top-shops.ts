import { defineMetricCommand, salesMeasure } from './metric-command.js';

export const topShops = defineMetricCommand({
  name: 'top-shops',
  aliases: ['top', 'best-shops'],
  title: 'Top shops by turnover',
  measure: 'Turnover',
  summary: 'The N shops with the highest turnover in the period (default 10).',
  unit: 'money',
  shape: { segments: true, breakdowns: [], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 }, limit: { default: 10, max: 100 } },
  examples: ['top-shops katuma last-month', 'top-shops 5 katuma 2026 chart'],
  // Ranked by turnover; with no single figure of its own, the ranking's total is not shown.
  byShop: salesMeasure((t) => t.turnover).byShop,
});
