import { turnoverByBucket, turnoverByShop, turnoverTotals } from '../queries/definitions.js';
import { defineMetricCommand } from './metric-command.js';

export const orders = defineMetricCommand({
  name: 'orders',
  aliases: ['order-count', 'sales-orders'],
  title: 'Sales orders',
  measure: 'Orders',
  summary: 'Number of sales orders (complete or resumed, by completion time).',
  unit: 'count',
  shape: { breakdowns: ['day', 'week', 'month', 'shop'], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 } },
  examples: ['orders katuma last-week', 'orders katuma this-year by month'],
  async scalar(tx, window) {
    return { value: String((await turnoverTotals(tx, window!)).orders) };
  },
  async series(tx, window, buckets) {
    return (await turnoverByBucket(tx, window, buckets)).map((r) => ({ bucket: r.bucket, value: String(r.orders) }));
  },
  async byShop(tx, window, limit) {
    const rows = await turnoverByShop(tx, window, limit);
    return rows
      .map((r) => ({ enterpriseId: r.enterpriseId, name: r.name, value: String(r.orders), orders: r.orders }))
      .sort((a, b) => b.orders - a.orders || a.enterpriseId - b.enterpriseId);
  },
});
