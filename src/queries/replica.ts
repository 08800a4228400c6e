import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type KyselyConfig, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult, type Transaction } from 'kysely';

export interface ReplicaCapabilities {
  /** enterprises.external_billing_id (migration 20241113185651). */
  externalBillingId: boolean;
  /** spree_variants.supplier_id (v4.4.55; before, the supplier is on spree_products). */
  variantSupplier: boolean;
  /** spree_users.admin (2025; before, spree_roles). */
  userAdminFlag: boolean;
  /** spree_addresses and spree_countries are replicated (a central replica may leave personal tables out). */
  addresses: boolean;
  /**
   * The type of enterprises.visible: a string (public, only_through_links, hidden) since migration
   * 20220410162955 (v4.1.27, April 2022), a boolean before. The definitions read both (definitions.ts).
   */
  enterpriseVisibility: 'string' | 'boolean';
  /** spree_orders.included_tax_total and additional_tax_total (migration 20210123044336, first released in v3.5.11, February 2021). */
  orderTaxTotals: boolean;
}
import { OfnError } from '../core/errors.js';
import { replicaErrorsTotal, replicaQuerySeconds } from '../core/telemetry.js';

/** What a replica connection needs of an instance's settings (config/ validates them; queries don't import it). */
export interface ReplicaSettings {
  readonly id: string;
  readonly name: string;
  /** postgres:// URL of the read-only replica. */
  readonly replica: string;
  readonly schema: string;
  readonly statementTimeoutSeconds: number;
  readonly poolSize: number;
}
import type { OfnDatabase } from './ofn-tables.js';
import { cached } from '../core/memo.js';

/** pg type parsers for replica connections: keep UTC timestamps and money as text, counts as numbers. */
const replicaTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1114 || oid === 1184 || oid === 1700) return (value: string) => value;
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export type ReplicaDb = Kysely<OfnDatabase>;
export type ReplicaTx = Transaction<OfnDatabase>;

/** Statements already sent in the current `shareStatements` scope: replica, SQL and parameters → their result. */
const sharedStatements = new AsyncLocalStorage<Map<string, Promise<PostgresQueryResult<unknown>>>>();

/**
 * Runs `work` so that identical statements it sends to one replica go there once and share the result:
 * a dashboard's or the Home tab's questions (`turnover … last-month` and `orders … last-month` read the
 * same totals). Only statements outside a transaction are shared; those of a snapshot see their own.
 */
export function shareStatements<T>(work: () => Promise<T>): Promise<T> {
  return sharedStatements.run(new Map(), work);
}

/** True inside `shareStatements`: the definitions then send the statements several questions can share. */
export function sharingStatements(): boolean {
  return sharedStatements.getStore() !== undefined;
}

/**
 * `pool` for Kysely, its clients consulting the `shareStatements` scope, if any, before sending a SELECT.
 * A client takes a connection from the pool only for a statement it must send: a question whose
 * statement was sent by another holds no connection while it waits for the answer.
 */
function sharingPool(pool: pg.Pool, replicaId: string): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      let connection: Promise<pg.PoolClient> | undefined;
      const connected = () => (connection ??= pool.connect());
      let inTransaction = false;
      const send = async (text: string, values: readonly unknown[]) => (await connected()).query(text, [...values]) as unknown as PostgresQueryResult<unknown>;
      return {
        query(text: unknown, values?: readonly unknown[]) {
          // Kysely streams through a cursor only when given one; the replicas are never given one.
          if (typeof text !== 'string') throw new Error('replica: cursors are not used');
          const head = text.trimStart().slice(0, 17).toLowerCase();
          if (head.startsWith('begin') || head.startsWith('start transaction')) inTransaction = true;
          else if (head.startsWith('commit') || head.startsWith('rollback')) inTransaction = false;
          const shared = sharedStatements.getStore();
          if (!shared || inTransaction || !(head.startsWith('select') || head.startsWith('with'))) return send(text, values ?? []);
          const key = `${replicaId}\u0000${text}\u0000${JSON.stringify(values ?? [])}`;
          return cached(shared, key, () => send(text, values ?? [])).then((r) => ({ ...r, rows: r.rows.slice() }));
        },
        release(destroy?: boolean) {
          if (connection) void connection.then((client) => client.release(destroy), () => undefined);
        },
      } as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

