import { defineMetricCommand, salesMeasure } from './metric-command.js';

export const turnover = defineMetricCommand({
  name: 'turnover',
  aliases: ['revenue', 'sales'],
  title: 'Turnover',
  summary: 'Σ total of sales orders (complete or resumed, by completion time), in the instance currency.',
  unit: 'money',
  shape: { segments: true, breakdowns: ['day', 'week', 'month', 'shop'], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 } },
  examples: ['turnover katuma last-month', 'turnover katuma last-12-months by month chart', 'turnover katuma 2026-Q3 by shop'],
  ordersDetail: 'from',
  ...salesMeasure((t) => t.turnover),
  additive: true,
});
