import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { DateTime } from 'luxon';
import { withDatabase } from './global-setup.js';

/** A fresh database (OFN schema, no rows) for one test file. */
export interface TestDatabase {
  url: string;
  name: string;
  client: pg.Client;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('ofnTemplate')}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    name,
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

/** A local wall-clock time in a zone → the UTC text OFN would store. `utc('2026-10-31 23:30', 'Europe/Madrid')`. */
export function utc(local: string, zone: string): string {
  const t = DateTime.fromFormat(local, local.length > 16 ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm', { zone });
  if (!t.isValid) throw new Error(`bad local time ${local}`);
  return t.toUTC().toFormat('yyyy-MM-dd HH:mm:ss');
}

let sequence = 0;

/** Small builders with overrides (kysely's test-context style). Personal columns are filled so leaks show. */
export class OfnFixture {
  constructor(private readonly client: pg.Client) {}

  async country(iso = 'ES', name = 'Spain'): Promise<number> {
    const r = await this.client.query('insert into spree_countries (iso_name, iso, name) values ($1,$2,$3) returning id', [name.toUpperCase(), iso, name]);
    return r.rows[0].id;
  }

  async user(overrides: Partial<{ email: string; created_at: string }> = {}): Promise<number> {
    const n = ++sequence;
    const r = await this.client.query(
      `insert into spree_users (email, login, created_at, updated_at, last_sign_in_ip, encrypted_password)
       values ($1, $1, $2, $2, '10.0.0.1', 'secret-hash') returning id`,
      [overrides.email ?? `owner${n}@example.org`, overrides.created_at ?? '2020-01-01 00:00:00'],
    );
    return r.rows[0].id;
  }

  async address(countryId: number, overrides: Partial<{ city: string; firstname: string; lastname: string; phone: string; address1: string }> = {}): Promise<number> {
    const r = await this.client.query(
      `insert into spree_addresses (firstname, lastname, address1, city, zipcode, phone, country_id, created_at, updated_at)
       values ($1,$2,$3,$4,'08001',$5,$6,'2020-01-01','2020-01-01') returning id`,
      [overrides.firstname ?? 'Marta', overrides.lastname ?? 'Puig', overrides.address1 ?? 'Carrer Major 1', overrides.city ?? 'Barcelona', overrides.phone ?? '+34 600 111 222', countryId],
    );
    return r.rows[0].id;
  }

  async enterprise(
    overrides: Partial<{
      name: string;
      sells: string;
      is_primary_producer: boolean;
      visible: string;
      created_at: string;
      owner_id: number;
      address_id: number | null;
      external_billing_id: string | null;
      contact_name: string;
      email_address: string;
      phone: string;
    }> = {},
  ): Promise<number> {
    const n = ++sequence;
    const owner = overrides.owner_id ?? (await this.user());
    const name = overrides.name ?? `Enterprise ${n}`;
    const r = await this.client.query(
      `insert into enterprises (name, permalink, sells, is_primary_producer, visible, created_at, updated_at, owner_id, address_id,
                                external_billing_id, contact_name, email_address, phone)
       values ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12) returning id`,
      [
        name,
        name.toLowerCase().replace(/[^a-z0-9]+/g, '-') + `-${n}`,
        overrides.sells ?? 'any',
        overrides.is_primary_producer ?? false,
        overrides.visible ?? 'public',
        overrides.created_at ?? '2020-01-01 00:00:00',
        owner,
        overrides.address_id ?? null,
        overrides.external_billing_id ?? null,
        overrides.contact_name ?? 'Jordi Vila',
        overrides.email_address ?? `contact${n}@example.org`,
        overrides.phone ?? '+34 611 222 333',
      ],
    );
    return r.rows[0].id;
  }

  /** A shopper of an enterprise (OFN's customers table: nothing but personal data around the ids). */
  async customer(enterpriseId: number, overrides: Partial<{ email: string; first_name: string; last_name: string; code: string }> = {}): Promise<number> {
    const n = ++sequence;
    const first = overrides.first_name ?? 'Núria';
    const last = overrides.last_name ?? 'Soler';
    const r = await this.client.query(
      `insert into customers (email, enterprise_id, code, created_at, updated_at, name, first_name, last_name)
       values ($1, $2, $3, '2020-01-01', '2020-01-01', $4, $5, $6) returning id`,
      [overrides.email ?? `customer${n}@example.org`, enterpriseId, overrides.code ?? 'CUST-7731', `${first} ${last}`, first, last],
    );
    return r.rows[0].id;
  }

  /** An enterprise group (with its contact email, personal) and its members. */
  async group(name: string, members: number[] = []): Promise<number> {
    const n = ++sequence;
    const r = await this.client.query(`insert into enterprise_groups (name, permalink, email) values ($1, $2, $3) returning id`, [
      name,
      `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${n}`,
      `group${n}@example.org`,
    ]);
    const id: number = r.rows[0].id;
    for (const member of members) await this.client.query('insert into enterprise_groups_enterprises (enterprise_group_id, enterprise_id) values ($1, $2)', [id, member]);
    return id;
  }

  async order(
    distributorId: number,
    overrides: Partial<{ total: string; item_total: string; state: string; completed_at: string | null; created_at: string; email: string }> = {},
  ): Promise<number> {
    const n = ++sequence;
    const total = overrides.total ?? '10.00';
    const completed = overrides.completed_at === undefined ? '2026-10-15 10:00:00' : overrides.completed_at;
    const r = await this.client.query(
      `insert into spree_orders (number, item_total, total, adjustment_total, state, created_at, updated_at, completed_at, distributor_id,
                                 currency, email, last_ip_address, special_instructions)
       values ($1, $2, $3, $3::numeric - $2::numeric, $4, $5, $5, $6, $7, 'EUR', $8, '192.168.1.9', 'Leave at the door of Marta') returning id`,
      [
        `R${String(n).padStart(9, '0')}`,
        overrides.item_total ?? total,
        total,
        overrides.state ?? 'complete',
        overrides.created_at ?? completed ?? '2026-10-15 09:00:00',
        completed,
        distributorId,
        overrides.email ?? `shopper${n}@example.org`,
      ],
    );
    return r.rows[0].id;
  }
}
