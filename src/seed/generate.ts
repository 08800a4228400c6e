/**
 * Deterministic synthetic Open Food Network data: creates the OFN schema subset (ofn-schema.sql) and
 * fills it with a plausible instance — enterprises of every category, owners and shoppers with
 * personal data, order cycles, customers and orders with OFN's states and money columns — for tests,
 * benchmarks and demos. Same options => byte-identical data.
 */
import { utcTimestamp } from './calendar.js';
import { SPECIAL_INSTRUCTIONS, PRODUCTS } from './locale-data.js';
import { BatchInserter, readSchemaStatements, type SqlRunner } from './sql-batches.js';
import {
  ORDER_STATES,
  PAYMENT_STATES,
  SHIPMENT_STATES,
  buildModel,
  type Model,
  type SeedScale,
} from './synthetic-model.js';

export type { SeedScale } from './synthetic-model.js';
export type { SqlRunner } from './sql-batches.js';

export interface SeedOptions {
  scale: SeedScale;
  /** PRNG seed, default 1. */
  seed?: number;
  /** Data ends just before this instant (UTC); the history goes back ~3 years. */
  until: Date;
  /** IANA zone of the instance, e.g. 'Europe/Madrid' (month-end/DST edge timestamps are computed in it). */
  timezone: string;
  /** e.g. 'EUR' */
  currency: string;
  /** Prefix for enterprise names so two instances differ, e.g. 'Katuma'. */
  namePrefix?: string;
  /** Progress lines on long work. */
  onProgress?: (message: string) => void;
}

export interface SeedSummary {
  enterprises: number;
  users: number;
  orders: number;
  lineItems: number;
}

/** Executes ofn-schema.sql only. */
export async function createOfnSchema(db: SqlRunner): Promise<void> {
  for (const statement of readSchemaStatements()) await db.query(statement);
}

/**
 * Creates the OFN schema (ofn-schema.sql) and fills it. Same options => byte-identical data. The
 * indexes, unique ones included, are OFN's own (db/schema.rb), so the rows must satisfy them too.
 */
