import { countActiveShops, countActiveShopsByBucket } from '../queries/definitions.js';
import { defineMetricCommand } from './metric-command.js';

export const activeShops = defineMetricCommand({
  name: 'active-shops',
  aliases: ['active'],
  title: 'Active shops',
  summary: 'Shops with at least one sales order in the period.',
  unit: 'count',
  shape: { segments: true, breakdowns: ['day', 'week', 'month'], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 } },
  examples: ['active-shops katuma last-month', 'active shops katuma last-12-months by month'],
  async scalar(tx, window, scope) {
    return { value: String(await countActiveShops(tx, window!, scope)) };
  },
  async series(tx, window, buckets, scope) {
    return (await countActiveShopsByBucket(tx, window, buckets, scope)).map((r) => ({ bucket: r.bucket, value: String(r.count) }));
  },
});
