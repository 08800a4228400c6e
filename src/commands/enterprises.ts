import { countEnterprises, countEnterprisesByBucket } from '../queries/definitions.js';
import { DEFAULT_REGISTRY } from '../queries/registry.js';
import { defineMetricCommand } from './metric-command.js';

/** `new-profiles`, `new-shops`: enterprises of a segment whose created_at falls in the period. */
function newEnterprises(name: 'new-profiles' | 'new-shops', segmentName: string, title: string, examples: string[]) {
  const filters = DEFAULT_REGISTRY.filtersOf(segmentName);
  return defineMetricCommand({
    name,
    title,
    summary: DEFAULT_REGISTRY.metrics.get(name)!.description,
    unit: 'count',
    shape: { breakdowns: ['day', 'week', 'month'], defaultPeriod: { kind: 'current', unit: 'month', offset: 0 } },
    examples,
    async scalar(tx, window) {
      return { value: String(await countEnterprises(tx, filters, window)) };
    },
    async series(tx, window, buckets) {
      return (await countEnterprisesByBucket(tx, filters, window, buckets)).map((r) => ({ bucket: r.bucket, value: String(r.count) }));
    },
    additive: true,
  });
}

export const newProfiles = newEnterprises('new-profiles', 'profiles', 'New profiles', ['new-profiles katuma last-month', 'new profiles katuma last-12-months by month chart']);
export const newShops = newEnterprises('new-shops', 'shops', 'New shops', ['new-shops katuma last-month', 'new shops katuma this-year by month']);

/** `shops`, `hubs`, `producers`, `profiles`: how many exist now, or existed at the end of a period. */
function existingEnterprises(name: 'shops' | 'hubs' | 'producers' | 'profiles', title: string, aliases: string[] = []) {
  const filters = DEFAULT_REGISTRY.filtersOf(name);
  return defineMetricCommand({
    name,
    aliases,
    title,
    summary: `${DEFAULT_REGISTRY.segments.get(name)!.description} With a period: those created before its end (by today's type).`,
    unit: 'count',
    shape: { breakdowns: [] },
    examples: [`${name} katuma`, `${name} katuma last-year`],
    async scalar(tx, window) {
      return { value: String(await countEnterprises(tx, filters, window ? { toUtc: window.toUtc } : undefined)) };
    },
  });
}

export const shops = existingEnterprises('shops', 'Shops', ['shop']);
export const hubs = existingEnterprises('hubs', 'Hubs', ['hub']);
export const producers = existingEnterprises('producers', 'Producers', ['producer']);
export const profiles = existingEnterprises('profiles', 'Profiles', ['enterprises', 'profile']);
