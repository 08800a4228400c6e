/**
 * OFN's own `db/schema.rb` → PostgreSQL DDL, so tests run on the schema each OFN release really has
 * rather than on one written by hand. It reads the three dialects schema.rb has had since 2019: Rails 3
 * (`:null => false`, `add_index` lines), Rails 4.0 (`null: false`, `using: :btree`) and Rails 7
 * (`t.index` inside `create_table`, `id: :serial`, `precision: nil`). Anything it does not understand
 * in a table it is asked for is an error, never silently dropped: a fixture must not drift from OFN.
 *
 * The fixtures it produced live in test/fixtures/ofn-schema/ with the commit each came from;
 * test/support/ofn-schema-fixtures.ts regenerates them from a clone of openfoodfoundation/openfoodnetwork.
 */

/** A Ruby literal as schema.rb writes them. */
export type RubyValue =
  | string
  | number
  | boolean
  | null
  | { symbol: string }
  | { lambda: string }
  | RubyValue[]
  | { hash: Map<string, RubyValue> };

interface RubyArguments {
  positional: RubyValue[];
  options: Map<string, RubyValue>;
}

/** Parses a Ruby argument list such as `"name", limit: 255, :default => "none", null: false`. */
export function parseRubyArguments(text: string): RubyArguments {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`schema.rb: ${what} at ${i} in \`${text}\``);
  };
  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const string = (): string => {
    const quote = text[i]!;
    i++;
    let out = '';
    while (i < text.length && text[i] !== quote) {
      if (text[i] === '\\') {
        const next = text[i + 1];
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next ?? '';
        i += 2;
      } else out += text[i++];
    }
    if (text[i] !== quote) fail('an unterminated string');
    i++;
    return out;
  };
  const word = (): string => {
    const match = /^[A-Za-z_][A-Za-z0-9_?!]*/.exec(text.slice(i));
    if (!match) return fail('a name expected');
    i += match[0].length;
    return match[0];
  };
  // A key: `name:` (not `name::`), `:name =>` or `"name" =>`. Returns undefined (and rewinds) otherwise.
  const key = (): string | undefined => {
    const start = i;
    space();
    if (text[i] === ':' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
      i++;
      const name = word();
      space();
      if (text.startsWith('=>', i)) {
        i += 2;
        return name;
      }
    } else if (text[i] === '"' || text[i] === "'") {
      const name = string();
      space();
      if (text.startsWith('=>', i)) {
        i += 2;
        return name;
      }
    } else if (/[A-Za-z_]/.test(text[i] ?? '')) {
      const name = word();
      if (text[i] === ':' && text[i + 1] !== ':') {
        i++;
        return name;
      }
    }
    i = start;
    return undefined;
  };
  const value = (): RubyValue => {
    space();
    const c = text[i];
    if (c === '"' || c === "'") return string();
    if (c === ':') {
      i++;
      return { symbol: c === ':' && text[i] === '"' ? string() : word() };
    }
    if (c === '[') {
      i++;
      const items: RubyValue[] = [];
      space();
      while (text[i] !== ']') {
        items.push(value());
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail('`,` or `]` expected');
        space();
      }
      i++;
      return items;
    }
    if (c === '{') {
      i++;
      const hash = new Map<string, RubyValue>();
      space();
      while (text[i] !== '}') {
        const k = key() ?? fail('a hash key expected');
        hash.set(k, value());
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail('`,` or `}` expected');
        space();
      }
      i++;
      return { hash };
    }
    if (text.startsWith('->', i)) {
      i += 2;
      space();
      if (text[i] !== '{') fail('a lambda body expected');
      i++;
      space();
      const body = value();
      space();
      if (text[i] !== '}') fail('`}` expected after a lambda');
      i++;
      if (typeof body !== 'string') fail('a lambda returning a string expected');
      return { lambda: body as string };
    }
    const number = /^-?\d+(\.\d+)?(e-?\d+)?/.exec(text.slice(i));
    if (number) {
      i += number[0].length;
      return Number(number[0]);
    }
    const name = word();
    if (name === 'true') return true;
    if (name === 'false') return false;
    if (name === 'nil') return null;
    return fail(`an unknown literal \`${name}\``);
  };

  const positional: RubyValue[] = [];
  const options = new Map<string, RubyValue>();
  space();
  while (i < text.length) {
    const k = key();
    if (k !== undefined) options.set(k, value());
    else if (options.size > 0) fail('a positional argument after options');
    else positional.push(value());
    space();
    if (i < text.length) {
      if (text[i] !== ',') fail('`,` expected');
      i++;
      space();
    }
  }
  return { positional, options };
}

export interface ColumnDefinition {
  name: string;
  /** The Rails type: string, integer, datetime, … */
  type: string;
  options: Map<string, RubyValue>;
}

