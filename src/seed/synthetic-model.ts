/**
 * Builds a synthetic OFN instance in memory: enterprises, people, order cycles, customers, orders and
 * (for the small scales) line items. Pure: the result depends only on the options, so two runs with
 * the same options give byte-identical databases. generate.ts writes the model to SQL.
 *
 * Orders live in typed arrays (not objects) so the large scale (1M orders) stays fast and small.
 */
import { LocalCalendar } from './calendar.js';
import {
  COUNTRIES,
  HUB_NAME_PATTERNS,
  NAME_ADJECTIVES,
  NAME_SETS,
  PRODUCER_NAME_PATTERNS,
  PRODUCTS,
  SPECIAL_INSTRUCTIONS,
  countryFor,
  emailLocalPart,
  neighbourCountries,
  priceLevel,
  slugify,
  type CountrySpec,
  type NameSet,
} from './locale-data.js';
import { Rng, apportion, cumulative, nextPrime } from './random.js';

export type SeedScale = 'tiny' | 'demo' | 'small' | 'medium' | 'large';

export interface ModelOptions {
  scale: SeedScale;
  seed: number;
  until: Date;
  timezone: string;
  currency: string;
  namePrefix: string;
}

interface ScaleSpec {
  enterprises: number;
  orders: number;
  /** Distinct shoppers (people who can appear as customers). */
  shoppers: number;
  /** Line items are generated for tiny/small only: at medium/large they would add millions of rows
   * (and minutes of seeding) without changing any turnover or order-count answer, since
   * spree_orders.item_total already carries the goods value. */
  lineItems: boolean;
}

export const SCALES: Readonly<Record<SeedScale, ScaleSpec>> = {
  tiny: { enterprises: 30, orders: 500, shoppers: 150, lineItems: true },
  // The embedded demo seeds three of these on its first start, so it stays a few seconds: small's
  // enterprises, half its orders, and no line items (no answer reads them).
  demo: { enterprises: 300, orders: 10_000, shoppers: 3_000, lineItems: false },
  small: { enterprises: 300, orders: 20_000, shoppers: 4_000, lineItems: true },
  medium: { enterprises: 2_000, orders: 200_000, shoppers: 30_000, lineItems: false },
  large: { enterprises: 10_000, orders: 1_000_000, shoppers: 120_000, lineItems: false },
};

const HISTORY_YEARS = 3;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// Enterprise categories (Enterprise#category in OFN, see ofn-data.md §2)

export type Category =
  | 'producer' // is_primary_producer, sells none (producer profile)
  | 'producer_shop' // is_primary_producer, sells own
  | 'producer_hub' // is_primary_producer, sells any
  | 'hub' // not a producer, sells any
  | 'hub_own' // not a producer, sells own (super-admins can set it)
  | 'hub_profile' // not a producer, sells none
  | 'unspecified'; // registration never finished

const CATEGORY_MIX: ReadonlyArray<readonly [Category, number]> = [
  ['producer', 0.34],
  ['producer_shop', 0.11],
  ['producer_hub', 0.06],
  ['hub', 0.15],
  ['hub_own', 0.02],
  ['hub_profile', 0.13],
  ['unspecified', 0.19],
];

export type Sells = 'unspecified' | 'none' | 'own' | 'any';
export type Visible = 'public' | 'only_through_links' | 'hidden';

export interface SellsChange {
  atMs: number;
  from: Sells;
  to: Sells;
}

export interface Person {
  first: string;
  last: string;
  email: string;
  phone: string;
}

export interface AddressRow {
  id: number;
  firstname: string;
  lastname: string;
  address1: string;
  address2: string | null;
  city: string;
  zipcode: string;
  phone: string;
  stateName: string;
  company: string | null;
  countryId: number;
  latitude: string;
  longitude: string;
  createdMs: number;
}

export interface EnterpriseRow {
  id: number;
  category: Category;
  name: string;
  permalink: string;
  isPrimaryProducer: boolean | null;
  sells: Sells;
  visible: Visible;
  createdMs: number;
  updatedMs: number;
  changes: SellsChange[];
  ownerUser: number; // index into users (id assigned later)
  addressId: number;
  businessAddressId: number | null;
  town: string;
  region: string;
  description: string;
  contactName: string;
  phone: string;
  emailAddress: string;
  whatsappPhone: string | null;
  website: string | null;
  twitter: string | null;
  abn: string | null;
  acn: string | null;
  chargesSalesTax: boolean;
  requireLogin: boolean;
  allowGuestOrders: boolean;
  allowOrderChanges: boolean;
  enableSubscriptions: boolean;
  producerProfileOnly: boolean;
  externalBillingId: string | null;
}

export interface UserRow {
  id: number;
  person: Person;
  admin: boolean;
  createdMs: number;
  confirmedMs: number | null;
  lastSignInMs: number | null;
  signInCount: number;
  locale: string;
  enterpriseLimit: number;
  disabledMs: number | null;
  encryptedPassword: string;
  apiKey: string | null;
}

export interface GroupRow {
  id: number;
  name: string;
  permalink: string;
  ownerUserId: number;
  addressId: number;
  email: string;
  website: string;
  description: string;
  onFrontPage: boolean;
  position: number;
  members: number[]; // enterprise ids
}

export interface RoleRow {
  userId: number;
  enterpriseId: number;
  receivesNotifications: boolean;
}

export interface VersionRow {
  enterpriseId: number;
  event: 'create' | 'update';
  whodunnit: string;
  object: string | null;
  createdMs: number;
}

export const ORDER_STATES = [
  'complete',
  'canceled',
  'resumed',
  'returned',
  'awaiting_return',
  'cart',
  'address',
  'payment',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];
const STATE_WEIGHTS = cumulative([0.895, 0.04, 0.01, 0.01, 0.005, 0.025, 0.01, 0.005]);
const S_COMPLETE = 0;
const S_CANCELED = 1;
const S_RESUMED = 2;
const S_RETURNED = 3;
const S_AWAITING_RETURN = 4;
const FIRST_UNFINISHED_STATE = 5;

export const PAYMENT_STATES = [null, 'paid', 'balance_due', 'failed', 'credit_owed', 'void'] as const;
export const SHIPMENT_STATES = [null, 'shipped', 'ready', 'pending', 'canceled'] as const;
const P_NONE = 0, P_PAID = 1, P_BALANCE_DUE = 2, P_FAILED = 3, P_CREDIT_OWED = 4, P_VOID = 5;
const SH_NONE = 0, SH_SHIPPED = 1, SH_READY = 2, SH_PENDING = 3, SH_CANCELED = 4;

/** Orders in structure-of-arrays form, indexed by generation index; `order` lists them by id. */
export interface OrderTable {
  count: number;
  shopId: Int32Array;
  customerIndex: Int32Array; // global customer index (see Model.customers)
  cycleIndex: Int32Array; // global order-cycle index
  state: Uint8Array;
  createdMs: Float64Array;
  completedMs: Float64Array; // NaN for unfinished carts
  updatedMs: Float64Array;
  itemCents: Float64Array;
  adjustmentCents: Float64Array;
  includedTaxCents: Float64Array;
  additionalTaxCents: Float64Array;
  paymentCents: Float64Array;
  paymentState: Uint8Array;
  shipmentState: Uint8Array;
  instructions: Int8Array; // index into SPECIAL_INSTRUCTIONS or -1
  /** Generation indexes sorted by created_at: position + 1 is the order id. */
  byId: Uint32Array;
  /** Order id of each generation index. */
  idOf: Int32Array;
  /** Line items of generation index g: liStart[g] .. liStart[g+1]-1 (tiny/small only). */
  liStart: Int32Array | null;
}

