import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { UnpackSync } from 'tar';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Requester } from './core/access.js';
import { OfnError } from './core/errors.js';
import { parseConfig, type Config } from './installation.js';
import { ask } from './commands/pipeline.js';
import type { Deps } from './commands/types.js';
import { PGliteDialect } from './db/pglite-dialect.js';
import type { OfnDatabase } from './queries/ofn-tables.js';
import { Replica } from './queries/replica.js';
import { seedOfnDatabase, type SeedScale } from './seed/generate.js';
import { schemaFileUrl } from './seed/sql-batches.js';
import { forgetBillingRuns, recordBillingRun } from './state/billing-runs.js';
import type { StateDatabase } from './state/schema.js';
import { migrate, type StateDb } from './state/store.js';

/**
 * The demo's clock, stopped at noon in Madrid on Wednesday 18 November 2026. Its data ends there and
 * every period is reckoned from there, so `last-month` is always October 2026 and the answers (and
 * the README's samples) are the same on every machine, every day.
 */
export const DEMO_NOW = new Date('2026-11-18T11:00:00Z');

/** The demo instances: different zones and currencies, so period and money handling show. */
export const DEMO_INSTANCES = {
  katuma: { name: 'Katuma (demo)', timezone: 'Europe/Madrid', currency: 'EUR', locale: 'es-ES', url: 'https://app.katuma.org', seed: 11 },
  au: { name: 'OFN Australia (demo)', timezone: 'Australia/Melbourne', currency: 'AUD', locale: 'en-AU', url: 'https://openfoodnetwork.org.au', seed: 22 },
  uk: { name: 'OFN UK (demo)', timezone: 'Europe/London', currency: 'GBP', locale: 'en-GB', url: 'https://openfoodnetwork.org.uk', seed: 33 },
} as const;

/** A plan like OFN's old business model, so `billing katuma` has something to show. */
const KATUMA_PLAN = { name: 'Katuma classic (demo)', minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30 };

/** Katuma's monthly billing posts the demo records as sent (on the 1st at 09:00, as `serve` posts them). */
const RECORDED_BILLING_MONTHS = 3;

/** Who asks at the demo prompt: management commands (save, pulse, watch) run as a Slack user would, in a DM. */
export const DEMO_REQUESTER: Requester = { userId: 'U0DEMO', channelId: 'D0DEMO' };

export const DEMO_SCALE: SeedScale = 'demo';

/**
 * PostgreSQL's shared buffers in the demo's PGlite (default 128 MB). PGlite zero-fills the whole pool
 * when it starts and buffers written while seeding stay resident: 16 MB (the demo's data is a few tens
 * of MB, read through the OS cache) starts in about 0.6 s less and keeps the process about 120 MB smaller.
 */
export const DEMO_SHARED_BUFFERS = '16MB';

export interface DemoOptions {
  /** The demo database lives in `<dataDir>/demo` (the CLI passes $OFN_INSIGHTS_DATA_DIR, default ./data). */
  dataDir: string;
  /** Seed again even when the database on disk is current. */
  fresh?: boolean;
  scale?: SeedScale;
  /** Progress for a person: what is being done when it takes a while (seeding). */
  log?: (line: string) => void;
  /** Unpack the shipped database when it is current (default); false seeds from the generator (`npm run demo:pack`). */
  shipped?: boolean;
}

export interface Demo {
  config: Config;
  deps: Deps;
  /** The demo's own state store (saved questions, pulses, watches, billing posts), in the same database. */
  state: StateDb;
  who: Requester;
  /** True when this start made the data (the first start, a new generator, or --fresh): seeded, or unpacked from the shipped copy. */
  seeded: boolean;
  /** Katuma's months whose billing post the demo recorded as sent (for `billing katuma as-sent`). */
  billingSent: string[];
  close(): Promise<void>;
}

interface DemoMarker {
  fingerprint: string;
  seededAt: string;
}

/**
 * The generator's sources: TypeScript in `src/seed` whether this runs from `src/` (tests) or `dist/src/`
 * (the CLI), so both compute the same fingerprint; the compiled files when no sources ship.
 */