export interface IndexDefinition {
  table: string;
  columns: string[];
  name: string;
  unique: boolean;
  where?: string;
  using?: string;
}

export interface ForeignKeyDefinition {
  from: string;
  to: string;
  column: string;
  name?: string;
  onDelete?: 'cascade' | 'nullify' | 'restrict';
}

export interface TableDefinition {
  name: string;
  /** The primary key: a serial column `id`, a bigserial one, none, or composite columns. */
  primaryKey: { kind: 'serial' | 'bigserial'; column: string } | { kind: 'none' } | { kind: 'composite'; columns: string[] };
  columns: ColumnDefinition[];
  checks: { name: string; expression: string }[];
}

export interface SchemaDefinition {
  /** The `define(version: …)` of schema.rb, digits only: 20190506194625. */
  version: string;
  /** Rails before 4.2 gave `t.string` a default limit of 255 on PostgreSQL, and dumped it without one. */
  stringDefaultLimit: number | undefined;
  tables: Map<string, TableDefinition>;
  indexes: IndexDefinition[];
  foreignKeys: ForeignKeyDefinition[];
}

const optionString = (options: Map<string, RubyValue>, name: string): string | undefined => {
  const v = options.get(name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'symbol' in v) return v.symbol;
  throw new Error(`schema.rb: option ${name} is not a string or symbol`);
};

const stringList = (v: RubyValue | undefined, what: string): string[] => {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new Error(`schema.rb: ${what} is not a column name or a list of them`);
};

/** Rails' default foreign key column: `to_table.singularize + "_id"`, for the plural forms OFN's tables use. */
function singular(table: string): string {
  if (table.endsWith('ies')) return `${table.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(table)) return table.slice(0, -2);
  if (table.endsWith('s')) return table.slice(0, -1);
  return table;
}

function indexFrom(table: string, args: RubyArguments): IndexDefinition {
  const known = new Set(['name', 'unique', 'where', 'using', 'order', 'length']);
  for (const k of args.options.keys()) if (!known.has(k)) throw new Error(`schema.rb: index option ${k} on ${table} is not supported`);
  if (args.options.has('order') || args.options.has('length')) throw new Error(`schema.rb: index order/length on ${table} is not supported`);
  const name = optionString(args.options, 'name') ?? `index_${table}_on_${stringList(args.positional[0], 'index columns').join('_and_')}`;
  const using = optionString(args.options, 'using');
  const where = optionString(args.options, 'where');
  return {
    table,
    columns: stringList(args.positional[0], `index ${name}`),
    name,
    unique: args.options.get('unique') === true,
    ...(where ? { where } : {}),
    ...(using && using !== 'btree' ? { using } : {}),
  };
}

/** Reads a whole schema.rb (or an excerpt of one). */
export function parseSchemaRb(text: string): SchemaDefinition {
  const version = /ActiveRecord::Schema(?:\[[\d.]+\])?\.define\((?::version\s*=>|version:)\s*([\d_]+)\)/.exec(text)?.[1]?.replaceAll('_', '');
  if (!version) throw new Error('schema.rb: no ActiveRecord::Schema.define(version) line');
  // `force: :cascade` arrived with Rails 4.2, which also dropped the implicit varchar(255); Rails 5.1 made
  // new ids bigint and from then on dumps `id: :serial` for the old integer ones.
  const modernStrings = /force: :cascade/.test(text);
  const bigintIds = /create_table "[^"]+", id: :(serial|integer)/.test(text);
  const schema: SchemaDefinition = { version, stringDefaultLimit: modernStrings ? undefined : 255, tables: new Map(), indexes: [], foreignKeys: [] };
  let current: TableDefinition | undefined;
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `schema.rb line ${n + 1}`;
    if (current) {
      if (line === 'end') {
        schema.tables.set(current.name, current);
        current = undefined;
        continue;
      }
      const m = /^t\.(\w+)\s+(.*)$/.exec(line);
      if (!m) throw new Error(`${where}: not understood inside create_table: ${line}`);
      const [, kind, rest] = m as unknown as [string, string, string];
      const args = parseRubyArguments(rest);
      if (kind === 'index') schema.indexes.push(indexFrom(current.name, args));
      else if (kind === 'check_constraint') {
        const expression = args.positional[0];
        if (typeof expression !== 'string') throw new Error(`${where}: check constraint without an expression`);
        current.checks.push({ name: optionString(args.options, 'name') ?? `chk_${current.name}_${current.checks.length + 1}`, expression });
      } else {
        for (const name of stringList(args.positional[0], `${where} column`)) current.columns.push({ name, type: kind, options: args.options });
      }
      continue;
    }
    const create = /^create_table\s+(.*)\s+do\s+\|t\|$/.exec(line);
    if (create) {
      const args = parseRubyArguments(create[1]!);
      const name = args.positional[0];
      if (typeof name !== 'string') throw new Error(`${where}: create_table without a name`);
      const id = args.options.get('id');
      const primary = args.options.get('primary_key');
      const idColumn = typeof primary === 'string' ? primary : 'id';
      let primaryKey: TableDefinition['primaryKey'];
      if (Array.isArray(primary)) primaryKey = { kind: 'composite', columns: stringList(primary, `${where} primary_key`) };
      else if (id === false) primaryKey = { kind: 'none' };
      else if (id === undefined) primaryKey = { kind: bigintIds ? 'bigserial' : 'serial', column: idColumn };
      else if (typeof id === 'object' && id !== null && 'symbol' in id && (id.symbol === 'serial' || id.symbol === 'integer')) primaryKey = { kind: 'serial', column: idColumn };
      else if (typeof id === 'object' && id !== null && 'symbol' in id && (id.symbol === 'bigserial' || id.symbol === 'bigint')) primaryKey = { kind: 'bigserial', column: idColumn };
      else throw new Error(`${where}: id option of ${name} not supported`);
      current = { name, primaryKey, columns: [], checks: [] };
      continue;
    }
    const statement = /^(add_index|add_foreign_key)\s+(.*)$/.exec(line);
    if (statement) {
      const args = parseRubyArguments(statement[2]!);
      const [from, second] = args.positional;
      if (typeof from !== 'string') throw new Error(`${where}: ${statement[1]} without a table`);
      if (statement[1] === 'add_index') {
        schema.indexes.push(indexFrom(from, { positional: args.positional.slice(1), options: args.options }));
      } else {
        if (typeof second !== 'string') throw new Error(`${where}: add_foreign_key without a target table`);
        // Rails spells the action on_delete; the foreigner gem (OFN before Rails 4.2) spelled it dependent.
        const action = optionString(args.options, 'on_delete') ?? optionString(args.options, 'dependent');
        const onDelete = action === 'cascade' || action === 'delete' ? 'cascade' : action === 'nullify' ? 'nullify' : action === 'restrict' ? 'restrict' : undefined;
        if (action !== undefined && onDelete === undefined) throw new Error(`${where}: on_delete ${action} not supported`);
        const name = optionString(args.options, 'name');
        schema.foreignKeys.push({ from, to: second, column: optionString(args.options, 'column') ?? `${singular(second)}_id`, ...(name ? { name } : {}), ...(onDelete ? { onDelete } : {}) });
      }
      continue;
    }
    if (/^(ActiveRecord::Schema|enable_extension|end$|create_enum|create_schema|create_view|create_function|create_trigger)/.test(line)) continue;
    throw new Error(`${where}: not understood: ${line}`);
  }
  if (current) throw new Error(`schema.rb: create_table "${current.name}" has no end`);
  return schema;
}

const quoteIdent = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`);
const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

