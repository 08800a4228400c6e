import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Anything that can run SQL: a pg Client/PoolClient or a PGlite instance both fit. */
export interface SqlRunner {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/** PostgreSQL's bind-message limit on parameters per statement. */
const MAX_PARAMETERS = 65_535;
/** Rows per INSERT: big enough to amortise round trips, small enough to keep planning cheap. */
const MAX_ROWS_PER_STATEMENT = 2_000;

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
 * Streams rows into a table with multi-row parameterised INSERTs. Values travel as parameters (the
 * server infers their types from the target columns), so no value is ever spliced into SQL text.
 */
export class BatchInserter {
  private readonly statements = new Map<number, string>();
  private readonly rowsPerStatement: number;
  private buffer: unknown[] = [];
  private rowsInBuffer = 0;
  inserted = 0;

  constructor(
    private readonly db: SqlRunner,
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {
    this.rowsPerStatement = Math.max(
      1,
      Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns.length)),
    );
  }

  async add(row: readonly unknown[]): Promise<void> {
    if (row.length !== this.columns.length) {
      throw new Error(`${this.table}: row has ${row.length} values for ${this.columns.length} columns`);
    }
    for (const value of row) this.buffer.push(value);
    this.rowsInBuffer++;
    if (this.rowsInBuffer >= this.rowsPerStatement) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rowsInBuffer === 0) return;
    const params = this.buffer;
    const rows = this.rowsInBuffer;
    this.buffer = [];
    this.rowsInBuffer = 0;
    await this.db.query(this.statementFor(rows), params);
    this.inserted += rows;
  }

  private statementFor(rows: number): string {
    let text = this.statements.get(rows);
    if (text === undefined) {
      const width = this.columns.length;
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) {
        const placeholders: string[] = [];
        for (let c = 1; c <= width; c++) placeholders.push(`$${r * width + c}`);
        tuples.push(`(${placeholders.join(',')})`);
      }
      text = `INSERT INTO ${this.table} (${this.columns.join(', ')}) VALUES ${tuples.join(',')}`;
      this.statements.set(rows, text);
    }
    return text;
  }
}
