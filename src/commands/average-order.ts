import { divideToCents, formatCount } from '../core/money.js';
import { turnoverByBucket, turnoverByShop, turnoverTotals } from '../queries/definitions.js';
import { defineMetricCommand } from './metric-command.js';

export const averageOrder = defineMetricCommand({
  name: 'average-order',
  aliases: ['average-order-value', 'aov', 'basket'],
  title: 'Average order',
  summary: 'Turnover divided by the number of sales orders, rounded half-up to cents.',
  unit: 'money',
  shape: { breakdowns: ['day', 'week', 'month', 'shop'], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 } },
  examples: ['average-order katuma last-month', 'average order katuma last-6-months by month'],
  async scalar(tx, window) {
    const totals = await turnoverTotals(tx, window!);
    return { value: divideToCents(totals.turnover, totals.orders), detail: `over ${formatCount(totals.orders, 'en-GB')} sales orders` };
  },
  async series(tx, window, buckets) {
    return (await turnoverByBucket(tx, window, buckets)).map((r) => ({ bucket: r.bucket, value: divideToCents(r.turnover, r.orders) }));
  },
  async byShop(tx, window, limit) {
    return (await turnoverByShop(tx, window, limit)).map((r) => ({
      enterpriseId: r.enterpriseId,
      name: r.name,
      value: divideToCents(r.turnover, r.orders),
      orders: r.orders,
    }));
  },
});
