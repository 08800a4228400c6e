import { OfnError } from '../core/errors.js';
import { MONEY_COLUMNS, SHOP_SELLS, type MoneyColumn } from './definitions.js';
import type { EnterpriseFilter } from './definitions.js';

/**
 * The official, named definitions (Metabase's segments and metrics): every question is built from
 * these entries, and operators extend them in config from a closed vocabulary, never SQL.
 * docs/definitions.md says the same in words.
 */
export interface SegmentEntry {
  name: string;
  description: string;
  /** The definition in words, shown by `define`. */
  definition: string;
  filters: readonly EnterpriseFilter[];
  builtIn: boolean;
}

export type MetricMeasure =
  /** Sum or average of a money column over sales orders, or their count; optionally only some distributors. */
  | { kind: 'sales'; aggregate: 'sum' | 'avg' | 'count'; column: MoneyColumn; distributors?: string }
  /** How many enterprises of a segment (existing, or created in the period). */
  | { kind: 'enterprises'; segment: string; createdInPeriod: boolean };

export interface MetricEntry {
  name: string;
  description: string;
  definition: string;
  unit: 'money' | 'count';
  measure: MetricMeasure;
  builtIn: boolean;
}

export interface Registry {
  segments: ReadonlyMap<string, SegmentEntry>;
  metrics: ReadonlyMap<string, MetricEntry>;
  /** A segment's filters with every `of` reference already expanded. */
  filtersOf(segment: string): readonly EnterpriseFilter[];
}

const SALES = 'sales orders (state complete or resumed, completed in the period, local time)';

export const BUILT_IN_SEGMENTS: readonly SegmentEntry[] = [
  { name: 'profiles', description: 'Every enterprise, whatever its type.', definition: 'all rows of enterprises', filters: [], builtIn: true },
  { name: 'shops', description: 'Enterprises that sell.', definition: "sells IN ('own','any')", filters: [{ kind: 'sells', values: SHOP_SELLS }], builtIn: true },
  { name: 'hubs', description: 'Shops that may sell others’ products.', definition: "sells = 'any'", filters: [{ kind: 'sells', values: ['any'] }], builtIn: true },
  { name: 'producers', description: 'Primary producers.', definition: 'is_primary_producer = true', filters: [{ kind: 'producer', value: true }], builtIn: true },
  { name: 'producer-shops', description: 'Producers that sell.', definition: "is_primary_producer AND sells IN ('own','any')", filters: [{ kind: 'producer', value: true }, { kind: 'sells', values: SHOP_SELLS }], builtIn: true },
  { name: 'profile-only', description: 'Enterprises that do not sell (profiles).', definition: "sells = 'none'", filters: [{ kind: 'sells', values: ['none'] }], builtIn: true },
  { name: 'unfinished', description: 'Registrations never finished (no type chosen).', definition: "sells = 'unspecified'", filters: [{ kind: 'sells', values: ['unspecified'] }], builtIn: true },
  { name: 'visible-shops', description: 'Shops listed publicly.', definition: "sells IN ('own','any') AND visible = 'public'", filters: [{ kind: 'sells', values: SHOP_SELLS }, { kind: 'visible', values: ['public'] }], builtIn: true },
  { name: 'active-shops', description: 'Shops with at least one sales order in the period.', definition: `distributor of at least one of the ${SALES}`, filters: [{ kind: 'active' }], builtIn: true },
];

export const BUILT_IN_METRICS: readonly MetricEntry[] = [
  { name: 'turnover', description: 'Σ total of sales orders, in the instance currency.', definition: `sum of spree_orders.total over ${SALES}, attributed to the distributor`, unit: 'money', measure: { kind: 'sales', aggregate: 'sum', column: 'total' }, builtIn: true },
  { name: 'orders', description: 'Number of sales orders.', definition: `count of ${SALES}`, unit: 'count', measure: { kind: 'sales', aggregate: 'count', column: 'total' }, builtIn: true },
  { name: 'average-order', description: 'Turnover divided by the number of sales orders.', definition: 'turnover ÷ orders, rounded half-up to cents', unit: 'money', measure: { kind: 'sales', aggregate: 'avg', column: 'total' }, builtIn: true },
  { name: 'new-profiles', description: 'Enterprises created in the period.', definition: 'enterprises whose created_at falls in the period (local time)', unit: 'count', measure: { kind: 'enterprises', segment: 'profiles', createdInPeriod: true }, builtIn: true },
  { name: 'new-shops', description: 'Shops created in the period.', definition: "enterprises with sells IN ('own','any') whose created_at falls in the period", unit: 'count', measure: { kind: 'enterprises', segment: 'shops', createdInPeriod: true }, builtIn: true },
  { name: 'active-shops', description: 'Shops with at least one sales order in the period.', definition: `distinct distributors of ${SALES}`, unit: 'count', measure: { kind: 'enterprises', segment: 'active-shops', createdInPeriod: false }, builtIn: true },
];

