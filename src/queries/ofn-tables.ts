/**
 * Kysely types for the OFN tables the bot reads. Deliberately only the columns the bot may select:
 * personal columns (names, emails, phones, street addresses, IPs) and secrets are left out, so a query
 * that tries to select one does not compile. The full list of what is personal is in
 * ../shared/docs/ofn-data.md; the allowlist is checked again at run time by test/privacy.test.ts.
 *
 * Timestamps are `timestamp without time zone` holding UTC: they arrive as text ('2026-10-31 23:30:00')
 * and are never turned into JS Dates by the driver (that would apply the process's own zone).
 * Money is numeric(10,2) and arrives as decimal text.
 */
export type UtcTimestamp = string;
export type Decimal = string;

export interface EnterprisesTable {
  id: number;
  name: string;
  permalink: string;
  is_primary_producer: boolean | null;
  sells: string;
  visible: string;
  owner_id: number;
  address_id: number | null;
  created_at: UtcTimestamp;
  updated_at: UtcTimestamp;
  external_billing_id: string | null; // since migration 20241113185651; probe before use on old replicas
}

export interface SpreeOrdersTable {
  id: number;
  state: string | null;
  completed_at: UtcTimestamp | null;
  created_at: UtcTimestamp;
  updated_at: UtcTimestamp;
  item_total: Decimal;
  adjustment_total: Decimal;
  total: Decimal;
  included_tax_total: Decimal;
  additional_tax_total: Decimal;
  payment_state: string | null;
  distributor_id: number | null;
  order_cycle_id: number | null;
  currency: string | null;
  /** Ids only, counted (distinct buyers) and never shown: who the user or customer is stays in spree_users and customers. */
  user_id: number | null;
  customer_id: number | null;
}

/** Enterprise addresses: only the town and country are business data the bot shows. */
export interface SpreeAddressesTable {
  id: number;
  city: string | null;
  country_id: number;
  /**
   * Read only by the map (definitions.ts `mapPoints`): rounded in SQL to about 1 km, only for an
   * enterprise's own address and only for enterprises OFN lists publicly.
   */
  latitude: number | null;
  longitude: number | null;
}

export interface SpreeCountriesTable {
  id: number;
  iso: string | null;
  name: string | null;
}

export interface EnterpriseGroupsTable {
  id: number;
  name: string | null;
  permalink: string;
}

export interface EnterpriseGroupsEnterprisesTable {
  enterprise_group_id: number;
  enterprise_id: number;
}

export interface OfnDatabase {
  enterprises: EnterprisesTable;
  spree_orders: SpreeOrdersTable;
  spree_addresses: SpreeAddressesTable;
  spree_countries: SpreeCountriesTable;
  enterprise_groups: EnterpriseGroupsTable;
  enterprise_groups_enterprises: EnterpriseGroupsEnterprisesTable;
}

/**
 * Every column any bot query may read, per table: the runtime twin of the types above, used by the
 * privacy test that compiles every query and by the schema probe.
 */
export const SELECTABLE_COLUMNS: Readonly<Record<keyof OfnDatabase, readonly string[]>> = {
  enterprises: ['id', 'name', 'permalink', 'is_primary_producer', 'sells', 'visible', 'owner_id', 'address_id', 'created_at', 'updated_at', 'external_billing_id'],
  spree_orders: ['id', 'state', 'completed_at', 'created_at', 'updated_at', 'item_total', 'adjustment_total', 'total', 'included_tax_total', 'additional_tax_total', 'payment_state', 'distributor_id', 'order_cycle_id', 'currency', 'user_id', 'customer_id'],
  spree_addresses: ['id', 'city', 'country_id', 'latitude', 'longitude'],
  spree_countries: ['id', 'iso', 'name'],
  enterprise_groups: ['id', 'name', 'permalink'],
  enterprise_groups_enterprises: ['enterprise_group_id', 'enterprise_id'],
};
