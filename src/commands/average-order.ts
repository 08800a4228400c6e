import { averageToCents } from '../core/money.js';
import { turnoverByBucket, turnoverByShop, turnoverTotals } from '../queries/definitions.js';
import { defineMetricCommand } from './metric-command.js';

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
  async scalar(tx, window, scope) {
    const totals = await turnoverTotals(tx, window!, scope);
    return { value: averageToCents(totals.turnover, totals.orders), orders: totals.orders };
  },
  async series(tx, window, buckets, scope) {
    return (await turnoverByBucket(tx, window, buckets, scope)).map((r) => ({ bucket: r.bucket, value: averageToCents(r.turnover, r.orders) }));
  },
  async byShop(tx, window, limit, scope) {
    const { rows, all } = await turnoverByShop(tx, window, limit, scope);
    return {
      rows: rows.map((r) => ({ enterpriseId: r.enterpriseId, name: r.name, value: averageToCents(r.turnover, r.orders), orders: r.orders })),
      total: { value: averageToCents(all.turnover, all.orders), orders: all.orders },
    };
  },
});
