import { turnoverByShop } from '../queries/definitions.js';
import { defineMetricCommand } from './metric-command.js';

export const topShops = defineMetricCommand({
  name: 'top-shops',
  aliases: ['top', 'best-shops'],
  title: 'Top shops by turnover',
  measure: 'Turnover',
  summary: 'The N shops with the highest turnover in the period (default 10).',
  unit: 'money',
  shape: { segments: true, breakdowns: [], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 }, limit: { default: 10, max: 100 } },
  examples: ['top-shops katuma last-month', 'top-shops 5 katuma 2026 chart'],
  async byShop(tx, window, limit, scope) {
    const { rows } = await turnoverByShop(tx, window, limit, scope);
    return { rows: rows.map((r) => ({ enterpriseId: r.enterpriseId, name: r.name, value: r.turnover, orders: r.orders })) };
  },
});