export interface LineItemTable {
  count: number;
  variantId: Int32Array;
  product: Int16Array;
  quantity: Int16Array;
  priceCents: Float64Array;
}

export interface CycleTable {
  count: number;
  shopId: Int32Array;
  openMs: Float64Array;
  closeMs: Float64Array;
  createdMs: Float64Array;
  openDay: Int32Array;
  /** Cycle index sorted by open time: position + 1 is the cycle id. */
  byId: Uint32Array;
  idOf: Int32Array;
}

export interface CustomerTable {
  count: number;
  shopId: Int32Array;
  person: Int32Array;
  firstMs: Float64Array;
  lastMs: Float64Array;
  byId: Uint32Array;
  idOf: Int32Array;
}

export interface Model {
  options: ModelOptions;
  calendar: LocalCalendar;
  country: CountrySpec;
  countries: CountrySpec[];
  addresses: AddressRow[];
  users: UserRow[]; // sorted by id
  enterprises: EnterpriseRow[]; // sorted by id
  roles: RoleRow[];
  groups: GroupRow[];
  versions: VersionRow[]; // sorted by id
  shoppers: Person[];
  shopperUserId: Int32Array; // user id of each shopper, 0 for guests
  cycles: CycleTable;
  customers: CustomerTable;
  customerCode: (index: number) => string | null;
  orders: OrderTable;
  lineItems: LineItemTable | null;
  /** Order number for an order id (unique, 'R' + 9 digits). */
  orderNumber: (id: number) => string;
  /** A fake IP from the documentation ranges for an order (deterministic). */
  orderIp: (generationIndex: number) => string;
}

// ---------------------------------------------------------------------------------------------

const MONTH_WEIGHT_NORTH = [0.85, 0.9, 1.15, 1.25, 1.2, 1.0, 0.8, 0.7, 1.05, 1.2, 1.15, 1.0];
const WEEKDAY_WEIGHT = [0, 0.95, 1.05, 1.2, 1.25, 1.1, 0.8, 0.65]; // index 1 = Monday
const HOUR_WEIGHTS = cumulative([
  0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 1.0, 1.3, 1.5, 1.5, 1.4, 1.2, 1.1, 1.1, 1.2, 1.4, 1.6,
  1.8, 1.7, 1.4, 0.9, 0.5,
]);
const SOUTHERN_COUNTRIES = new Set(['AU', 'NZ', 'ZA', 'BR']);

function roundSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

class PeopleFactory {
  private readonly emails = new Set<string>();
  private static readonly DOMAINS = ['example.org', 'example.com', 'example.net'];
  private readonly doubleSurnames: boolean;
  constructor(
    private readonly names: NameSet,
    private readonly country: CountrySpec,
  ) {
    this.doubleSurnames = country.names === 'es' || country.names === 'pt';
  }

  person(rng: Rng): Person {
    const first = rng.pick(this.names.first);
    // Two surnames are the norm in Spanish and Portuguese names.
    const last = this.doubleSurnames && rng.chance(0.3)
      ? `${rng.pick(this.names.last)} ${rng.pick(this.names.last)}`
      : rng.pick(this.names.last);
    const local = emailLocalPart(first, last.split(' ')[0] as string);
    const domain = rng.pick(PeopleFactory.DOMAINS);
    let n = rng.chance(0.3) ? 0 : rng.int(1, 99);
    let email = `${local}${n === 0 ? '' : n}@${domain}`;
    while (this.emails.has(email)) {
      n += rng.int(1, 97);
      email = `${local}${n}@${domain}`;
    }
    this.emails.add(email);
    return { first, last, email, phone: this.phone(rng) };
  }

