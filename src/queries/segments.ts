import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { OfnDatabase } from './ofn-tables.js';
import { SALES_ORDER_STATES, type UtcWindow } from './definitions.js';

/**
 * The closed vocabulary segments are made of: filters on non-personal enterprise columns only. Config
 * can combine them but never write SQL; each becomes a parameterised condition on `enterprises as e`.
 */
export type EnterpriseFilter =
  | { kind: 'sells'; values: readonly string[] }
  | { kind: 'producer'; value: boolean }
  | { kind: 'visible'; values: readonly string[] }
  /** ISO country codes of the enterprise's address (needs spree_addresses on the replica). */
  | { kind: 'country'; iso: readonly string[] }
  /** Member of the enterprise group with this name. */
  | { kind: 'inGroup'; name: string }
  /** Distributor of at least one sales order in the period. */
  | { kind: 'active' }
  /** Created in the period. */
  | { kind: 'createdIn' };

type EnterpriseScope = ExpressionBuilder<OfnDatabase & { e: OfnDatabase['enterprises'] }, 'e'>;

export function needsPeriod(filters: readonly EnterpriseFilter[]): boolean {
  return filters.some((f) => f.kind === 'active' || f.kind === 'createdIn');
}

export function needsAddresses(filters: readonly EnterpriseFilter[]): boolean {
  return filters.some((f) => f.kind === 'country');
}

/** The condition a segment puts on `enterprises as e`. `window` is required by active/createdIn. */
export function segmentCondition(eb: EnterpriseScope, filters: readonly EnterpriseFilter[], window?: UtcWindow): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = filters.map((filter) => {
    switch (filter.kind) {
      case 'sells':
        return eb('e.sells', 'in', filter.values);
      case 'producer':
        return eb('e.is_primary_producer', '=', filter.value);
      case 'visible':
        return eb('e.visible', 'in', filter.values);
      case 'country':
        return eb.exists(
          eb
            .selectFrom('spree_addresses as a')
            .innerJoin('spree_countries as c', 'c.id', 'a.country_id')
            .select(sql.lit(1).as('one'))
            .whereRef('a.id', '=', 'e.address_id')
            .where('c.iso', 'in', filter.iso),
        );
      case 'inGroup':
        return eb.exists(
          eb
            .selectFrom('enterprise_groups_enterprises as ge')
            .innerJoin('enterprise_groups as g', 'g.id', 'ge.enterprise_group_id')
            .select(sql.lit(1).as('one'))
            .whereRef('ge.enterprise_id', '=', 'e.id')
            .where('g.name', '=', filter.name),
        );
      case 'active':
        return eb.exists(
          eb
            .selectFrom('spree_orders as so')
            .select(sql.lit(1).as('one'))
            .whereRef('so.distributor_id', '=', 'e.id')
            .where('so.completed_at', '>=', window!.fromUtc)
            .where('so.completed_at', '<', window!.toUtc)
            .where('so.state', 'in', SALES_ORDER_STATES),
        );
      case 'createdIn':
        return eb.and([eb('e.created_at', '>=', window!.fromUtc), eb('e.created_at', '<', window!.toUtc)]);
    }
  });
  return parts.length === 0 ? eb.lit(true) : eb.and(parts);
}