export async function seedOfnDatabase(db: SqlRunner, options: SeedOptions): Promise<SeedSummary> {
  const progress = options.onProgress ?? (() => {});
  if (Number.isNaN(options.until.getTime())) throw new Error('seed: `until` is not a valid date');
  const model = buildModel(
    {
      scale: options.scale,
      seed: options.seed ?? 1,
      until: options.until,
      timezone: options.timezone,
      currency: options.currency,
      namePrefix: options.namePrefix ?? '',
    },
    progress,
  );

  // One transaction: a failed seed leaves an empty database rather than half an instance.
  await db.query('BEGIN');
  try {
    // Bulk-load idiom: tables first, rows, then the secondary indexes (building an index once is far
    // cheaper than maintaining it row by row). The resulting schema is exactly ofn-schema.sql.
    const statements = readSchemaStatements();
    const isIndex = (statement: string) => /^CREATE\s+(UNIQUE\s+)?INDEX\b/i.test(statement);
    for (const statement of statements.filter((s) => !isIndex(s))) await db.query(statement);
    const summary = await writeModel(db, model, progress);
    for (const statement of statements.filter(isIndex)) await db.query(statement);
    progress('indexes built');
    await db.query('COMMIT');
    // Fresh statistics so the planner sees the real table sizes straight away.
    for (const table of SEEDED_TABLES) await db.query(`ANALYZE ${table}`);
    return summary;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Tables the seed writes (unqualified: they resolve through the caller's search_path). */
const SEEDED_TABLES = [
  'spree_countries', 'spree_states', 'spree_addresses', 'spree_users', 'enterprises', 'enterprise_roles',
  'enterprise_groups', 'enterprise_groups_enterprises', 'order_cycles', 'customers', 'spree_orders',
  'spree_line_items', 'versions',
] as const;

const ts = utcTimestamp;
const tsOrNull = (ms: number | null): string | null => (ms === null || Number.isNaN(ms) ? null : utcTimestamp(ms));
/** Cents (integer) -> '12.34' exactly, without floating-point division. */
function money(cents: number): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.round(cents));
  const units = Math.floor(abs / 100);
  const rest = abs % 100;
  return `${negative ? '-' : ''}${units}.${rest < 10 ? '0' : ''}${rest}`;
}

/** OFN added product_name/variant_name to line items in 2025 without back-filling old rows. */
const PRODUCT_NAME_SINCE = Date.UTC(2025, 3, 16);
const VARIANT_NAME_SINCE = Date.UTC(2025, 6, 13);

async function writeModel(db: SqlRunner, m: Model, progress: (message: string) => void): Promise<SeedSummary> {
  const currency = m.options.currency;

  const countries = new BatchInserter(db, 'spree_countries', ['id', 'iso_name', 'iso', 'iso3', 'name', 'numcode', 'states_required']);
  for (const [i, c] of m.countries.entries()) {
    await countries.add([i + 1, c.isoName, c.iso, c.iso3, c.name, c.numcode, false]);
  }
  await countries.finish();

  const addresses = new BatchInserter(db, 'spree_addresses', [
    'id', 'firstname', 'lastname', 'address1', 'address2', 'city', 'zipcode', 'phone', 'state_name',
    'company', 'country_id', 'latitude', 'longitude', 'created_at', 'updated_at',
  ]);
  for (const a of m.addresses) {
    await addresses.add([
      a.id, a.firstname, a.lastname, a.address1, a.address2, a.city, a.zipcode, a.phone, a.stateName,
      a.company, a.countryId, a.latitude, a.longitude, ts(a.createdMs), ts(a.createdMs),
    ]);
  }
  await addresses.finish();

  const users = new BatchInserter(db, 'spree_users', [
    'id', 'email', 'login', 'encrypted_password', 'sign_in_count', 'last_sign_in_at', 'current_sign_in_at',
    'last_sign_in_ip', 'created_at', 'updated_at', 'spree_api_key', 'enterprise_limit', 'locale',
    'confirmed_at', 'disabled_at', 'admin',
  ]);
  for (const u of m.users) {
    const ip = `198.51.100.${(u.id % 250) + 1}`;
    await users.add([
      u.id, u.person.email, u.person.email, u.encryptedPassword, u.signInCount, tsOrNull(u.lastSignInMs),
      tsOrNull(u.lastSignInMs), ip, ts(u.createdMs), ts(Math.max(u.createdMs, u.lastSignInMs ?? u.createdMs)),
      u.apiKey, u.enterpriseLimit, u.locale, tsOrNull(u.confirmedMs), tsOrNull(u.disabledMs), u.admin,
    ]);
  }
  await users.finish();
  progress(`wrote ${m.users.length} users`);

  const enterprises = new BatchInserter(db, 'enterprises', [
    'id', 'name', 'description', 'is_primary_producer', 'contact_name', 'phone', 'email_address', 'website',
    'twitter', 'abn', 'acn', 'address_id', 'business_address_id', 'created_at', 'updated_at', 'permalink',
    'sells', 'owner_id', 'visible', 'charges_sales_tax', 'require_login', 'allow_guest_orders',
    'allow_order_changes', 'enable_subscriptions', 'producer_profile_only', 'whatsapp_phone',
    'external_billing_id',
  ]);
  for (const e of m.enterprises) {
    await enterprises.add([
      e.id, e.name, e.description, e.isPrimaryProducer, e.contactName, e.phone, e.emailAddress, e.website,
      e.twitter, e.abn, e.acn, e.addressId, e.businessAddressId, ts(e.createdMs), ts(e.updatedMs), e.permalink,
      e.sells, e.ownerUser, e.visible, e.chargesSalesTax, e.requireLogin, e.allowGuestOrders,
      e.allowOrderChanges, e.enableSubscriptions, e.producerProfileOnly, e.whatsappPhone, e.externalBillingId,
    ]);
  }
  await enterprises.finish();

  const roles = new BatchInserter(db, 'enterprise_roles', ['id', 'user_id', 'enterprise_id', 'receives_notifications']);
  for (const [i, r] of m.roles.entries()) await roles.add([i + 1, r.userId, r.enterpriseId, r.receivesNotifications]);
  await roles.finish();

  const groups = new BatchInserter(db, 'enterprise_groups', [
    'id', 'name', 'on_front_page', 'position', 'description', 'owner_id', 'address_id', 'email', 'website', 'permalink',
  ]);
  const memberships = new BatchInserter(db, 'enterprise_groups_enterprises', ['enterprise_group_id', 'enterprise_id']);
  for (const g of m.groups) {
    await groups.add([g.id, g.name, g.onFrontPage, g.position, g.description, g.ownerUserId, g.addressId, g.email, g.website, g.permalink]);
  }
  await groups.finish();
  for (const g of m.groups) for (const e of g.members) await memberships.add([g.id, e]);
  await memberships.finish();
  progress(`wrote ${m.enterprises.length} enterprises, ${m.roles.length} roles, ${m.groups.length} groups`);

  const cal = m.calendar;
  const lastMs = cal.untilMs - 1;
  const cycles = new BatchInserter(db, 'order_cycles', [
    'id', 'name', 'orders_open_at', 'orders_close_at', 'coordinator_id', 'created_at', 'updated_at', 'processed_at', 'opened_at',
  ]);
  for (let position = 0; position < m.cycles.count; position++) {
    const c = m.cycles.byId[position] as number;
    const open = m.cycles.openMs[c] as number;
    const close = m.cycles.closeMs[c] as number;
    const created = m.cycles.createdMs[c] as number;
    const processed = close + 2 * 3_600_000 <= lastMs ? close + 2 * 3_600_000 : null;
    const updated = Math.max(created, Math.min(lastMs, processed ?? open));
    await cycles.add([
      position + 1, `Order cycle ${cal.isoDate(m.cycles.openDay[c] as number)}`, ts(open), ts(close),
      m.cycles.shopId[c], ts(created), ts(updated), tsOrNull(processed), ts(open),
    ]);
  }
  await cycles.finish();
  progress(`wrote ${m.cycles.count} order cycles`);

  const customers = new BatchInserter(db, 'customers', [
    'id', 'email', 'enterprise_id', 'code', 'user_id', 'created_at', 'updated_at', 'name', 'allow_charges',
    'first_name', 'last_name', 'created_manually',
  ]);
  // OFN's index_customers_on_enterprise_id_and_code is unique: a code drawn twice for one shop is left
  // out the second time (the flags derived from it stay as drawn).
  const codesInUse = new Set<string>();
  for (let position = 0; position < m.customers.count; position++) {
    const c = m.customers.byId[position] as number;
    const person = m.customers.person[c] as number;
    const p = m.shoppers[person];
    if (!p) throw new Error('customer without shopper');
    const userId = m.shopperUserId[person] as number;
    const code = m.customerCode(c);
    const shopCode = code === null ? null : `${m.customers.shopId[c]} ${code}`;
    const storedCode = shopCode === null || codesInUse.has(shopCode) ? null : code;
    if (shopCode !== null) codesInUse.add(shopCode);
    await customers.add([
      position + 1, p.email, m.customers.shopId[c], storedCode, userId === 0 ? null : userId,
      ts(m.customers.firstMs[c] as number), ts(m.customers.lastMs[c] as number), `${p.first} ${p.last}`,
      code !== null && person % 7 === 0, p.first, p.last, code !== null && person % 5 === 0,
    ]);
  }
  await customers.finish();
  progress(`wrote ${m.customers.count} customers`);

  const o = m.orders;
  const orders = new BatchInserter(db, 'spree_orders', [
    'id', 'number', 'item_total', 'total', 'state', 'adjustment_total', 'user_id', 'created_at', 'updated_at',
    'completed_at', 'payment_total', 'shipment_state', 'payment_state', 'email', 'special_instructions',
    'distributor_id', 'order_cycle_id', 'currency', 'last_ip_address', 'customer_id', 'created_by_id',
    'included_tax_total', 'additional_tax_total',
  ]);
  const items = m.lineItems;
  const lineItems = items
    ? new BatchInserter(db, 'spree_line_items', [
        'id', 'order_id', 'variant_id', 'quantity', 'price', 'created_at', 'updated_at', 'currency',
        'final_weight_volume', 'product_name', 'variant_name',
      ])
    : null;
  let lineItemId = 0;
  for (let position = 0; position < o.count; position++) {
    const g = o.byId[position] as number;
    const id = position + 1;
    const customer = o.customerIndex[g] as number;
    const person = m.customers.person[customer] as number;
    const userId = m.shopperUserId[person] as number;
    const item = o.itemCents[g] as number;
    const adjustment = o.adjustmentCents[g] as number;
    const instruction = o.instructions[g] as number;
    const createdMs = o.createdMs[g] as number;
    await orders.add([
      id, m.orderNumber(id), money(item), money(item + adjustment), ORDER_STATES[o.state[g] as number],
      money(adjustment), userId === 0 ? null : userId, ts(createdMs), ts(o.updatedMs[g] as number),
      tsOrNull(o.completedMs[g] as number), money(o.paymentCents[g] as number),
      SHIPMENT_STATES[o.shipmentState[g] as number], PAYMENT_STATES[o.paymentState[g] as number],
      m.shoppers[person]?.email ?? null, instruction >= 0 ? SPECIAL_INSTRUCTIONS[instruction] : null,
      o.shopId[g], m.cycles.idOf[o.cycleIndex[g] as number], currency, m.orderIp(g), m.customers.idOf[customer],
      userId === 0 ? null : userId, money(o.includedTaxCents[g] as number), money(o.additionalTaxCents[g] as number),
    ]);
    if (id % 100_000 === 0) progress(`wrote ${id}/${o.count} orders`);
  }
  await orders.finish();
  // Line items in a second pass: a batch of them must never reach the server before its orders.
  if (items && lineItems && o.liStart) {
    for (let position = 0; position < o.count; position++) {
      const g = o.byId[position] as number;
      const createdMs = o.createdMs[g] as number;
      const updatedMs = o.updatedMs[g] as number;
      const from = o.liStart[g] as number;
      const to = o.liStart[g + 1] as number;
      for (let l = from; l < to; l++) {
        const product = PRODUCTS[items.product[l] as number] as readonly [string, string, number];
        const stamp = ts(Math.min(createdMs + (l - from + 1) * 20_000, updatedMs));
        await lineItems.add([
          ++lineItemId, position + 1, items.variantId[l], items.quantity[l], money(items.priceCents[l] as number),
          stamp, stamp, currency, null,
          createdMs >= PRODUCT_NAME_SINCE ? product[0] : null,
          createdMs >= VARIANT_NAME_SINCE ? product[1] : null,
        ]);
      }
    }
    await lineItems.finish();
  }
  progress(`wrote ${o.count} orders, ${lineItemId} line items`);

  const versions = new BatchInserter(db, 'versions', ['id', 'item_type', 'item_id', 'event', 'whodunnit', 'object', 'created_at']);
  for (const [i, v] of m.versions.entries()) {
    await versions.add([i + 1, 'Enterprise', v.enterpriseId, v.event, v.whodunnit, v.object, ts(v.createdMs)]);
  }
  await versions.finish();

  // Explicit ids were inserted: move each serial sequence past them so later inserts work.
  for (const table of SEEDED_TABLES) {
    if (table === 'enterprise_groups_enterprises') continue; // no id column
    await db.query(
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT max(id) FROM ${table}), 0) + 1, false)`,
    );
  }

  return {
    enterprises: m.enterprises.length,
    users: m.users.length,
    orders: o.count,
    lineItems: lineItemId,
  };
}