const NAME = /^[a-z][a-z0-9-]{1,40}$/;
const SEGMENT_KEYS = ['of', 'sells', 'producer', 'visible', 'country', 'inGroup', 'active', 'description'];
const METRIC_KEYS = ['sum', 'avg', 'count', 'of', 'for', 'description'];
const SELLS = ['none', 'own', 'any', 'unspecified'];
const VISIBLE = ['public', 'only_through_links', 'hidden'];
// Columns people may try to use; named so the error says why, not just "unknown".
const PERSONAL = ['email', 'email_address', 'phone', 'contact_name', 'whatsapp_phone', 'firstname', 'lastname', 'address1', 'address2', 'zipcode', 'name', 'first_name', 'last_name', 'last_ip_address', 'special_instructions', 'note', 'login'];

function invalid(path: string, message: string): OfnError {
  return new OfnError('ConfigInvalid', `Invalid configuration:\n  ${path}: ${message}`);
}

function stringList(value: unknown, path: string, allowed?: readonly string[]): string[] {
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== 'string') throw invalid(path, 'a string or a list of strings');
    if (allowed && !allowed.includes(item)) throw invalid(path, `${item} is not one of ${allowed.join(', ')}`);
  }
  return list as string[];
}

/**
 * Built-ins plus the config's custom segments and metrics, validated: unknown keys, personal columns,
 * unknown references and loops are refused with the path of the field.
 */
