import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * A Kysely dialect over PGlite (embedded PostgreSQL in WebAssembly), used by the demo and the default
 * state store. PGlite has a single session for every caller, so connections are handed out one at a
 * time: a transaction never interleaves with another caller's statements.
 */
export class PGliteDialect implements Dialect {
  /** `replicaParsers`: parse like the replica pool (UTC text timestamps, decimal text); off for the state store. */
  constructor(
    private readonly pglite: PGlite,
    private readonly replicaParsers = true,
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.replicaParsers ? PARSERS : STATE_PARSERS);
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

// Match the pg pool's parsing: timestamps stay UTC text, numerics stay decimal text, bigint counts become numbers.
const PARSERS = {
  1114: (value: string) => value,
  1184: (value: string) => value,
  1700: (value: string) => value,
  20: (value: string) => Number(value),
};

// The state store: counts as numbers like everywhere else, timestamps as Dates like pg does.
const STATE_PARSERS = { 20: (value: string) => Number(value) };

type Parsers = Record<number, (value: string) => unknown>;

/** One queue per PGlite, not per Kysely: the demo keeps its OFN data and its state store in one
 * PGlite (two Kysely instances), and a transaction of one must not take in the other's statements. */
const queues = new WeakMap<PGlite, Promise<void>>();

class PGliteDriver implements Driver {
  constructor(
    private readonly pglite: PGlite,
    private readonly parsers: Parsers,
  ) {}
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const previous = queues.get(this.pglite) ?? Promise.resolve();
    queues.set(this.pglite, new Promise<void>((resolve) => (release = resolve)));
    await previous;
    return new PGliteConnection(this.pglite, release, this.parsers);
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}${mode}`));
  }
  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(connection: DatabaseConnection) {
    (connection as PGliteConnection).release();
  }
  async destroy() {}
}

class PGliteConnection implements DatabaseConnection {
  constructor(
    private readonly pglite: PGlite,
    readonly release: () => void,
    private readonly parsers: Parsers,
  ) {}
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(query.sql, [...query.parameters], { parsers: this.parsers });
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect does not stream');
  }
}
