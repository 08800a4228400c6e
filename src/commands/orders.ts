import { turnoverTotals } from '../queries/definitions.js';
import { defineMetricCommand, salesMeasure } from './metric-command.js';

const byOrders = salesMeasure((t) => String(t.orders));

export const orders = defineMetricCommand({
  name: 'orders',
  aliases: ['order-count', 'sales-orders'],
  title: 'Sales orders',
  measure: 'Orders',
  summary: 'Number of sales orders (complete or resumed, by completion time).',
  unit: 'count',
  shape: { segments: true, breakdowns: ['day', 'week', 'month', 'shop'], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 } },
  examples: ['orders katuma last-week', 'orders katuma this-year by month'],
  async scalar(tx, window, scope) {
    return { value: String((await turnoverTotals(tx, window!, scope)).orders) };
  },
  series: byOrders.series,
  additive: true,
  async byShop(tx, window, limit, scope) {
    const ranking = await byOrders.byShop(tx, window, limit, scope);
    return { ...ranking, rows: ranking.rows.sort((a, b) => b.orders! - a.orders! || a.enterpriseId - b.enterpriseId) };
  },
});
