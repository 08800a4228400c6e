import { turnoverByBucket, turnoverByShop, turnoverTotals } from '../queries/definitions.js';
import { defineMetricCommand } from './metric-command.js';

export const turnover = defineMetricCommand({
  name: 'turnover',
  aliases: ['revenue', 'sales'],
  title: 'Turnover',
  summary: 'Σ total of sales orders (complete or resumed, by completion time), in the instance currency.',
  unit: 'money',
  shape: { segments: true, breakdowns: ['day', 'week', 'month', 'shop'], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 } },
  examples: ['turnover katuma last-month', 'turnover katuma last-12-months by month chart', 'turnover katuma 2026-Q3 by shop'],
  ordersDetail: 'from',
  async scalar(tx, window, scope) {
    const totals = await turnoverTotals(tx, window!, scope);
    return { value: totals.turnover, orders: totals.orders };
  },
  async series(tx, window, buckets, scope) {
    return (await turnoverByBucket(tx, window, buckets, scope)).map((r) => ({ bucket: r.bucket, value: r.turnover, orders: r.orders }));
  },
  additive: true,
  async byShop(tx, window, limit, scope) {
    const { rows, all } = await turnoverByShop(tx, window, limit, scope);
    return { rows: rows.map((r) => ({ enterpriseId: r.enterpriseId, name: r.name, value: r.turnover, orders: r.orders })), total: { value: all.turnover, orders: all.orders } };
  },
});
