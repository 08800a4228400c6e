import { IANAZone } from 'luxon';
import pg from 'pg';
import { OfnError } from '../core/errors.js';
import { seedOfnDatabase, type SeedScale, type SeedSummary } from './generate.js';

export interface SeedCommandArgs {
  url: string;
  scale: SeedScale;
  seed?: number;
  /** Default: now, truncated to the minute. */
  until?: Date;
  timezone: string;
  currency: string;
  namePrefix?: string;
  log: (line: string) => void;
}

/** `ofn-insights seed`: fills a fresh PostgreSQL database with a synthetic OFN instance. */
export async function runSeedCommand(args: SeedCommandArgs): Promise<SeedSummary> {
  const until = args.until ?? new Date(Math.floor(Date.now() / 60_000) * 60_000);
  if (Number.isNaN(until.getTime())) throw new OfnError('BadArguments', '--until is not a valid date (use e.g. 2026-06-01T00:00:00Z).');
  if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new OfnError('BadArguments', '--seed must be an integer.');
  if (!IANAZone.isValidZone(args.timezone)) {
    throw new OfnError('BadArguments', `--timezone '${args.timezone}' is not an IANA time zone (e.g. Europe/Madrid).`);
  }
  if (!/^[A-Z]{3}$/.test(args.currency)) throw new OfnError('BadArguments', `--currency '${args.currency}' is not an ISO 4217 code (e.g. EUR).`);
  const client = new pg.Client({ connectionString: args.url });
  await client.connect();
  try {
    const existing = await client.query<{ found: string | null }>("SELECT to_regclass('enterprises')::text AS found");
    if (existing.rows[0]?.found) {
      // Never mix synthetic rows into a database that already has OFN tables (it could be a real copy).
      throw new OfnError(
        'BadArguments',
        `The database already has an enterprises table (${existing.rows[0].found}); refusing to seed into it.`,
        'Create a fresh, empty database (e.g. `createdb ofn_demo`) and pass its URL with --url.',
      );
    }
    const started = performance.now();
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    args.log(
      `Seeding ${args.scale} OFN data (seed ${args.seed ?? 1}, ${args.timezone}, ${args.currency}, until ${until.toISOString()})…`,
    );
    const summary = await seedOfnDatabase(client, {
      scale: args.scale,
      until,
      timezone: args.timezone,
      currency: args.currency,
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.namePrefix !== undefined ? { namePrefix: args.namePrefix } : {}),
      onProgress: (message) => args.log(`  [${elapsed()}] ${message}`),
    });
    args.log(
      `Seeded ${summary.enterprises} enterprises, ${summary.users} users, ${summary.orders} orders, ` +
        `${summary.lineItems} line items in ${elapsed()}.`,
    );
    return summary;
  } finally {
    await client.end();
  }
}