function sqlType(schema: SchemaDefinition, table: string, column: ColumnDefinition): string {
  const o = column.options;
  const limit = o.get('limit');
  const precision = o.get('precision');
  const scale = o.get('scale');
  const array = o.get('array') === true ? '[]' : '';
  const base = ((): string => {
    switch (column.type) {
      case 'string': {
        const n = typeof limit === 'number' ? limit : schema.stringDefaultLimit;
        return n === undefined ? 'character varying' : `character varying(${n})`;
      }
      case 'text':
        return 'text';
      case 'integer':
        return limit === 8 ? 'bigint' : limit === 2 ? 'smallint' : 'integer';
      case 'bigint':
        return 'bigint';
      case 'boolean':
        return 'boolean';
      case 'float':
        return 'double precision';
      case 'decimal':
        return typeof precision === 'number' ? `numeric(${precision}${typeof scale === 'number' ? `,${scale}` : ''})` : 'numeric';
      case 'datetime':
      case 'timestamp':
        return typeof precision === 'number' ? `timestamp(${precision}) without time zone` : 'timestamp without time zone';
      case 'date':
        return 'date';
      case 'time':
        return 'time without time zone';
      case 'json':
        return 'json';
      case 'jsonb':
        return 'jsonb';
      case 'uuid':
        return 'uuid';
      case 'binary':
        return 'bytea';
      default:
        throw new Error(`schema.rb: type ${column.type} of ${table}.${column.name} is not supported`);
    }
  })();
  return base + array;
}

