import { averageToCents } from '../core/money.js';
import { defineMetricCommand, salesMeasure } from './metric-command.js';

export const averageOrder = defineMetricCommand({
  name: 'average-order',
  aliases: ['average-order-value', 'aov', 'basket'],
  title: 'Average order',
  summary: 'Turnover divided by the number of sales orders, rounded half-up to cents.',
  unit: 'money',
  shape: { segments: true, breakdowns: ['day', 'week', 'month', 'shop'], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 } },
  examples: ['average-order katuma last-month', 'average order katuma last-6-months by month'],
  ordersDetail: 'over',
  // An average over no orders is undefined, not 0.
  zero: null,
  ...salesMeasure((t) => averageToCents(t.turnover, t.orders)),
});