export function buildRegistry(customSegments: Record<string, unknown> = {}, customMetrics: Record<string, unknown> = {}): Registry {
  const segments = new Map<string, SegmentEntry>(BUILT_IN_SEGMENTS.map((s) => [s.name, s]));
  const references = new Map<string, string | undefined>();
  for (const [name, raw] of Object.entries(customSegments)) {
    const path = `segments.${name}`;
    if (!NAME.test(name)) throw invalid(path, 'a lower-case name with dashes, such as organic-hubs');
    if (segments.has(name)) throw invalid(path, `${name} is a built-in segment; choose another name`);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(path, 'an object such as {of: hubs, inGroup: "Organic"}');
    const spec = raw as Record<string, unknown>;
    for (const key of Object.keys(spec)) {
      if (PERSONAL.includes(key)) throw invalid(`${path}.${key}`, `${key} is personal data; segments may filter only on ${SEGMENT_KEYS.filter((k) => k !== 'description').join(', ')}`);
      if (!SEGMENT_KEYS.includes(key)) throw invalid(`${path}.${key}`, `unknown key; a segment takes ${SEGMENT_KEYS.join(', ')}`);
    }
    const filters: EnterpriseFilter[] = [];
    if (spec.sells !== undefined) filters.push({ kind: 'sells', values: stringList(spec.sells, `${path}.sells`, SELLS) });
    if (spec.producer !== undefined) {
      if (typeof spec.producer !== 'boolean') throw invalid(`${path}.producer`, 'true or false');
      filters.push({ kind: 'producer', value: spec.producer });
    }
    if (spec.visible !== undefined) filters.push({ kind: 'visible', values: stringList(spec.visible, `${path}.visible`, VISIBLE) });
    if (spec.country !== undefined) {
      const iso = stringList(spec.country, `${path}.country`);
      if (!iso.every((c) => /^[A-Z]{2}$/.test(c))) throw invalid(`${path}.country`, 'two-letter ISO codes such as ES');
      filters.push({ kind: 'country', iso });
    }
    if (spec.inGroup !== undefined) {
      if (typeof spec.inGroup !== 'string' || !spec.inGroup) throw invalid(`${path}.inGroup`, 'the name of an enterprise group');
      filters.push({ kind: 'inGroup', name: spec.inGroup });
    }
    if (spec.active !== undefined) {
      if (spec.active !== true) throw invalid(`${path}.active`, 'true (shops with sales orders in the period)');
      filters.push({ kind: 'active' });
    }
    if (spec.of !== undefined && typeof spec.of !== 'string') throw invalid(`${path}.of`, 'the name of another segment');
    references.set(name, spec.of as string | undefined);
    const description = typeof spec.description === 'string' ? spec.description : `Custom segment ${name}.`;
    const words = [spec.of ? `${spec.of}` : undefined, ...filters.map(describeFilter)].filter(Boolean).join(' AND ');
    segments.set(name, { name, description, definition: words || 'all enterprises', filters, builtIn: false });
  }
  // References: known, and no loops (a → b → a).
  for (const [name, of] of references) {
    if (of !== undefined && !segments.has(of)) throw invalid(`segments.${name}.of`, `unknown segment ${of} (known: ${[...segments.keys()].join(', ')})`);
    const seen = [name];
    for (let next = of; next !== undefined; next = references.get(next)) {
      if (seen.includes(next)) throw invalid(`segments.${name}.of`, `a loop between definitions: ${[...seen, next].join(' → ')}`);
      seen.push(next);
    }
  }
  const expanded = new Map<string, readonly EnterpriseFilter[]>();
  const filtersOf = (segment: string): readonly EnterpriseFilter[] => {
    const cached = expanded.get(segment);
    if (cached) return cached;
    const entry = segments.get(segment);
    if (!entry) throw new OfnError('BadArguments', `There is no segment \`${segment}\`.`);
    const of = references.get(segment);
    const filters = [...(of ? filtersOf(of) : []), ...entry.filters];
    expanded.set(segment, filters);
    return filters;
  };

  const metrics = new Map<string, MetricEntry>(BUILT_IN_METRICS.map((m) => [m.name, m]));
  for (const [name, raw] of Object.entries(customMetrics)) {
    const path = `metrics.${name}`;
    if (!NAME.test(name)) throw invalid(path, 'a lower-case name with dashes, such as goods-turnover');
    if (metrics.has(name) || segments.has(name)) throw invalid(path, `${name} is already defined; choose another name`);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(path, 'an object such as {sum: item_total, of: sales-orders}');
    const spec = raw as Record<string, unknown>;
    for (const key of Object.keys(spec)) if (!METRIC_KEYS.includes(key)) throw invalid(`${path}.${key}`, `unknown key; a metric takes ${METRIC_KEYS.join(', ')}`);
    const aggregates = (['sum', 'avg', 'count'] as const).filter((k) => spec[k] !== undefined);
    if (aggregates.length !== 1) throw invalid(path, 'exactly one of sum, avg or count');
    const aggregate = aggregates[0]!;
    const description = typeof spec.description === 'string' ? spec.description : `Custom metric ${name}.`;
    if (aggregate === 'count' && spec.count !== 'sales-orders') {
      const segment = String(spec.count);
      if (!segments.has(segment)) throw invalid(`${path}.count`, `sales-orders or a segment (known: ${[...segments.keys()].join(', ')})`);
      if (spec.for !== undefined || spec.of !== undefined) throw invalid(path, 'counting a segment takes no of/for');
      metrics.set(name, { name, description, definition: `number of enterprises in ${segment}`, unit: 'count', measure: { kind: 'enterprises', segment, createdInPeriod: false }, builtIn: false });
      continue;
    }
    const column = aggregate === 'count' ? 'total' : String(spec[aggregate]);
    if (aggregate !== 'count' && !(MONEY_COLUMNS as readonly string[]).includes(column)) {
      const why = PERSONAL.includes(column) ? `${column} is personal data and never available. ` : '';
      throw invalid(`${path}.${aggregate}`, `${why}a metric may add up ${MONEY_COLUMNS.join(', ')}`);
    }
    if ((spec.of ?? 'sales-orders') !== 'sales-orders') throw invalid(`${path}.of`, 'sales-orders (the official order set)');
    const distributors = spec.for === undefined ? undefined : String(spec.for);
    if (distributors !== undefined && !segments.has(distributors)) throw invalid(`${path}.for`, `unknown segment ${distributors}`);
    metrics.set(name, {
      name,
      description,
      definition: `${aggregate === 'count' ? 'count' : `${aggregate} of ${column}`} over ${SALES}${distributors ? ` distributed by ${distributors}` : ''}`,
      unit: aggregate === 'count' ? 'count' : 'money',
      measure: { kind: 'sales', aggregate, column: column as MoneyColumn, ...(distributors ? { distributors } : {}) },
      builtIn: false,
    });
  }
  return { segments, metrics, filtersOf };
}

export function describeFilter(filter: EnterpriseFilter): string {
  switch (filter.kind) {
    case 'sells':
      return `sells IN (${filter.values.join(', ')})`;
    case 'producer':
      return `is_primary_producer = ${filter.value}`;
    case 'visible':
      return `visible IN (${filter.values.join(', ')})`;
    case 'country':
      return `address country IN (${filter.iso.join(', ')})`;
    case 'inGroup':
      return `member of the group "${filter.name}"`;
    case 'active':
      return 'distributor of a sales order in the period';
    case 'createdIn':
      return 'created in the period';
  }
}

export const DEFAULT_REGISTRY = buildRegistry();