/**
 * One instance's read-only replica. Every query runs inside a READ ONLY transaction; the session also
 * defaults to read-only and carries a statement timeout, so even a mistake in our SQL cannot write or
 * run for longer than OFN's integration roles allow (30 s).
 */
export class Replica {
  private readonly db: ReplicaDb;

  constructor(
    readonly instance: ReplicaSettings,
    db: ReplicaDb,
    /** The session itself is read-only (startup option), so an implicit transaction is one too. */
    private readonly sessionReadOnly = false,
  ) {
    this.db = instance.schema === 'public' ? db : db.withSchema(instance.schema);
  }

  static connect(instance: ReplicaSettings, onPoolError?: (error: Error) => void, log?: KyselyConfig['log']): Replica {
    const timeoutMs = Math.round(instance.statementTimeoutSeconds * 1000);
    const pool = new pg.Pool({
      connectionString: instance.replica,
      max: instance.poolSize,
      idleTimeoutMillis: 30_000,
      // Covers both opening a connection and waiting for a free one: under a burst, answers queue for the
      // pool, so this matches the statement timeout rather than failing queued answers after a few seconds.
      connectionTimeoutMillis: timeoutMs,
      application_name: 'ofn-insights',
      statement_timeout: timeoutMs,
      // A dead network can hang a socket forever; the client gives up a little after the server would.
      query_timeout: timeoutMs + 5_000,
      options: '-c default_transaction_read_only=on',
      types: replicaTypes,
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    pool.on('error', (error) => onPoolError?.(error));
    // A connection can also die while checked out between two statements (replica restarted): pg then
    // emits 'error' on the client itself, which would crash the process without a listener. The query
    // in flight, if any, fails on its own and is reported to the user.
    pool.on('connect', (client) => client.on('error', (error) => onPoolError?.(error)));
    return new Replica(instance, new Kysely<OfnDatabase>({ dialect: new PostgresDialect({ pool: sharingPool(pool, instance.id) }), ...(log ? { log } : {}) }), true);
  }

  /**
   * Runs `work` read-only and turns driver failures into friendly domain errors. On a pg pool every
   * session starts with default_transaction_read_only=on and a statement timeout, so each statement's
   * implicit transaction is READ ONLY without the two extra round trips of BEGIN/COMMIT; `snapshot`
   * asks for one explicit REPEATABLE READ, READ ONLY transaction when several statements must agree.
   */
  async read<T>(work: (tx: ReplicaTx) => Promise<T>, options: { snapshot?: boolean } = {}): Promise<T> {
    const timer = replicaQuerySeconds.startTimer({ instance: this.instance.id });
    try {
      if (this.sessionReadOnly && !options.snapshot) {
        return await this.db.connection().execute((connection) => work(connection as unknown as ReplicaTx));
      }
      const builder = this.db.transaction().setAccessMode('read only');
      return await (options.snapshot ? builder.setIsolationLevel('repeatable read') : builder).execute(work);
    } catch (error) {
      const described = this.describeFailure(error);
      replicaErrorsTotal.inc({ instance: this.instance.id, code: described instanceof OfnError ? described.code : 'unexpected' });
      throw described;
    } finally {
      timer();
    }
  }

  private capabilitiesProbe: Promise<ReplicaCapabilities> | undefined;

  /**
   * Optional columns of this replica's OFN release, probed once (and again after a failure): one bot
   * serves instances on different releases. See ../shared/docs/ofn-data.md on schema differences.
   */
  capabilities(): Promise<ReplicaCapabilities> {
    this.capabilitiesProbe ??= this.read(async (tx) => {
      const { rows } = await sql<{ table_name: string; column_name: string; data_type: string }>`
        select table_name, column_name, data_type from information_schema.columns
         where table_schema = ${this.instance.schema}
           and table_name in ('enterprises', 'spree_orders', 'spree_variants', 'spree_products', 'spree_users', 'spree_addresses', 'spree_countries')`.execute(tx);
      const column = (table: string, name: string) => rows.find((r) => r.table_name === table && r.column_name === name);
      const has = (table: string, name: string) => column(table, name) !== undefined;
      return Object.freeze({
        externalBillingId: has('enterprises', 'external_billing_id'),
        variantSupplier: has('spree_variants', 'supplier_id'),
        userAdminFlag: has('spree_users', 'admin'),
        addresses: has('spree_addresses', 'city') && has('spree_countries', 'name'),
        enterpriseVisibility: column('enterprises', 'visible')?.data_type === 'boolean' ? 'boolean' : 'string',
        orderTaxTotals: has('spree_orders', 'included_tax_total') && has('spree_orders', 'additional_tax_total'),
      } satisfies ReplicaCapabilities);
    }).catch((error) => {
      this.capabilitiesProbe = undefined;
      throw error;
    });
    return this.capabilitiesProbe;
  }

  private freshnessCache: { checkedAt: number; replayedAt: Date | null; lagMs: number } | undefined;

  /**
   * When the replica last replayed a transaction from its primary and how long ago that was (null on a
   * primary), checked at most every 30 s. The lag is measured by the replica's own clock (`now()` there),
   * so a bot whose clock differs from the database's cannot call fresh data old or old data fresh; between
   * checks it grows by the time passed on `now`'s clock. On an idle primary this also ages, so it is shown
   * only past `staleAfterSeconds`.
   */
  async lastReplayed(now = Date.now()): Promise<{ at: Date; lagMs: number } | null> {
    if (!this.freshnessCache || now - this.freshnessCache.checkedAt >= 30_000) {
      const row = await this.read((tx) =>
        sql<{ at: string | null; lag: string | null }>`select pg_last_xact_replay_timestamp()::text as at,
               (extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000)::bigint::text as lag`.execute(tx),
      );
      const { at = null, lag = null } = row.rows[0] ?? {};
      this.freshnessCache = { checkedAt: now, replayedAt: at ? new Date(at.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')) : null, lagMs: Number(lag ?? 0) };
    }
    const { replayedAt, lagMs, checkedAt } = this.freshnessCache;
    return replayedAt ? { at: replayedAt, lagMs: lagMs + Math.max(0, now - checkedAt) } : null;
  }

  /**
   * What this replica's role may do beyond reading, as sentences for operators ("role ofn is a
   * superuser"); empty when it holds SELECT only. The bot forces its sessions read-only, but a role
   * that can write is one mistake (ours, or someone reusing the credentials) away from changing an
   * instance's data, so `serve` reports it at start and on /healthz. Privileges inherited through
   * role membership (pg_write_all_data included) count, as the has_*_privilege functions see them.
   */
  async roleRisks(): Promise<string[]> {
    return this.read(async (tx) => {
      const role = (
        await sql<{ name: string; superuser: boolean; createrole: boolean; createdb: boolean; replication: boolean; database: string; databaseCreate: boolean; schemaCreate: boolean }>`
          select r.rolname as name, r.rolsuper as superuser, r.rolcreaterole as createrole, r.rolcreatedb as createdb,
                 r.rolreplication as replication, current_database() as database,
                 has_database_privilege(current_database(), 'CREATE') as "databaseCreate",
                 coalesce((select has_schema_privilege(n.oid, 'CREATE') from pg_namespace n where n.nspname = ${this.instance.schema}), false) as "schemaCreate"
            from pg_roles r where r.rolname = current_user`.execute(tx)
      ).rows[0];
      if (!role) return [];
      const who = `role ${role.name}`;
      // A superuser passes every privilege check: listing each table would only bury the one line that matters.
      if (role.superuser) return [`${who} is a superuser`];
      const risks: string[] = [];
      if (role.createrole) risks.push(`${who} may create roles (CREATEROLE)`);
      if (role.createdb) risks.push(`${who} may create databases (CREATEDB)`);
      if (role.replication) risks.push(`${who} may stream the whole cluster (REPLICATION)`);
      if (role.databaseCreate) risks.push(`${who} may CREATE schemas in database ${role.database}`);
      if (role.schemaCreate) risks.push(`${who} may CREATE objects in schema ${this.instance.schema}`);
      // Column-level grants count too (has_any_column_privilege); MAINTAIN exists from PostgreSQL 17 on.
      const { rows } = await sql<{ privilege: string; tables: string[] }>`
        select p.privilege, array_agg(c.relname::text order by c.relname) as tables
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          cross join unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']
                            || case when current_setting('server_version_num')::int >= 170000 then array['MAINTAIN'] else array[]::text[] end) as p(privilege)
         where n.nspname = ${this.instance.schema}
           and c.relkind in ('r', 'p', 'v', 'm', 'f')
           and case when p.privilege in ('INSERT', 'UPDATE', 'REFERENCES') then has_any_column_privilege(c.oid, p.privilege)
                    else has_table_privilege(c.oid, p.privilege) end
         group by p.privilege
         order by min(array_position(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'], p.privilege))`.execute(tx);
      for (const { privilege, tables } of rows) {
        const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ` and ${tables.length - 5} more` : '');
        risks.push(`${who} has ${privilege} on ${tables.length} ${tables.length === 1 ? 'table' : 'tables'} in schema ${this.instance.schema} (${shown})`);
      }
      return risks;
    });
  }

  /** True when a trivial query answers. */
  async ping(): Promise<boolean> {
    try {
      await this.read((tx) => tx.selectFrom('enterprises').select('id').limit(1).execute());
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  private describeFailure(error: unknown): unknown {
    if (error instanceof OfnError) return error;
    const e = error as { code?: string; message?: string };
    const name = this.instance.name;
    if (e.code === '57014' || /query read timeout/i.test(e.message ?? '')) {
      return OfnError.say('ReplicaTimeout', 'error.replicaTimeout', { name, seconds: this.instance.statementTimeoutSeconds }, undefined, error);
    }
    if (e.code === '42703' || e.code === '42P01') {
      this.capabilitiesProbe = undefined; // the release may have changed under us: probe again next time
      return OfnError.say('SchemaMismatch', 'error.replicaSchema', schemaMismatchValues(name, e.message), undefined, error);
    }
    if (
      e.code === '25006' || // read_only_sql_transaction: would only happen on a bug, never retry it as a write
      e.code === '42501' // insufficient_privilege
    ) {
      return OfnError.say('ReplicaUnavailable', 'error.replicaPermissions', { name }, undefined, error);
    }
    if (
      (e.code !== undefined && /^(08|57P|53)/.test(e.code)) ||
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|timeout exceeded when trying to connect|Connection terminated/i.test(
        `${e.code ?? ''} ${e.message ?? ''}`,
      )
    ) {
      return OfnError.say('ReplicaUnavailable', 'error.replicaDown', { name }, undefined, error);
    }
    return error;
  }
}

/** Columns added by a later OFN release: the column, the release, and its year and month. */
const LATE_COLUMNS: Readonly<Record<string, readonly [string, string, number, number]>> = {
  included_tax_total: ['spree_orders.included_tax_total', 'v3.5.11', 2021, 2],
  additional_tax_total: ['spree_orders.additional_tax_total', 'v3.5.11', 2021, 2],
  external_billing_id: ['enterprises.external_billing_id', 'v5.0.11', 2025, 1],
};

/**
 * What PostgreSQL said is missing (`column o.included_tax_total does not exist`), as the values of
 * `error.replicaSchema`: "Katuma's replica runs an OFN release without spree_orders.included_tax_total,
 * which this question needs (OFN added it in v3.5.11, February 2021)."
 */
function schemaMismatchValues(instanceName: string, message: string | undefined): Record<string, string | number> {
  const column = /column "?(?:\w+\.)?(\w+)"? does not exist/.exec(message ?? '')?.[1];
  const table = /relation "?(?:\w+\.)?(\w+)"? does not exist/.exec(message ?? '')?.[1];
  const late = column ? LATE_COLUMNS[column] : undefined;
  if (late) return { name: instanceName, kind: 'late', thing: late[0], version: late[1], year: String(late[2]), month: String(late[3]) };
  return { name: instanceName, kind: column ? 'column' : table ? 'table' : 'unknown', thing: column ?? table ?? '', version: '', year: '', month: '' };
}
