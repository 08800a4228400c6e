import { countEnterprises, countEnterprisesByBucket, type EnterpriseSegment } from '../queries/definitions.js';
import { defineMetricCommand } from './metric-command.js';

const THIS_MONTH = { kind: 'current', unit: 'month', offset: 0 } as const;

/** `new-profiles`, `new-shops`: enterprises of a segment whose created_at falls in the period. */
function newEnterprises(segment: EnterpriseSegment, name: string, title: string, summary: string, examples: string[]) {
  return defineMetricCommand({
    name,
    title,
    summary,
    unit: 'count',
    shape: { breakdowns: ['day', 'week', 'month'], defaultPeriod: THIS_MONTH },
    examples,
    async scalar(tx, window) {
      return { value: String(await countEnterprises(tx, segment, window)) };
    },
    async series(tx, window, buckets) {
      return (await countEnterprisesByBucket(tx, segment, window, buckets)).map((r) => ({ bucket: r.bucket, value: String(r.count) }));
    },
  });
}

export const newProfiles = newEnterprises('profiles', 'new-profiles', 'New profiles', 'Enterprises of any kind created in the period.', [
  'new-profiles katuma last-month',
  'new profiles katuma last-12-months by month chart',
]);
export const newShops = newEnterprises('shops', 'new-shops', 'New shops', 'Shops (sells own or any) created in the period.', [
  'new-shops katuma last-month',
  'new shops katuma this-year by month',
]);

/** `shops`, `hubs`, `producers`, `profiles`: how many exist now, or existed at the end of a period. */
function existingEnterprises(segment: EnterpriseSegment, title: string, summary: string, aliases: string[] = []) {
  return defineMetricCommand({
    name: segment,
    aliases,
    title,
    summary: `${summary} With a period: those created before its end (by today's type).`,
    unit: 'count',
    shape: { breakdowns: [] },
    examples: [`${segment} katuma`, `${segment} katuma last-year`],
    async scalar(tx, window) {
      return { value: String(await countEnterprises(tx, segment, window ? { toUtc: window.toUtc } : undefined)) };
    },
  });
}

export const shops = existingEnterprises('shops', 'Shops', 'Enterprises that sell (sells own or any).', ['shop']);
export const hubs = existingEnterprises('hubs', 'Hubs', 'Enterprises that may sell others’ products (sells any).', ['hub']);
export const producers = existingEnterprises('producers', 'Producers', 'Primary producers (is_primary_producer).', ['producer']);
export const profiles = existingEnterprises('profiles', 'Profiles', 'Every enterprise, whatever its type.', ['enterprises', 'profile']);
