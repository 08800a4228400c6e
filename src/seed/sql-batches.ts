import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Anything that can run SQL: a pg Client/PoolClient or a PGlite instance both fit. */
export interface SqlRunner {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/** Rows per INSERT: each statement carries one array per column, so the parameter count is the
 * column count (far below PostgreSQL's 65,535 limit) whatever the row count. */
const ROWS_PER_STATEMENT = 5_000;

/** Finds ofn-schema.sql: next to this module when vitest runs the TS sources, in the source tree
 * when running the compiled JS from dist/src/seed/ (tsc does not copy .sql files). */
export function schemaFileUrl(): URL {
  const candidates = [
    new URL('./ofn-schema.sql', import.meta.url),
    new URL('../../../src/seed/ofn-schema.sql', import.meta.url),
  ];
  for (const candidate of candidates) {
    if (existsSync(fileURLToPath(candidate))) return candidate;
  }
  throw new Error(
    `ofn-schema.sql not found (looked at ${candidates.map((c) => fileURLToPath(c)).join(', ')})`,
  );
}

/** Splits a schema file into single statements: PGlite's query() runs one statement at a time.
 * Full-line comments are dropped first so a ';' inside a comment cannot split anything; the
 * schema has no functions or dollar-quoted bodies, so a ';' at the end of a line ends a statement. */
export function splitSqlStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function readSchemaStatements(): string[] {
  return splitSqlStatements(readFileSync(schemaFileUrl(), 'utf8'));
}

/**
 * Streams rows into a table in batches: `INSERT ... SELECT * FROM unnest($1::type[], $2::type[], ...)`
 * with one array parameter per column. Values always travel as parameters, never spliced into SQL
 * text. Measured on PostgreSQL 15 this is ~4x faster than multi-row `VALUES ($1,...),(...)` (whose
 * parse analysis costs ~35 µs per row), and it works the same on PGlite.
 */
export class BatchInserter {
  private columnsBuffer: unknown[][];
  private rowsInBuffer = 0;
  private statement: string | undefined;
  /** The batch the server is executing while the next one is being built (one in flight at most:
   * client and server work overlap on two cores). Its failure is kept here, not left unhandled. */
  private inFlight: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  inserted = 0;

  constructor(
    private readonly db: SqlRunner,
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {
    this.columnsBuffer = columns.map(() => []);
  }

  async add(row: readonly unknown[]): Promise<void> {
    if (row.length !== this.columns.length) {
      throw new Error(`${this.table}: row has ${row.length} values for ${this.columns.length} columns`);
    }
    for (let c = 0; c < row.length; c++) (this.columnsBuffer[c] as unknown[]).push(row[c]);
    this.rowsInBuffer++;
    if (this.rowsInBuffer >= ROWS_PER_STATEMENT) await this.flush();
  }

  /** Sends the buffered rows; returns once the *previous* batch has been executed. */
  async flush(): Promise<void> {
    await this.settle();
    if (this.rowsInBuffer === 0) return;
    const params = this.columnsBuffer;
    const rows = this.rowsInBuffer;
    this.columnsBuffer = this.columns.map(() => []);
    this.rowsInBuffer = 0;
    const text = await this.statementText();
    this.inFlight = this.db.query(text, params).then(
      () => {
        this.inserted += rows;
      },
      (error: unknown) => {
        this.failure = { error };
      },
    );
  }

  /** Sends what is buffered and waits until every row is in the table. */
  async finish(): Promise<void> {
    await this.flush();
    await this.settle();
  }

  private async settle(): Promise<void> {
    if (this.inFlight) {
      await this.inFlight;
      this.inFlight = null;
    }
    if (this.failure) throw this.failure.error;
  }

  /** Array element types come from the catalog (through the caller's search_path), so the statement
   * follows ofn-schema.sql without a second copy of its column types here. */
  private async statementText(): Promise<string> {
    if (this.statement !== undefined) return this.statement;
    const result = (await this.db.query(
      `SELECT attname AS name, format_type(atttypid, NULL) AS type FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
      [this.table],
    )) as { rows?: Array<{ name: string; type: string }> };
    const types = new Map((result.rows ?? []).map((r) => [r.name, r.type]));
    const casts = this.columns.map((column, i) => {
      const type = types.get(column);
      if (type === undefined) throw new Error(`${this.table}.${column} does not exist`);
      return `$${i + 1}::${type}[]`;
    });
    this.statement = `INSERT INTO ${this.table} (${this.columns.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
    return this.statement;
  }
}
