import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, PostgresDialect, sql, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from '../db/pglite-dialect.js';
import { MIGRATIONS } from './migrations.js';
import type { StateDatabase } from './schema.js';

export type StateDb = Kysely<StateDatabase>;

export interface StateStore {
  db: StateDb;
  /** 'postgres' when several processes may share it; 'pglite' is single-process only. */
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Applies pending migrations; safe to run from several processes at once (Kysely takes a lock). */
export async function migrate(db: StateDb): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`State database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/**
 * The state store: PostgreSQL at STATE_DATABASE_URL, else PGlite persisted in a data directory
 * ($OFN_INSIGHTS_DATA_DIR, default ./data) so one process works with no server.
 */
export async function openStateStore(options: { url?: string; dataDir?: string } = {}): Promise<StateStore> {
  if (options.url) {
    // A bounded connect: an unreachable state database (a dead network path) must fail the attempt so
    // that serve keeps answering and retries, instead of hanging on a socket forever.
    const pool = new pg.Pool({ connectionString: options.url, max: 5, application_name: 'ofn-insights-state', connectionTimeoutMillis: 30_000 });
    pool.on('error', () => {
      /* reported by the next query */
    });
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<StateDatabase>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrate(db);
    } catch (error) {
      // The caller retries: leave no pool behind per failed attempt.
      await db.destroy().catch(() => undefined);
      throw error;
    }
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = options.dataDir ?? 'data';
  if (dir !== 'memory') mkdirSync(dir, { recursive: true });
  const pglite = dir === 'memory' ? new PGlite() : new PGlite(`${dir}/state`);
  const db = new Kysely<StateDatabase>({ dialect: new PGliteDialect(pglite, false) });
  try {
    await pglite.waitReady;
    await migrate(db);
  } catch (error) {
    await pglite.close().catch(() => undefined);
    throw error;
  }
  return {
    db,
    kind: 'pglite',
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}

/** A trivial query, for /healthz. */
export async function pingState(db: StateDb): Promise<void> {
  await sql`select 1`.execute(db);
}