function sqlDefault(table: string, column: ColumnDefinition): string | undefined {
  const value = column.options.get('default');
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return quoteLiteral(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object' && 'lambda' in value) return value.lambda;
  if (Array.isArray(value) && value.length === 0) return `'{}'`;
  if (typeof value === 'object' && 'hash' in value && value.hash.size === 0) return `'{}'`;
  throw new Error(`schema.rb: default of ${table}.${column.name} is not supported`);
}

const COLUMN_OPTIONS = new Set(['limit', 'precision', 'scale', 'default', 'null', 'array', 'comment']);

/** DDL for one table: CREATE TABLE with its columns and primary key, in schema.rb's column order. */
function createTable(schema: SchemaDefinition, table: TableDefinition): string {
  const lines: string[] = [];
  const pk = table.primaryKey;
  if (pk.kind === 'serial' || pk.kind === 'bigserial') lines.push(`${quoteIdent(pk.column)} ${pk.kind} PRIMARY KEY`);
  for (const column of table.columns) {
    for (const k of column.options.keys()) if (!COLUMN_OPTIONS.has(k)) throw new Error(`schema.rb: option ${k} of ${table.name}.${column.name} is not supported`);
    const parts = [quoteIdent(column.name), sqlType(schema, table.name, column)];
    const fallback = sqlDefault(table.name, column);
    if (fallback !== undefined) parts.push(`DEFAULT ${fallback}`);
    if (column.options.get('null') === false) parts.push('NOT NULL');
    lines.push(parts.join(' '));
  }
  if (pk.kind === 'composite') lines.push(`PRIMARY KEY (${pk.columns.map(quoteIdent).join(', ')})`);
  for (const check of table.checks) lines.push(`CONSTRAINT ${quoteIdent(check.name)} CHECK (${check.expression})`);
  return `CREATE TABLE ${quoteIdent(table.name)} (\n  ${lines.join(',\n  ')}\n);`;
}

function createIndex(index: IndexDefinition): string {
  return (
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ${quoteIdent(index.table)}` +
    `${index.using ? ` USING ${index.using}` : ''} (${index.columns.map(quoteIdent).join(', ')})${index.where ? ` WHERE ${index.where}` : ''};`
  );
}

function addForeignKey(fk: ForeignKeyDefinition): string {
  const action = fk.onDelete === 'cascade' ? ' ON DELETE CASCADE' : fk.onDelete === 'nullify' ? ' ON DELETE SET NULL' : fk.onDelete === 'restrict' ? ' ON DELETE RESTRICT' : '';
  return `ALTER TABLE ${quoteIdent(fk.from)} ADD${fk.name ? ` CONSTRAINT ${quoteIdent(fk.name)}` : ''} FOREIGN KEY (${quoteIdent(fk.column)}) REFERENCES ${quoteIdent(fk.to)}${action};`;
}

/**
 * PostgreSQL DDL for `tables` of a schema.rb: tables in the order asked, then their indexes, then the
 * foreign keys between them (a key to a table left out is left out too: the fixture holds a subset).
 */
export function schemaRbToDdl(text: string, tables: readonly string[]): string {
  const schema = parseSchemaRb(text);
  const wanted = new Set(tables);
  const out: string[] = [];
  for (const name of tables) {
    const table = schema.tables.get(name);
    if (!table) throw new Error(`schema.rb version ${schema.version} has no table ${name}`);
    out.push(createTable(schema, table));
  }
  const indexes = schema.indexes.filter((i) => wanted.has(i.table));
  out.push(...tables.flatMap((t) => indexes.filter((i) => i.table === t).map(createIndex)));
  out.push(...schema.foreignKeys.filter((fk) => wanted.has(fk.from) && wanted.has(fk.to)).map(addForeignKey));
  return `${out.join('\n\n')}\n`;
}

/**
 * The part of a schema.rb a fixture needs: its version line, the create_table blocks of `tables`, and
 * the add_index / add_foreign_key lines among them, each line as OFN wrote it.
 */
export function schemaRbExcerpt(text: string, tables: readonly string[]): string {
  const wanted = new Set(tables);
  const lines = text.split('\n');
  const out: string[] = [];
  const header = lines.find((l) => /ActiveRecord::Schema.*define\(/.test(l));
  if (!header) throw new Error('schema.rb: no define(version) line');
  out.push(header);
  const found = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const create = /^\s*create_table "([^"]+)"/.exec(line);
    if (create && wanted.has(create[1]!)) {
      found.add(create[1]!);
      out.push('');
      let j = i;
      while (j < lines.length && lines[j] !== '  end') out.push(lines[j++]!);
      out.push('  end');
      i = j;
      continue;
    }
    const statement = /^\s*add_(index|foreign_key) "([^"]+)"(?:, "([^"]+)")?/.exec(line);
    if (statement && wanted.has(statement[2]!) && (statement[1] === 'index' || wanted.has(statement[3] ?? ''))) out.push(line);
  }
  const missing = tables.filter((t) => !found.has(t));
  if (missing.length > 0) throw new Error(`schema.rb has no table ${missing.join(', ')}`);
  out.push('', 'end');
  return `${out.join('\n')}\n`;
}
