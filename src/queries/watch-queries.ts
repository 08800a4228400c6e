import { SHOP_SELLS } from './definitions.js';
import type { ReplicaTx } from './replica.js';

export interface EnterpriseChange {
  id: number;
  name: string;
  permalink: string;
  sells: string;
  isPrimaryProducer: boolean | null;
  createdAt: string;
  updatedAt: string;
  town: string | null;
  country: string | null;
}

/**
 * Enterprises updated at or after `sinceUtc` (a profile becoming a shop bumps updated_at too), oldest
 * first. Town and country come from the enterprise's address; no other address field is read.
 * OFN has no index on enterprises.updated_at; at ~10k enterprises a scan costs a few ms.
 */
export async function enterprisesUpdatedSince(tx: ReplicaTx, sinceUtc: string, limit: number, withAddresses = true): Promise<EnterpriseChange[]> {
  const base = tx.selectFrom('enterprises as e').where('e.updated_at', '>=', sinceUtc).orderBy('e.updated_at').orderBy('e.id').limit(limit);
  const columns = ['e.id', 'e.name', 'e.permalink', 'e.sells', 'e.is_primary_producer', 'e.created_at', 'e.updated_at'] as const;
  // A replica without the personal tables (spree_addresses) still announces, without the town.
  const rows = withAddresses
    ? await base
        .leftJoin('spree_addresses as a', 'a.id', 'e.address_id')
        .leftJoin('spree_countries as c', 'c.id', 'a.country_id')
        .select([...columns, 'a.city', 'c.name as country'])
        .execute()
    : (await base.select(columns).execute()).map((r) => ({ ...r, city: null, country: null }));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    permalink: r.permalink,
    sells: r.sells,
    isPrimaryProducer: r.is_primary_producer,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    town: r.city,
    country: r.country,
  }));
}

/** Every enterprise's id and sells, to remember at a watch's first start (nothing is announced then). */
export async function enterpriseSells(tx: ReplicaTx): Promise<{ id: number; sells: string; updatedAt: string }[]> {
  const rows = await tx.selectFrom('enterprises').select(['id', 'sells', 'updated_at']).orderBy('updated_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, sells: r.sells, updatedAt: r.updated_at }));
}

export const isShop = (sells: string) => (SHOP_SELLS as readonly string[]).includes(sells);

/** OFN's Enterprise#category, as its admin UI labels it. */
export function categoryLabel(isPrimaryProducer: boolean | null, sells: string): string {
  if (sells === 'unspecified') return 'Registration unfinished';
  if (isPrimaryProducer) return sells === 'any' ? 'Producer Hub' : sells === 'own' ? 'Producer Shop' : 'Producer Profile';
  return sells === 'any' || sells === 'own' ? 'Hub Shop' : 'Profile';
}
