import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { parseConfig, type Config } from './installation.js';
import type { Deps } from './commands/types.js';
import { PGliteDialect } from './db/pglite-dialect.js';
import type { OfnDatabase } from './queries/ofn-tables.js';
import { Replica } from './queries/replica.js';
import { seedOfnDatabase, type SeedScale } from './seed/generate.js';

/** The demo instances: different zones and currencies, so period and money handling show. */
export const DEMO_INSTANCES = {
  katuma: { name: 'Katuma (demo)', timezone: 'Europe/Madrid', currency: 'EUR', locale: 'es-ES', url: 'https://app.katuma.org', seed: 11 },
  au: { name: 'OFN Australia (demo)', timezone: 'Australia/Melbourne', currency: 'AUD', locale: 'en-AU', url: 'https://openfoodnetwork.org.au', seed: 22 },
  uk: { name: 'OFN UK (demo)', timezone: 'Europe/London', currency: 'GBP', locale: 'en-GB', url: 'https://openfoodnetwork.org.uk', seed: 33 },
} as const;

export interface Demo {
  config: Config;
  deps: Deps;
  close(): Promise<void>;
}

/**
 * Embedded OFN data with no server: one PGlite database, one schema per demo instance, seeded with
 * synthetic data that ends now (so `last-month` has something to say).
 */
export async function startDemo(options: { scale?: SeedScale; now?: () => Date; log?: (line: string) => void } = {}): Promise<Demo> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const pglite = new PGlite();
  await pglite.waitReady;
  const db = new Kysely<OfnDatabase>({ dialect: new PGliteDialect(pglite) });
  const instances: Record<string, unknown> = {};
  for (const [id, demo] of Object.entries(DEMO_INSTANCES)) {
    await pglite.exec(`create schema ${id}; set search_path to ${id};`);
    const started = Date.now();
    const summary = await seedOfnDatabase(pglite, {
      scale: options.scale ?? 'small',
      seed: demo.seed,
      until: now(),
      timezone: demo.timezone,
      currency: demo.currency,
      namePrefix: demo.name.replace(/ \(demo\)$/, ''),
    });
    log(`Seeded ${demo.name}: ${summary.enterprises} enterprises, ${summary.orders} orders (${Date.now() - started} ms)`);
    instances[id] = {
      name: demo.name,
      replica: 'postgres://embedded-demo',
      timezone: demo.timezone,
      currency: demo.currency,
      locale: demo.locale,
      url: demo.url,
      schema: id,
      // A plan like OFN's old business model, so `billing katuma` has something to show.
      ...(id === 'katuma' ? { billing: { minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30 } } : {}),
    };
  }
  await pglite.exec('set search_path to public;');
  const config = parseConfig({ instances }, {}, 'built-in demo configuration');
  const replicas = new Map([...config.instances.values()].map((instance) => [instance.id, new Replica(instance, db)]));
  const deps: Deps = { config, replica: (id) => replicas.get(id)!, now };
  return {
    config,
    deps,
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}