function generatorFiles(): string[] {
  for (const candidate of [new URL('./seed/', import.meta.url), new URL('../../src/seed/', import.meta.url)]) {
    const dir = fileURLToPath(candidate);
    const names = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts') && !n.startsWith('cli-')) : [];
    if (names.length > 0) return names.sort().map((n) => join(dir, n));
  }
  const dir = fileURLToPath(new URL('./seed/', import.meta.url));
  return readdirSync(dir).filter((n) => n.endsWith('.js') && !n.startsWith('cli-')).sort().map((n) => join(dir, n));
}

/**
 * What the seeded data depends on: the generator's code and schema, the installed PGlite, the demo's
 * instances, clock and scale. A change to any of them makes the next start seed again.
 */
export function demoFingerprint(scale: SeedScale): string {
  const hash = createHash('sha256');
  for (const file of generatorFiles()) hash.update(file.slice(file.lastIndexOf('/') + 1)).update(readFileSync(file));
  hash.update(readFileSync(schemaFileUrl()));
  const pglitePackage = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'));
  hash.update(JSON.parse(readFileSync(pglitePackage, 'utf8')).version as string);
  hash.update(JSON.stringify({ instances: DEMO_INSTANCES, now: DEMO_NOW, scale, plan: KATUMA_PLAN, months: RECORDED_BILLING_MONTHS, namePrefix: '' }));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The demo database as a first start would seed it, shipped with the code (`assets/`, made by `npm run
 * demo:pack`): a first start unpacks it in a few seconds instead of seeding for tens of seconds. A
 * brotli-compressed tar of PGlite's data directory and a JSON file with the fingerprint it was made at.
 */
export const SHIPPED_DEMO = { archive: 'demo-pgdata.tar.br', manifest: 'demo-pgdata.json' } as const;

export interface ShippedDemoManifest {
  fingerprint: string;
  scale: SeedScale;
  /** Bytes of the uncompressed tar. */
  tarBytes: number;
}

/** The assets directory next to `src/` (or `dist/`), where the shipped demo lives. */
export function assetsDir(): string {
  const candidates = [new URL('../assets/', import.meta.url), new URL('../../assets/', import.meta.url)].map((url) => fileURLToPath(url));
  return candidates.find((dir) => existsSync(join(dir, SHIPPED_DEMO.manifest))) ?? candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

/** The shipped database's archive when it was made by this generator at this scale, else undefined (the start seeds). */
export function shippedDemo(fingerprint: string, scale: SeedScale): string | undefined {
  try {
    const dir = assetsDir();
    const manifest = JSON.parse(readFileSync(join(dir, SHIPPED_DEMO.manifest), 'utf8')) as ShippedDemoManifest;
    const archive = join(dir, SHIPPED_DEMO.archive);
    return manifest.fingerprint === fingerprint && manifest.scale === scale && existsSync(archive) ? archive : undefined;
  } catch {
    return undefined; // no assets (an installed package without them): seeding works everywhere
  }
}

/**
 * Unpacks the shipped archive into `pgdata`, streaming (the tar never sits in memory whole), beside it
 * first: a start killed half-way leaves no directory that looks like a database.
 */
export async function unpackShipped(archive: string, pgdata: string): Promise<void> {
  const partial = `${pgdata}.unpacking`;
  for (const dir of [pgdata, partial]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  // PGlite writes member names from its root ("/base/1/112"); tar makes them relative to `cwd` and refuses
  // any "..". Synchronous writes: a thousand small files unpack in a third of the time the async ones take.
  const unpack = new UnpackSync({ cwd: partial, noMtime: true });
  await pipeline(createReadStream(archive), createBrotliDecompress(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) unpack.write(chunk);
    unpack.end();
  });
  renameSync(partial, pgdata);
}

function demoConfig(): Config {
  const instances = Object.fromEntries(
    Object.entries(DEMO_INSTANCES).map(([id, { seed, ...demo }]) => [
      id,
      // The demo answers in English whatever the locale (its README samples); a real Katuma config answers in Spanish (issue 18).
      { ...demo, replica: 'postgres://embedded-demo', language: 'en', schema: id, ...(id === 'katuma' ? { billing: KATUMA_PLAN } : {}) },
    ]),
  );
  return parseConfig({ instances }, {}, 'built-in demo configuration');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one PostgreSQL for one process: two processes writing the same directory would corrupt
 * it. A lock file with our pid keeps a second demo out; one left by a process that died is taken over.
 */
function lockDirectory(dir: string): () => void {
  const file = join(dir, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new OfnError(
          'BadArguments',
          `The demo database in ${dir} is open in another ofn-insights process (pid ${holder}).`,
          'Quit that prompt first, or give this one a directory of its own: OFN_INSIGHTS_DATA_DIR=/tmp/ofn-demo …',
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new OfnError('BadArguments', `Could not lock the demo database in ${dir}.`);
}

function readMarker(file: string): DemoMarker | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoMarker;
  } catch {
    return undefined;
  }
}

/**
 * PGlite is PostgreSQL compiled to WebAssembly. V8 compiles it twice by default: at once with its
 * baseline compiler (Liftoff), then again, optimised, on background threads (TurboFan). A demo session
 * is too short for the second to pay off, and on two cores it competes with the answers: with Liftoff
 * only, opening the demo took 0.9 s instead of 1.1 s, 1.1 s of CPU instead of 2.4 s, 132 MB instead of
 * 218 MB, and a month-by-month turnover query 11 ms instead of 46 ms (docs/benchmarks.md, "Demo start").
 * Set before the first PGlite compiles its module; it concerns WebAssembly only (nothing else here is).
 */
async function openPGlite(pgdata: string): Promise<PGlite> {
  setFlagsFromString('--liftoff-only'); // setting it again is a no-op
  const pglite = new PGlite(pgdata, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${DEMO_SHARED_BUFFERS}`] });
  await pglite.waitReady;
  return pglite;
}

async function seedInstances(pglite: PGlite, scale: SeedScale, log: (line: string) => void): Promise<void> {
  for (const [id, demo] of Object.entries(DEMO_INSTANCES)) {
    const started = performance.now();
    // Schemas are our own constants (katuma, au, uk), never user text.
    await pglite.exec(`drop schema if exists ${id} cascade; create schema ${id}; set search_path to ${id};`);
    try {
      const summary = await seedOfnDatabase(pglite, {
        scale,
        seed: demo.seed,
        until: DEMO_NOW,
        timezone: demo.timezone,
        currency: demo.currency,
        // No prefix: answers and charts already name the instance, and a shop's own name is what fits a chart's label.
        namePrefix: '',
      });
      log(`${demo.name}: ${summary.enterprises} enterprises, ${summary.orders.toLocaleString('en-GB')} orders (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } finally {
      await pglite.exec('set search_path to public;');
    }
  }
}

/** The months before DEMO_NOW whose billing Katuma's monthly post would have sent, oldest first. */
export function recordedBillingMonths(): string[] {
  const thisMonth = DateTime.fromJSDate(DEMO_NOW, { zone: DEMO_INSTANCES.katuma.timezone }).startOf('month');
  return Array.from({ length: RECORDED_BILLING_MONTHS }, (_, i) => thisMonth.minus({ months: RECORDED_BILLING_MONTHS - i }).toFormat('yyyy-LL'));
}

/**
 * `serve` posts each month's billing on the 1st at 09:00 and stores what it sent; the demo posts
 * nothing, so it records the last months' posts as `serve` would have, through the same route.
 */
async function recordBillingPosts(deps: Deps, state: StateDb): Promise<void> {
  const zone = DEMO_INSTANCES.katuma.timezone;
  // Seeded again: what was recorded described the old data.
  await forgetBillingRuns(state, 'katuma');
  for (const month of recordedBillingMonths()) {
    const report = await ask(deps, `billing katuma ${month}`, state);
    if (report.kind !== 'billing') throw new Error(`billing katuma ${month} gave a ${report.kind}`);
    const sentAt = DateTime.fromFormat(month, 'yyyy-LL', { zone }).plus({ months: 1 }).set({ hour: 9 }).toJSDate();
    await recordBillingRun(state, { instanceId: 'katuma', month, currency: report.instance.currency, lines: report.lines, totals: report.totals, hash: report.hash, plan: report.plan, sentAt });
  }
}

/**
 * Embedded OFN data with no server: one PGlite database under `<dataDir>/demo` holding one schema per
 * demo instance and the demo's state store. Seeded on the first start and reused afterwards; seeded
 * again when the generator (or PGlite, or the demo's definition) changes, or with `fresh`.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const log = options.log ?? (() => {});
  const scale = options.scale ?? DEMO_SCALE;
  const fingerprint = demoFingerprint(scale);
  const dir = join(options.dataDir, 'demo');
  const pgdata = join(dir, 'pgdata');
  const markerFile = join(dir, 'seeded.json');
  mkdirSync(dir, { recursive: true });
  const unlock = lockDirectory(dir);
  let pglite: PGlite | undefined;
  try {
    const marker = readMarker(markerFile);
    const current = !options.fresh && marker?.fingerprint === fingerprint && existsSync(join(pgdata, 'PG_VERSION'));
    // --fresh starts over, state included; a new generator only seeds the data again (saved questions
    // and pulses stay, and no new database has to be initialised).
    if (options.fresh) rmSync(pgdata, { recursive: true, force: true });
    // A new database (no directory yet) is unpacked from the shipped copy when it is current; a stale one
    // is seeded again in place, keeping its saved questions and pulses.
    const shipped = !current && options.shipped !== false && !existsSync(join(pgdata, 'PG_VERSION')) ? shippedDemo(fingerprint, scale) : undefined;
    if (!current) {
      rmSync(markerFile, { force: true });
      const why = options.fresh ? '--fresh' : marker ? 'the demo data changed in this version' : 'first start';
      log(`${shipped ? 'Unpacking' : 'Seeding'} three demo OFN instances into ${dir} (${why}; done once, then reused)…`);
    }
    try {
      if (shipped) await unpackShipped(shipped, pgdata);
      pglite = await openPGlite(pgdata);
    } catch (error) {
      if (!current && !existsSync(join(pgdata, 'PG_VERSION'))) throw error;
      // A directory PGlite cannot open (an older format, a start killed while creating it): start it over.
      log(`The demo database in ${dir} could not be opened (${(error as Error).message}); creating it again…`);
      rmSync(markerFile, { force: true });
      rmSync(pgdata, { recursive: true, force: true });
      pglite = await openPGlite(pgdata);
      return await finishStart(pglite, 'seed');
    }
    return await finishStart(pglite, current ? 'reuse' : shipped ? 'unpacked' : 'seed');
  } catch (error) {
    await pglite?.close().catch(() => undefined);
    unlock();
    throw error;
  }

  /** reuse: the database on disk is current; unpacked: the shipped one, seeded by this generator; seed: seed it now. */
  async function finishStart(opened: PGlite, how: 'reuse' | 'unpacked' | 'seed'): Promise<Demo> {
    const current = how !== 'seed';
    const db = new Kysely<OfnDatabase>({ dialect: new PGliteDialect(opened) });
    const state = new Kysely<StateDatabase>({ dialect: new PGliteDialect(opened, false) });
    const config = demoConfig();
    const replicas = new Map([...config.instances.values()].map((instance) => [instance.id, new Replica(instance, db)]));
    const deps: Deps = { config, replica: (id) => replicas.get(id)!, now: () => new Date(DEMO_NOW) };
    if (!current) await seedInstances(opened, scale, log);
    await migrate(state);
    if (!current) await recordBillingPosts(deps, state);
    // Written last: a start interrupted while seeding leaves no marker, so the next one seeds again.
    if (how !== 'reuse') {
      writeFileSync(`${markerFile}.tmp`, JSON.stringify({ fingerprint, seededAt: new Date().toISOString() } satisfies DemoMarker));
      renameSync(`${markerFile}.tmp`, markerFile);
    }
    return {
      config,
      deps,
      state,
      who: DEMO_REQUESTER,
      seeded: how !== 'reuse',
      billingSent: recordedBillingMonths(),
      async close() {
        await state.destroy();
        await db.destroy();
        await opened.close();
        unlock();
      },
    };
  }
}
