import { turnoverByBucket, turnoverByShop, turnoverTotals } from '../queries/definitions.js';
import { defineMetricCommand } from './metric-command.js';

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
  async series(tx, window, buckets, scope) {
    return (await turnoverByBucket(tx, window, buckets, scope)).map((r) => ({ bucket: r.bucket, value: String(r.orders) }));
  },
  additive: true,
  async byShop(tx, window, limit, scope) {
    const { rows, all } = await turnoverByShop(tx, window, limit, scope);
    return {
      rows: rows.map((r) => ({ enterpriseId: r.enterpriseId, name: r.name, value: String(r.orders), orders: r.orders })).sort((a, b) => b.orders - a.orders || a.enterpriseId - b.enterpriseId),
      total: { value: String(all.orders) },
    };
  },
});
