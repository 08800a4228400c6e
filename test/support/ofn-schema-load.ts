import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { withDatabase } from './global-setup.js';
import { releaseDdl, type OfnRelease } from './ofn-schema-fixtures.js';

/** A database of its own for a test file, dropped by `drop()`. */
export interface ScratchDatabase {
  url: string;
  client: pg.Client;
  drop(): Promise<void>;
}

/** An empty database (no OFN tables), or one with a release's generated DDL applied. */
export async function createScratchDatabase(prefix: string, release?: OfnRelease): Promise<ScratchDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template template0`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  if (release) await client.query(releaseDdl(release));
  return {
    url,
    client,
    async drop() {
      await client.end();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/**
 * How a value of today's schema is written into an older column of another type, as OFN's own
 * migration would take it back down: enterprises.visible became a string in 20220410162955, whose
 * `down` writes `visible != 'public'` as false.
 */
const DOWNGRADES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'enterprises.visible': { boolean: `(visible = 'public')` },
};

interface ColumnInfo {
  name: string;
  type: string;
}

async function columnsOf(client: pg.Client, table: string): Promise<ColumnInfo[]> {
  const { rows } = await client.query<ColumnInfo>(
    `select column_name as name, data_type as type from information_schema.columns
      where table_schema = 'public' and table_name = $1 order by ordinal_position`,
    [table],
  );
  return rows;
}

/**
 * Copies rows from a database on one OFN schema into another (a release's): the columns both have,
 * converted where the type changed between releases (DOWNGRADES), refused where nobody said how.
 * Columns only the source has (included_tax_total on a 2019 schema) are left behind; the target's own
 * extra columns take their defaults. Tables in FK order; each table's serial moves past the ids copied.
 */
export async function copyOfnRows(source: pg.Client, target: pg.Client, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const from = new Map((await columnsOf(source, table)).map((c) => [c.name, c.type]));
    const into = (await columnsOf(target, table)).filter((c) => from.has(c.name));
    if (into.length === 0) throw new Error(`${table}: no columns in common`);
    const select = into.map((c) => {
      const type = from.get(c.name)!;
      if (type === c.type || (isText(type) && isText(c.type)) || (isNumber(type) && isNumber(c.type))) return c.name;
      const downgrade = DOWNGRADES[`${table}.${c.name}`]?.[c.type];
      if (!downgrade) throw new Error(`${table}.${c.name}: no rule to copy ${type} into ${c.type}`);
      return `${downgrade} as ${c.name}`;
    });
    const names = into.map((c) => c.name).join(', ');
    const { rows } = await source.query<{ rows: string }>(`select coalesce(json_agg(t)::text, '[]') as rows from (select ${select.join(', ')} from ${table}) t`);
    await target.query(`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, $1::json)`, [rows[0]!.rows]);
    if (into.some((c) => c.name === 'id')) {
      await target.query(`select setval(pg_get_serial_sequence('${table}', 'id'), coalesce((select max(id) from ${table}), 0) + 1, false)`);
    }
  }
  await target.query('analyze');
}

const isText = (type: string) => type === 'text' || type === 'character varying';
const isNumber = (type: string) => type === 'numeric' || type === 'double precision' || type === 'integer' || type === 'bigint';