  phone(rng: Rng): string {
    const digits: number[] = [rng.pick([6, 7, 6, 9, 4])];
    for (let i = 0; i < 8; i++) digits.push(rng.int(0, 9));
    const d = digits.join('');
    return `+${this.country.callingCode} ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
  }
}

function fakeZip(rng: Rng, country: CountrySpec): string {
  if (country.zipDigits === 0) {
    const letters = 'ABCDEFGHJKLMNPRSTUVWXY';
    const l = () => letters[rng.int(0, letters.length - 1)] as string;
    return `${l()}${l()}${rng.int(1, 20)} ${rng.int(1, 9)}${l()}${l()}`;
  }
  let s = '';
  for (let i = 0; i < country.zipDigits; i++) s += String(i === 0 ? rng.int(1, 9) : rng.int(0, 9));
  return s;
}

function fakeTaxNumber(rng: Rng, country: CountrySpec): string {
  let digits = '';
  for (let i = 0; i < 8; i++) digits += String(rng.int(0, 9));
  if (country.iso === 'ES') return `${rng.pick(['B', 'F', 'G', 'J'])}${digits}`;
  if (country.iso === 'AU') return `${rng.int(10, 99)} ${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}${rng.int(0, 9)}`;
  if (country.iso === 'FR') return `${digits}${rng.int(0, 9)}`;
  return `${country.iso}${digits}`;
}

function fakeSecret(rng: Rng, length: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// ---------------------------------------------------------------------------------------------

/** Builds the whole synthetic instance. `progress` receives a line per phase. */
export function buildModel(options: ModelOptions, progress: (message: string) => void): Model {
  const spec = SCALES[options.scale];
  if (!spec) throw new Error(`unknown seed scale '${String(options.scale)}'`);
  const seed = options.seed;
  const cal = new LocalCalendar(options.timezone, options.until, HISTORY_YEARS, 60);
  const startMs = cal.startMs;
  const untilMs = cal.untilMs;
  const lastMs = untilMs - 1; // latest instant any row may carry
  const country = countryFor(options.timezone, options.currency);
  const countries = [country, ...neighbourCountries(country)];
  const level = priceLevel(options.currency);
  const wholeUnits = level >= 50; // HUF, COP, CRC: prices without cents
  const names = NAME_SETS[country.names];
  const people = new PeopleFactory(names, country);
  const monthWeight = SOUTHERN_COUNTRIES.has(country.iso)
    ? MONTH_WEIGHT_NORTH.map((_, i) => MONTH_WEIGHT_NORTH[(i + 6) % 12] as number)
    : MONTH_WEIGHT_NORTH;
  const historyMs = untilMs - startMs;

  const roundMoney = (cents: number) => (wholeUnits ? Math.round(cents / 100) * 100 : Math.round(cents));

  /** A creation instant in the history with growth: density rises linearly to 3x at the end. */
  const growthInstant = (rng: Rng): number => {
    const u = rng.next();
    const t = (-1 + Math.sqrt(1 + 8 * u)) / 2;
    return roundSecond(startMs + t * (historyMs - HOUR_MS));
  };

  // ---- enterprises ---------------------------------------------------------------------------
  const enterpriseCount = spec.enterprises;
  const categoryCounts = apportion(
    enterpriseCount,
    CATEGORY_MIX.map(([, w]) => w),
  );
  const categories: Category[] = [];
  CATEGORY_MIX.forEach(([category], i) => {
    for (let k = 0; k < (categoryCounts[i] as number); k++) categories.push(category);
  });
  const entRng = Rng.derive(seed, 1);
  entRng.shuffle(categories);

  interface Draft {
    category: Category;
    createdMs: number;
    changes: SellsChange[];
    initialSells: Sells;
    createdByHub: boolean;
  }
  const drafts: Draft[] = categories.map((category) => ({
    category,
    createdMs: growthInstant(entRng),
    changes: [],
    initialSells: 'unspecified',
    createdByHub: false,
  }));
  // A few registrations in the last days before `until` ("new enterprises this week").
  const recentCount = Math.max(2, Math.round(enterpriseCount * 0.01));
  for (let k = 0; k < recentCount; k++) {
    const d = drafts[enterpriseCount - 1 - k] as Draft;
    d.createdMs = roundSecond(untilMs - entRng.next() * 3 * DAY_MS);
  }
  // Some registered around local midnight at a month's turn: just before midnight on the last day
  // (UTC puts them in the next month in zones west of UTC) or just after it on the 1st (UTC puts
  // them in the previous month in zones east of UTC).
  const monthEndCount = Math.max(4, Math.round(enterpriseCount * 0.02));
  for (let k = 0; k < monthEndCount; k++) {
    const d = drafts[k] as Draft;
    const createdDay = cal.dayOf(d.createdMs);
    let day = cal.monthEnd(createdDay);
    if (day >= cal.untilDay) day = createdDay - (cal.dayOfMonth[createdDay] as number); // previous month
    if (day < 0) continue;
    const instant =
      k % 2 === 0
        ? cal.localToUtc(day, 23 * 3600 + 30 * 60 + entRng.int(0, 29 * 60 + 59))
        : cal.localToUtc(day + 1, entRng.int(0, 29 * 60 + 59));
    d.createdMs = roundSecond(Math.min(instant, untilMs - 1000));
  }

  const sellsOf = (c: Category): Sells =>
    c === 'unspecified' ? 'unspecified' : c === 'producer' || c === 'hub_profile' ? 'none' : c === 'producer_shop' || c === 'hub_own' ? 'own' : 'any';

  for (const d of drafts) {
    const finalSells = sellsOf(d.category);
    const room = lastMs - d.createdMs;
    const quick = () => d.createdMs + Math.min(room * 0.5, 2 * MINUTE_MS + entRng.exponential(1.5 * DAY_MS));
    if (finalSells === 'unspecified') continue;
    if (finalSells === 'none') {
      if (entRng.chance(0.25)) {
        // Hubs register profiles for their suppliers directly.
        d.initialSells = 'none';
        d.createdByHub = true;
      } else {
        d.changes.push({ atMs: roundSecond(quick()), from: 'unspecified', to: 'none' });
      }
      continue;
    }
    const path = entRng.next();
    if (path < 0.65) {
      d.changes.push({ atMs: roundSecond(quick()), from: 'unspecified', to: finalSells });
    } else if (path < 0.85 && room > 120 * DAY_MS) {
      // Started as a profile and became a shop months later.
      const first = roundSecond(quick());
      const later = roundSecond(first + (30 + entRng.next() * Math.min(400, room / DAY_MS - 60)) * DAY_MS);
      d.changes.push({ atMs: first, from: 'unspecified', to: 'none' });
      d.changes.push({ atMs: Math.min(later, roundSecond(lastMs - DAY_MS)), from: 'none', to: finalSells });
    } else {
      // The wizard creates non-producer shops as 'any' straight away for owners who already have a hub.
      d.initialSells = finalSells;
    }
  }

  const order = drafts.map((_, i) => i).sort((a, b) => (drafts[a] as Draft).createdMs - (drafts[b] as Draft).createdMs || a - b);
  const sortedDrafts = order.map((i) => drafts[i] as Draft);

  // ---- owners, names, addresses ------------------------------------------------------------
  const users: UserRow[] = [];
  const newUser = (person: Person, createdMs: number, admin: boolean, rng: Rng): number => {
    const signIns = admin ? rng.int(200, 2000) : rng.int(1, 60);
    const lastSignIn = Math.min(lastMs, createdMs + rng.next() * (lastMs - createdMs));
    users.push({
      id: 0,
      person,
      admin,
      createdMs,
      confirmedMs: rng.chance(0.92) ? roundSecond(Math.min(lastMs, createdMs + rng.exponential(2 * HOUR_MS))) : null,
      lastSignInMs: roundSecond(lastSignIn),
      signInCount: signIns,
      locale: country.locale.slice(0, 5),
      enterpriseLimit: 5,
      disabledMs: rng.chance(0.005) ? roundSecond(lastSignIn) : null,
      encryptedPassword: `$2a$10$${fakeSecret(rng, 53, BASE62 + './')}`,
      apiKey: admin || rng.chance(0.03) ? fakeSecret(rng, 40, '0123456789abcdef') : null,
    });
    return users.length - 1;
  };

  const adminCount = 3 + Math.floor(enterpriseCount / 2500);
  const adminRng = Rng.derive(seed, 2);
  for (let k = 0; k < adminCount; k++) {
    newUser(people.person(adminRng), roundSecond(startMs - (30 + k * 10) * DAY_MS), true, adminRng);
  }

  const townRegion = (rng: Rng) => {
    const [town, region] = rng.pick(country.towns);
    return { town, region };
  };

  const addresses: AddressRow[] = [];
  const newAddress = (rng: Rng, person: Person, town: string, region: string, company: string | null, createdMs: number): number => {
    const street = names.streetFormat.replace('{s}', rng.pick(names.streets)).replace('{n}', String(rng.int(1, 180)));
    addresses.push({
      id: addresses.length + 1,
      firstname: person.first,
      lastname: person.last,
      address1: street,
      address2: rng.chance(0.15) ? `${rng.int(1, 6)}º ${rng.pick(['A', 'B', '1', '2'])}` : null,
      city: town,
      zipcode: fakeZip(rng, country),
      phone: person.phone,
      stateName: region,
      company,
      countryId: 1,
      latitude: (country.lat + (rng.next() - 0.5) * 4).toFixed(6),
      longitude: (country.lng + (rng.next() - 0.5) * 4).toFixed(6),
      createdMs,
    });
    return addresses.length;
  };

  const ownerRng = Rng.derive(seed, 3);
  const usedNames = new Set<string>();
  const usedPermalinks = new Set<string>();
  const prefix = options.namePrefix.trim();
  const enterprises: EnterpriseRow[] = [];
  const ownerEnterprises = new Map<number, number[]>(); // user index -> enterprise ids
  const hubOwners: number[] = [];
  const allOwners: number[] = [];

  sortedDrafts.forEach((d, index) => {
    const id = index + 1;
    const rng = Rng.derive(seed, 4, id);
    const finalSells = sellsOf(d.category);
    let owner: number;
    if (d.createdByHub && hubOwners.length > 0) owner = ownerRng.pick(hubOwners);
    else if (allOwners.length > 0 && ownerRng.chance(0.15)) owner = ownerRng.pick(allOwners);
    else {
      const person = people.person(ownerRng);
      owner = newUser(person, roundSecond(Math.max(startMs - 7 * DAY_MS, d.createdMs - MINUTE_MS - ownerRng.exponential(DAY_MS))), false, ownerRng);
      allOwners.push(owner);
    }
    const ownerRow = users[owner] as UserRow;
    if (finalSells === 'any' && !hubOwners.includes(owner)) hubOwners.push(owner);
    const list = ownerEnterprises.get(owner) ?? [];
    list.push(id);
    ownerEnterprises.set(owner, list);
    if (list.length > 4) ownerRow.enterpriseLimit = 10;

    const { town, region } = townRegion(rng);
    const isProducer =
      d.category === 'unspecified' ? rng.pick([true, false, null, null]) : d.category.startsWith('producer');
    const patterns = isProducer === true ? PRODUCER_NAME_PATTERNS : HUB_NAME_PATTERNS;
    const base = rng
      .pick(patterns)
      .replace('{town}', town)
      .replace('{last}', ownerRow.person.last.split(' ')[0] as string)
      .replace('{adj}', rng.pick(NAME_ADJECTIVES));
    let name = prefix ? `${prefix} ${base}` : base;
    if (usedNames.has(name)) name = `${name} ${town}`;
    for (let n = 2; usedNames.has(name); n++) name = `${prefix ? `${prefix} ` : ''}${base} ${n}`;
    usedNames.add(name);
    let permalink = slugify(name) || `enterprise-${id}`;
    for (let n = 2; usedPermalinks.has(permalink); n++) permalink = `${slugify(name)}-${n}`;
    usedPermalinks.add(permalink);

    const isShop = finalSells === 'own' || finalSells === 'any';
    const visibleRoll = rng.next();
    const visible: Visible =
      finalSells === 'unspecified'
        ? visibleRoll < 0.2 ? 'public' : visibleRoll < 0.9 ? 'only_through_links' : 'hidden'
        : isShop
          ? visibleRoll < 0.8 ? 'public' : visibleRoll < 0.95 ? 'only_through_links' : 'hidden'
          : visibleRoll < 0.6 ? 'public' : visibleRoll < 0.9 ? 'only_through_links' : 'hidden';

    const addressId = newAddress(rng, ownerRow.person, town, region, null, d.createdMs);
    const hasBusiness = finalSells !== 'unspecified' && rng.chance(isShop ? 0.45 : 0.2);
    const legalSuffix = country.iso === 'ES' ? ' S.L.' : country.iso === 'FR' ? ' SAS' : country.iso === 'DE' ? ' GmbH' : ' Ltd';
    const businessAddressId = hasBusiness
      ? newAddress(rng, ownerRow.person, town, region, `${base}${legalSuffix}`, d.createdMs)
      : null;
    const lastChange = d.changes.length > 0 ? (d.changes[d.changes.length - 1] as SellsChange).atMs : d.createdMs;
    const contactPerson = rng.chance(0.85) ? ownerRow.person : people.person(rng);
    enterprises.push({
      id,
      category: d.category,
      name,
      permalink,
      isPrimaryProducer: isProducer,
      sells: finalSells,
      visible,
      createdMs: d.createdMs,
      updatedMs: roundSecond(Math.min(lastMs, lastChange + rng.exponential(20 * DAY_MS))),
      changes: d.changes,
      ownerUser: owner,
      addressId,
      businessAddressId,
      town,
      region,
      description: isProducer ? `Seasonal produce grown near ${town}.` : `Local food from farms around ${town}.`,
      contactName: `${contactPerson.first} ${contactPerson.last}`,
      phone: contactPerson.phone,
      emailAddress: rng.chance(0.55) ? contactPerson.email : `hello@${permalink}.example.com`,
      whatsappPhone: rng.chance(0.2) ? contactPerson.phone : null,
      website: rng.chance(0.4) ? `https://${permalink}.example.com` : null,
      twitter: rng.chance(0.1) ? `@${permalink.replace(/-/g, '').slice(0, 15)}` : null,
      abn: finalSells !== 'unspecified' && rng.chance(0.6) ? fakeTaxNumber(rng, country) : null,
      acn: rng.chance(0.08) ? fakeTaxNumber(rng, country) : null,
      chargesSalesTax: isShop && rng.chance(0.5),
      requireLogin: isShop && rng.chance(0.05),
      allowGuestOrders: !rng.chance(0.15),
      allowOrderChanges: isShop && rng.chance(0.2),
      enableSubscriptions: isShop && rng.chance(0.05),
      producerProfileOnly: isProducer === true && finalSells === 'none' && rng.chance(0.1),
      externalBillingId: null,
    });
  });
  // Initial sells values live on in the versions: remember them per enterprise id.
  const initialSells = sortedDrafts.map((d) => d.initialSells);

  // external_billing_id: several enterprises invoiced as one accounting customer (OFN #12942).
  let billingSeq = 1000 + Rng.derive(seed, 5).int(0, 8000);
  const billingRng = Rng.derive(seed, 6);
  for (const [, ids] of ownerEnterprises) {
    if (ids.length < 2) continue;
    const hasShop = ids.some((id) => {
      const s = (enterprises[id - 1] as EnterpriseRow).sells;
      return s === 'own' || s === 'any';
    });
    if (!hasShop || !billingRng.chance(0.6)) continue;
    const shared = `ACC-${String(billingSeq++).padStart(5, '0')}`;
    for (const id of ids.slice(0, 3)) (enterprises[id - 1] as EnterpriseRow).externalBillingId = shared;
  }
  const shopRows = enterprises.filter((e) => e.sells === 'own' || e.sells === 'any');
  if (!enterprises.some((e) => e.externalBillingId !== null) && shopRows.length >= 2) {
    const shared = `ACC-${String(billingSeq++).padStart(5, '0')}`;
    (shopRows[0] as EnterpriseRow).externalBillingId = shared;
    (shopRows[1] as EnterpriseRow).externalBillingId = shared;
  }
  // A few individual billing ids too.
  for (const e of shopRows) {
    if (e.externalBillingId === null && billingRng.chance(0.25)) {
      e.externalBillingId = `ACC-${String(billingSeq++).padStart(5, '0')}`;
    }
  }
  progress(`generated ${enterprises.length} enterprises (${shopRows.length} shops)`);

  // ---- shops: selling windows, weights, order cycles ----------------------------------------
  interface Shop {
    e: EnterpriseRow;
    shopSinceMs: number;
    sellFromMs: number;
    sellToMs: number; // exclusive
    dayFrom: number;
    dayTo: number;
    cycleLength: number;
    cycleBase: number;
    cycleCount: number;
    orderCount: number;
    customerPool: number;
    customerOffset: number;
    customerStep: number;
    customerBase: number;
    basket: number;
    feeRate: number;
    deliveryFeeCents: number;
    taxRate: number;
    suppliers: number[]; // producer enterprise ids
  }
  const shopRng = Rng.derive(seed, 7);
  const shops: Shop[] = shopRows.map((e) => {
    const becameShop = e.changes.find((c) => c.to === 'own' || c.to === 'any');
    const shopSinceMs = becameShop ? becameShop.atMs : e.createdMs;
    const sellFromMs = roundSecond(shopSinceMs + (1 + shopRng.next() * 20) * DAY_MS);
    return {
      e,
      shopSinceMs,
      sellFromMs,
      sellToMs: untilMs,
      dayFrom: 0,
      dayTo: 0,
      cycleLength: 7,
      cycleBase: 0,
      cycleCount: 0,
      orderCount: 0,
      customerPool: 0,
      customerOffset: 0,
      customerStep: 1,
      customerBase: 0,
      basket: 0.7 + shopRng.next() * 0.9,
      feeRate: shopRng.pick([0, 0, 0.05, 0.08, 0.1, 0.12, 0.15]),
      deliveryFeeCents: shopRng.chance(0.6) ? roundMoney((3 + shopRng.int(0, 6) * 0.5) * level * 100) : 0,
      taxRate: shopRng.pick(country.taxRates),
      suppliers: [],
    };
  });
  // Rank shops: hubs and early shops are likelier to be the few big ones (Pareto-like turnover).
  const rankKey = shops.map((s) => {
    const age = (s.sellFromMs - startMs) / historyMs;
    const hubBias = s.e.sells === 'any' ? 0.4 : 1;
    return shopRng.next() * hubBias * (0.25 + age);
  });
  const ranked = shops.map((_, i) => i).sort((a, b) => (rankKey[a] as number) - (rankKey[b] as number) || a - b);
  const weights = new Float64Array(shops.length);
  ranked.forEach((shopIndex, rank) => {
    const s = shops[shopIndex] as Shop;
    // Zipf over the ranks; with long selling windows for the early leaders a handful of hubs carry
    // most of the turnover (large: top 10 shops ~55%, top fifth ~90%).
    let w = 1 / (rank + 1);
    if (rank >= 3 && shopRng.chance(0.15)) w = 0; // set up a shop but never sold
    if (rank >= 5 && shopRng.chance(0.25)) {
      // Stopped trading at some point.
      const span = untilMs - s.sellFromMs;
      if (span > 60 * DAY_MS) s.sellToMs = roundSecond(s.sellFromMs + (0.2 + shopRng.next() * 0.7) * span);
    }
    if (s.sellFromMs >= untilMs - DAY_MS) w = 0;
    const activeDays = Math.max(0, (s.sellToMs - s.sellFromMs) / DAY_MS);
    weights[shopIndex] = w * activeDays;
    s.basket *= rank < 5 ? 1.3 : 1;
  });
  const orderCounts = apportion(spec.orders, weights);
  if (orderCounts.reduce((a, b) => a + b, 0) !== spec.orders) {
    throw new Error('no shop can take orders: widen the history or use a larger scale');
  }

  // Order cycles: each shop runs back-to-back cycles from its first selling day.
  let cycleTotal = 0;
  shops.forEach((s, i) => {
    s.orderCount = orderCounts[i] as number;
    if (s.sellFromMs >= untilMs) return;
    s.dayFrom = cal.dayOf(s.sellFromMs);
    s.dayTo = cal.dayOf(Math.min(s.sellToMs, untilMs) - 1);
    const perWeek = (s.orderCount / Math.max(1, s.dayTo - s.dayFrom + 1)) * 7;
    s.cycleLength = perWeek >= 8 ? 7 : perWeek >= 2 ? 14 : 28;
    const full = Math.floor((s.dayTo - s.dayFrom) / s.cycleLength) + 1;
    s.cycleCount = s.orderCount === 0 ? Math.min(2, full) : full;
    s.cycleBase = cycleTotal;
    cycleTotal += s.cycleCount;
  });
  const cycles: CycleTable = {
    count: cycleTotal,
    shopId: new Int32Array(cycleTotal),
    openMs: new Float64Array(cycleTotal),
    closeMs: new Float64Array(cycleTotal),
    createdMs: new Float64Array(cycleTotal),
    openDay: new Int32Array(cycleTotal),
    byId: new Uint32Array(cycleTotal),
    idOf: new Int32Array(cycleTotal),
  };
  const cycleRng = Rng.derive(seed, 8);
  for (const s of shops) {
    for (let k = 0; k < s.cycleCount; k++) {
      const c = s.cycleBase + k;
      const openDay = s.dayFrom + k * s.cycleLength;
      const lastDay = openDay + s.cycleLength - 1;
      cycles.shopId[c] = s.e.id;
      cycles.openDay[c] = openDay;
      cycles.openMs[c] = cal.midnight[openDay] as number;
      cycles.closeMs[c] = cal.localToUtc(lastDay, 86_399);
      cycles.createdMs[c] = roundSecond(
        Math.min(lastMs, Math.max(s.shopSinceMs, (cal.midnight[openDay] as number) - cycleRng.next() * 4 * DAY_MS)),
      );
    }
  }
  sortIndex(cycles.byId, cycles.idOf, cycleTotal, (a, b) => (cycles.openMs[a] as number) - (cycles.openMs[b] as number) || (cycles.shopId[a] as number) - (cycles.shopId[b] as number) || a - b);
  progress(`generated ${cycleTotal} order cycles`);

  // ---- shoppers ------------------------------------------------------------------------------
  const shopperCount = nextPrime(spec.shoppers);
  const shopperRng = Rng.derive(seed, 9);
  const shoppers: Person[] = [];
  const registered = new Uint8Array(shopperCount);
  for (let p = 0; p < shopperCount; p++) {
    shoppers.push(people.person(shopperRng));
    registered[p] = shopperRng.chance(0.85) ? 1 : 0;
  }

  // ---- products (line items) -----------------------------------------------------------------
  const producerIds = enterprises.filter((e) => e.isPrimaryProducer === true && e.sells !== 'unspecified').map((e) => e.id);
  const catalogue = new Map<number, Array<{ product: number; variantId: number; priceCents: number }>>();
  const catalogueOf = (producerId: number) => {
    let items = catalogue.get(producerId);
    if (!items) {
      const rng = Rng.derive(seed, 10, producerId);
      const n = rng.int(3, 8);
      const multiplier = 0.8 + rng.next() * 0.5;
      items = [];
      const chosen = new Set<number>();
      for (let k = 0; k < n; k++) {
        const product = rng.int(0, PRODUCTS.length - 1);
        if (chosen.has(product)) continue;
        chosen.add(product);
        const base = (PRODUCTS[product] as readonly [string, string, number])[2];
        items.push({ product, variantId: producerId * 100 + k + 1, priceCents: roundMoney(base * multiplier * level * 100) });
      }
      catalogue.set(producerId, items);
    }
    return items;
  };
  if (spec.lineItems) {
    const supplierRng = Rng.derive(seed, 11);
    for (const s of shops) {
      if (s.e.isPrimaryProducer === true) s.suppliers.push(s.e.id);
      if (s.e.sells === 'any' && producerIds.length > 0) {
        const n = supplierRng.int(2, 10);
        for (let k = 0; k < n; k++) {
          const p = supplierRng.pick(producerIds);
          if (!s.suppliers.includes(p)) s.suppliers.push(p);
        }
      }
      if (s.suppliers.length === 0) s.suppliers.push(s.e.id); // sells own: its own (unlisted) products
    }
  }

  // ---- orders --------------------------------------------------------------------------------
  const N = spec.orders;
  const orders: OrderTable = {
    count: N,
    shopId: new Int32Array(N),
    customerIndex: new Int32Array(N),
    cycleIndex: new Int32Array(N),
    state: new Uint8Array(N),
    createdMs: new Float64Array(N),
    completedMs: new Float64Array(N),
    updatedMs: new Float64Array(N),
    itemCents: new Float64Array(N),
    adjustmentCents: new Float64Array(N),
    includedTaxCents: new Float64Array(N),
    additionalTaxCents: new Float64Array(N),
    paymentCents: new Float64Array(N),
    paymentState: new Uint8Array(N),
    shipmentState: new Uint8Array(N),
    instructions: new Int8Array(N),
    byId: new Uint32Array(N),
    idOf: new Int32Array(N),
    liStart: spec.lineItems ? new Int32Array(N + 1) : null,
  };
  const liCapacity = spec.lineItems ? N * 6 : 0;
  const li = {
    count: 0,
    variantId: new Int32Array(liCapacity),
    product: new Int16Array(liCapacity),
    quantity: new Int16Array(liCapacity),
    priceCents: new Float64Array(liCapacity),
  };

  // Customers: a pool per shop mapped onto the shoppers (distinct within a shop because the step is
  // coprime with the prime number of shoppers).
  let customerSlots = 0;
  shops.forEach((s, i) => {
    if (s.orderCount === 0) return;
    const rng = Rng.derive(seed, 12, i);
    s.customerPool = Math.max(1, Math.min(shopperCount - 1, Math.round(s.orderCount / (2.5 + rng.next() * 4))));
    s.customerOffset = rng.int(0, shopperCount - 1);
    s.customerStep = rng.int(1, shopperCount - 1);
    s.customerBase = customerSlots;
    customerSlots += s.customerPool;
  });
  const slotFirst = new Float64Array(customerSlots).fill(Infinity);
  const slotLast = new Float64Array(customerSlots).fill(-Infinity);

  const edgeQuota = Math.max(12, Math.round(N * 0.01));
  const edgeEvery = Math.max(1, Math.floor(N / edgeQuota));
  let edgeMade = 0;
  let g = 0; // generation index
  let nextReport = 100_000;
  const maxDayWeight = Math.max(...monthWeight) * Math.max(...WEEKDAY_WEIGHT) * 1.4;

  const secondOfDay = (rng: Rng): number => rng.weightedIndex(HOUR_WEIGHTS) * 3600 + rng.int(0, 3599);

  for (let si = 0; si < shops.length; si++) {
    const s = shops[si] as Shop;
    if (s.orderCount === 0) continue;
    const rng = Rng.derive(seed, 13, s.e.id);
    const span = s.dayTo - s.dayFrom + 1;
    const sellTo = Math.min(s.sellToMs, untilMs);
    const dstDays = cal.offsetChangeDays.filter((d) => d >= s.dayFrom && d <= s.dayTo);
    for (let k = 0; k < s.orderCount; k++, g++) {
      // A local day with seasonal, weekly and growth weights (rejection sampling), then a local time.
      let day = s.dayFrom;
      let t = s.sellFromMs;
      for (let attempt = 0; attempt < 60; attempt++) {
        day = s.dayFrom + Math.floor(rng.next() * span);
        const growth = 0.6 + 0.8 * (day / cal.untilDay);
        const ramp = Math.min(1, 0.35 + (day - s.dayFrom) / 180);
        const w = (monthWeight[(cal.month[day] as number) - 1] as number) * (WEEKDAY_WEIGHT[cal.weekday[day] as number] as number) * growth * ramp;
        if (rng.next() * maxDayWeight > w) continue;
        t = cal.localToUtc(day, secondOfDay(rng));
        if (t >= s.sellFromMs && t < sellTo) break;
        t = s.sellFromMs;
        day = s.dayFrom;
      }
      let edge = false;
      if (g % edgeEvery === edgeEvery >> 1) {
        const kind = edgeMade % 3;
        let candidate = NaN;
        if (kind === 0 || kind === 1) {
          // Month end, local time: 21:30-23:59 on the last day or 00:00-00:30 on the 1st.
          const ends = [cal.monthEnd(day), day - (cal.dayOfMonth[day] as number)];
          for (const end of ends) {
            if (end < 0) continue;
            const targetDay = kind === 0 ? end : end + 1;
            const sec = kind === 0 ? 21 * 3600 + 1800 + rng.int(0, 2 * 3600 + 1799) : rng.int(0, 1799);
            const c = cal.localToUtc(targetDay, sec);
            if (c >= s.sellFromMs && c < sellTo) {
              candidate = c;
              day = targetDay;
              break;
            }
          }
        } else if (dstDays.length > 0) {
          const dstDay = dstDays.reduce((best, d) => (Math.abs(d - day) < Math.abs(best - day) ? d : best), dstDays[0] as number);
          const sec = rng.chance(0.5) ? rng.int(1800, 4 * 3600) : secondOfDay(rng);
          const c = cal.localToUtc(dstDay, sec);
          if (c >= s.sellFromMs && c < sellTo) {
            candidate = c;
            day = dstDay;
          }
        }
        if (!Number.isNaN(candidate)) {
          t = candidate;
          edge = true;
          edgeMade++;
        }
      }
      t = roundSecond(t);
      day = cal.dayOf(t);

      let state = rng.weightedIndex(STATE_WEIGHTS);
      if (edge && (edgeMade <= 9 || state >= FIRST_UNFINISHED_STATE)) state = S_COMPLETE;
      orders.shopId[g] = s.e.id;
      orders.state[g] = state;
      orders.cycleIndex[g] = s.cycleBase + Math.min(s.cycleCount - 1, Math.floor((day - s.dayFrom) / s.cycleLength));

      // Customer: loyal regulars order more often.
      const j = Math.min(s.customerPool - 1, Math.floor(s.customerPool * Math.pow(rng.next(), 1.6)));
      const slot = s.customerBase + j;
      orders.customerIndex[g] = slot;

      // Money in integer cents (never floating-point sums of decimals).
      let item = 0;
      if (orders.liStart) {
        orders.liStart[g] = li.count;
        const lines = rng.weightedIndex([0.35, 0.7, 0.9, 1]) + 1;
        const wholesale = rng.chance(0.01) ? 6 : 1;
        const seen: number[] = [];
        for (let l = 0; l < lines; l++) {
          const products = catalogueOf(rng.pick(s.suppliers));
          const p = rng.pick(products);
          if (seen.includes(p.variantId)) continue; // one line per variant, as in OFN
          seen.push(p.variantId);
          const quantity = (rng.weightedIndex([0.6, 0.9, 1]) + 1) * wholesale;
          const n = li.count++;
          li.variantId[n] = p.variantId;
          li.product[n] = p.product;
          li.quantity[n] = quantity;
          li.priceCents[n] = p.priceCents;
          item += p.priceCents * quantity;
        }
      } else {
        const median = 28 * s.basket;
        item = roundMoney(Math.exp(Math.log(median) + 0.55 * rng.normal()) * level * 100);
        if (rng.chance(0.015)) item *= 6; // wholesale / buying-group orders
        item = Math.max(item, roundMoney(2 * level * 100));
      }
      const fee = roundMoney(item * s.feeRate);
      const shipping = s.deliveryFeeCents > 0 && rng.chance(0.45) ? s.deliveryFeeCents : 0;
      const voucher = rng.chance(0.01) ? Math.min(item, roundMoney(5 * level * 100)) : 0;
      const taxed = s.e.chargesSalesTax && s.taxRate > 0;
      const additionalTax = taxed && country.taxAdded ? roundMoney((item + fee + shipping) * s.taxRate) : 0;
      const adjustment = fee + shipping + additionalTax - voucher;
      const total = item + adjustment;
      const includedTax = taxed && !country.taxAdded ? roundMoney(((item + fee + shipping - voucher) * s.taxRate) / (1 + s.taxRate)) : 0;
      orders.itemCents[g] = item;
      orders.adjustmentCents[g] = adjustment;
      orders.additionalTaxCents[g] = additionalTax;
      orders.includedTaxCents[g] = includedTax;

      // States, payment and shipment consistent with OFN's state machine.
      let paymentState = P_NONE;
      let shipmentState = SH_NONE;
      let payment = 0;
      let created: number;
      let updated: number;
      const recent = untilMs - t < 7 * DAY_MS;
      if (state < FIRST_UNFINISHED_STATE) {
        orders.completedMs[g] = t;
        const browsing = rng.chance(0.1) ? rng.exponential(2 * DAY_MS) : rng.exponential(2.5 * HOUR_MS);
        created = Math.max(s.shopSinceMs, startMs, t - MINUTE_MS - browsing);
        let after = rng.chance(0.5) ? rng.int(0, 30) * 1000 : rng.exponential(3 * DAY_MS);
        if (state === S_COMPLETE) {
          const roll = rng.next();
          if (roll < 0.85) {
            paymentState = P_PAID;
            payment = total;
            shipmentState = recent ? SH_READY : SH_SHIPPED;
          } else if (roll < 0.98) {
            paymentState = P_BALANCE_DUE; // pay on pickup
            shipmentState = SH_PENDING;
          } else if (roll < 0.99) {
            paymentState = P_FAILED;
            shipmentState = SH_PENDING;
          } else {
            paymentState = P_CREDIT_OWED;
            payment = total + roundMoney(level * 100);
            shipmentState = recent ? SH_READY : SH_SHIPPED;
          }
        } else if (state === S_CANCELED) {
          // Cancelling keeps completed_at and every total; only payment/shipment states move.
          const paid = rng.chance(0.6);
          paymentState = paid ? P_CREDIT_OWED : P_VOID;
          payment = paid ? total : 0;
          shipmentState = SH_CANCELED;
          after = 10 * MINUTE_MS + rng.exponential(2 * DAY_MS);
        } else if (state === S_RESUMED) {
          paymentState = P_PAID;
          payment = total;
          shipmentState = SH_READY;
          after = HOUR_MS + rng.exponential(DAY_MS);
        } else if (state === S_RETURNED) {
          paymentState = P_CREDIT_OWED;
          payment = total;
          shipmentState = SH_SHIPPED;
          after = (3 + rng.next() * 17) * DAY_MS;
        } else if (state === S_AWAITING_RETURN) {
          paymentState = P_PAID;
          payment = total;
          shipmentState = SH_SHIPPED;
          after = (2 + rng.next() * 10) * DAY_MS;
        }
        updated = Math.max(t, Math.min(lastMs, t + after));
      } else {
        orders.completedMs[g] = NaN;
        created = t;
        updated = Math.max(t, Math.min(lastMs, t + rng.exponential(HOUR_MS)));
      }
      orders.createdMs[g] = roundSecond(created);
      orders.updatedMs[g] = roundSecond(updated);
      orders.paymentCents[g] = payment;
      orders.paymentState[g] = paymentState;
      orders.shipmentState[g] = shipmentState;
      orders.instructions[g] = rng.chance(0.03) ? rng.int(0, SPECIAL_INSTRUCTIONS.length - 1) : -1;

      const createdRounded = orders.createdMs[g] as number;
      if (createdRounded < (slotFirst[slot] as number)) slotFirst[slot] = createdRounded;
      if ((orders.updatedMs[g] as number) > (slotLast[slot] as number)) slotLast[slot] = orders.updatedMs[g] as number;
    }
    if (g >= nextReport) {
      progress(`generated ${g}/${N} orders`);
      nextReport = g + 100_000;
    }
  }
  if (orders.liStart) orders.liStart[N] = li.count;
  sortIndex(orders.byId, orders.idOf, N, (a, b) => (orders.createdMs[a] as number) - (orders.createdMs[b] as number) || a - b);
  progress(`generated ${N} orders (${edgeMade} at month-end/DST edges)`);

  // ---- customers -----------------------------------------------------------------------------
  let customerCount = 0;
  for (let slot = 0; slot < customerSlots; slot++) if (Number.isFinite(slotFirst[slot] as number)) customerCount++;
  const customers: CustomerTable = {
    count: customerCount,
    shopId: new Int32Array(customerCount),
    person: new Int32Array(customerCount),
    firstMs: new Float64Array(customerCount),
    lastMs: new Float64Array(customerCount),
    byId: new Uint32Array(customerCount),
    idOf: new Int32Array(customerCount),
  };
  const slotToCustomer = new Int32Array(customerSlots).fill(-1);
  const personFirstOrder = new Float64Array(shopperCount).fill(Infinity);
  {
    let c = 0;
    for (const s of shops) {
      for (let j = 0; j < s.customerPool; j++) {
        const slot = s.customerBase + j;
        if (!Number.isFinite(slotFirst[slot] as number)) continue;
        const person = (s.customerOffset + j * s.customerStep) % shopperCount;
        customers.shopId[c] = s.e.id;
        customers.person[c] = person;
        customers.firstMs[c] = slotFirst[slot] as number;
        customers.lastMs[c] = slotLast[slot] as number;
        if ((slotFirst[slot] as number) < (personFirstOrder[person] as number)) personFirstOrder[person] = slotFirst[slot] as number;
        slotToCustomer[slot] = c++;
      }
    }
  }
  for (let o = 0; o < N; o++) orders.customerIndex[o] = slotToCustomer[orders.customerIndex[o] as number] as number;
  sortIndex(customers.byId, customers.idOf, customerCount, (a, b) => (customers.firstMs[a] as number) - (customers.firstMs[b] as number) || a - b);
  const codeRng = (index: number) => Rng.derive(seed, 14, index);
  const customerCode = (index: number): string | null => {
    const rng = codeRng(index);
    return rng.chance(0.3) ? `C${String(rng.int(1, 99_999)).padStart(5, '0')}` : null;
  };
  progress(`generated ${customerCount} customers`);

  // ---- shopper users -------------------------------------------------------------------------
  const shopperUserIndex = new Int32Array(shopperCount).fill(-1);
  const shopperUserRng = Rng.derive(seed, 15);
  for (let p = 0; p < shopperCount; p++) {
    if (registered[p] !== 1) continue;
    const first = personFirstOrder[p] as number;
    let createdMs: number;
    if (Number.isFinite(first)) createdMs = Math.max(startMs, first - shopperUserRng.exponential(10 * DAY_MS));
    else if (shopperUserRng.chance(0.3)) createdMs = growthInstant(shopperUserRng); // signed up, never ordered
    else continue;
    shopperUserIndex[p] = newUser(shoppers[p] as Person, roundSecond(Math.min(createdMs, first)), false, shopperUserRng);
  }

  // Users get ids in creation order.
  const userOrder = users.map((_, i) => i).sort((a, b) => (users[a] as UserRow).createdMs - (users[b] as UserRow).createdMs || a - b);
  const userIdOf = new Int32Array(users.length);
  userOrder.forEach((u, position) => {
    userIdOf[u] = position + 1;
    (users[u] as UserRow).id = position + 1;
  });
  for (const e of enterprises) e.ownerUser = userIdOf[e.ownerUser] as number;
  const shopperUserId = new Int32Array(shopperCount);
  for (let p = 0; p < shopperCount; p++) {
    const u = shopperUserIndex[p] as number;
    shopperUserId[p] = u >= 0 ? (userIdOf[u] as number) : 0;
  }
  const sortedUsers = userOrder.map((u) => users[u] as UserRow);
  progress(`generated ${sortedUsers.length} users (${adminCount} admins)`);

  // ---- roles, groups, versions ---------------------------------------------------------------
  const roles: RoleRow[] = [];
  const roleKeys = new Set<string>();
  const roleRng = Rng.derive(seed, 16);
  const addRole = (userId: number, enterpriseId: number, notify: boolean) => {
    const key = `${userId}:${enterpriseId}`;
    if (roleKeys.has(key)) return;
    roleKeys.add(key);
    roles.push({ userId, enterpriseId, receivesNotifications: notify });
  };
  const ownerIds = [...new Set(enterprises.map((e) => e.ownerUser))];
  for (const e of enterprises) {
    addRole(e.ownerUser, e.id, true);
    if ((e.sells === 'own' || e.sells === 'any') && roleRng.chance(0.25)) addRole(roleRng.pick(ownerIds), e.id, false);
  }

  const adminIds = sortedUsers.filter((u) => u.admin).map((u) => u.id);
  const groupRng = Rng.derive(seed, 17);
  const groupSpecs: Array<{ name: string; members: (e: EnterpriseRow) => number }> = [
    { name: 'Organic', members: (e) => (e.isPrimaryProducer === true ? 0.3 : e.sells === 'any' ? 0.15 : 0.03) },
    { name: 'Farmers Markets', members: (e) => (e.sells === 'own' || e.sells === 'any' ? 0.15 : 0.02) },
    { name: `${country.name} Food Hubs`, members: (e) => (e.sells === 'any' ? 0.4 : 0) },
  ];
  const regions = [...new Set(country.towns.map(([, region]) => region))];
  const regionGroups = Math.min(regions.length, enterpriseCount >= 300 ? 4 : 1);
  for (let r = 0; r < regionGroups; r++) {
    const region = regions[r] as string;
    groupSpecs.push({ name: `Producers of ${region}`, members: (e) => (e.region === region && e.isPrimaryProducer === true ? 0.35 : 0) });
  }
  const groups: GroupRow[] = groupSpecs.map((g0, i) => {
    const owner = groupRng.pick(adminIds.length > 0 ? adminIds : ownerIds);
    const ownerPerson = (sortedUsers[owner - 1] as UserRow).person;
    const { town, region } = townRegion(groupRng);
    const name = prefix ? `${prefix} ${g0.name}` : g0.name;
    const members = enterprises.filter((e) => e.sells !== 'unspecified' && groupRng.chance(g0.members(e))).map((e) => e.id);
    if (i === 0 && members.length === 0 && enterprises.length > 0) members.push((enterprises[0] as EnterpriseRow).id);
    return {
      id: i + 1,
      name,
      permalink: slugify(name) || `group-${i + 1}`,
      ownerUserId: owner,
      addressId: newAddress(groupRng, ownerPerson, town, region, null, startMs),
      email: ownerPerson.email,
      website: groupRng.chance(0.5) ? `https://${slugify(name)}.example.org` : '',
      description: `${g0.name} on the network.`,
      onFrontPage: i < 2,
      position: i,
      members,
    };
  });

  const versions: VersionRow[] = [];
  const yamlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const yamlTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.000000000 Z`;
  enterprises.forEach((e, i) => {
    versions.push({ enterpriseId: e.id, event: 'create', whodunnit: String(e.ownerUser), object: null, createdMs: e.createdMs });
    let previousUpdate = e.createdMs;
    let sells: Sells = initialSells[i] as Sells;
    for (const change of e.changes) {
      // PaperTrail stores the row as it was *before* the change (personal fields included).
      const object = [
        '---',
        `id: ${e.id}`,
        `name: ${yamlString(e.name)}`,
        `permalink: ${yamlString(e.permalink)}`,
        `is_primary_producer: ${e.isPrimaryProducer === null ? '' : String(e.isPrimaryProducer)}`,
        `sells: ${sells}`,
        `visible: ${e.visible}`,
        `owner_id: ${e.ownerUser}`,
        `contact_name: ${yamlString(e.contactName)}`,
        `phone: ${yamlString(e.phone)}`,
        `email_address: ${yamlString(e.emailAddress)}`,
        `created_at: ${yamlTime(e.createdMs)}`,
        `updated_at: ${yamlTime(previousUpdate)}`,
        '',
      ].join('\n');
      versions.push({ enterpriseId: e.id, event: 'update', whodunnit: String(e.ownerUser), object, createdMs: change.atMs });
      sells = change.to;
      previousUpdate = change.atMs;
    }
  });
  // Stable sort: within one enterprise and instant, 'create' was pushed before its updates.
  versions.sort((a, b) => a.createdMs - b.createdMs || a.enterpriseId - b.enterpriseId);

  // ---- ids and derived values ------------------------------------------------------------------
  const numberRng = Rng.derive(seed, 18);
  const numberOffset = numberRng.int(0, 899_999_999);
  // An affine permutation of 0..899,999,999 (7,654,321 is coprime with 9 * 10^8), so numbers are unique.
  const orderNumber = (id: number) => `R${100_000_000 + ((id * 7_654_321 + numberOffset) % 900_000_000)}`;
  const ipRanges = ['192.0.2', '198.51.100', '203.0.113'];
  const orderIp = (generationIndex: number) => {
    const rng = Rng.derive(seed, 19, generationIndex);
    return `${rng.pick(ipRanges)}.${rng.int(1, 254)}`;
  };

  return {
    options,
    calendar: cal,
    country,
    countries: countries.length > 0 ? countries : [COUNTRIES[0] as CountrySpec],
    addresses,
    users: sortedUsers,
    enterprises,
    roles,
    groups,
    versions,
    shoppers,
    shopperUserId,
    cycles,
    customers,
    customerCode,
    orders,
    lineItems: spec.lineItems ? li : null,
    orderNumber,
    orderIp,
  };
}

/** Fills `byId` with indexes 0..count-1 sorted by `compare`, and `idOf[index]` = position + 1. */
function sortIndex(byId: Uint32Array, idOf: Int32Array, count: number, compare: (a: number, b: number) => number): void {
  for (let i = 0; i < count; i++) byId[i] = i;
  byId.sort(compare);
  for (let position = 0; position < count; position++) idOf[byId[position] as number] = position + 1;
}

