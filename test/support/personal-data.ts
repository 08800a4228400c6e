/**
 * What personal data is, written down here from the OFN reference (/work/shared/docs/ofn-data.md, the
 * columns it marks [PII] and [SECRET], and the tables it says to exclude entirely), not taken from
 * src/queries/ofn-tables.ts: a guard that reads its list from the code under test passes whatever
 * that code declares.
 */
export const PERSONAL_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  enterprises: ['contact_name', 'phone', 'email_address', 'whatsapp_phone'],
  enterprise_groups: ['email'],
  spree_orders: ['email', 'last_ip_address', 'special_instructions', 'note'],
  customers: ['email', 'name', 'first_name', 'last_name', 'code'],
  // `city` is [PII] in the reference too, but an enterprise's town is shown on purpose (README: lists and
  // announcements give "town and country"): the one exception, made here and nowhere else.
  spree_addresses: ['firstname', 'lastname', 'company', 'address1', 'address2', 'zipcode', 'state_name', 'phone', 'alternative_phone', 'latitude', 'longitude'],
  spree_users: [
    'email', 'login', 'encrypted_password', 'password_salt', 'spree_api_key', 'unconfirmed_email', 'current_sign_in_ip', 'last_sign_in_ip',
    'reset_password_token', 'remember_token', 'persistence_token', 'perishable_token', 'authentication_token', 'confirmation_token',
  ],
  spree_payments: ['response_code', 'avs_response', 'cvv_response_code', 'cvv_response_message', 'identifier', 'redirect_auth_url'],
  invoices: ['data'],
  versions: ['object', 'object_changes'],
};

/** Tables the bot must never read at all (ofn-data.md: "Exclude from the bot entirely"). */
export const FORBIDDEN_TABLES: readonly string[] = [
  'sessions', 'oidc_accounts', 'spree_credit_cards', 'stripe_accounts', 'spree_paypal_accounts', 'connected_apps', 'webhook_endpoints', 'spree_tokenized_permissions',
];

const IDENT = String.raw`(?:"([a-z_][a-z0-9_]*)"|([a-z_][a-z0-9_]*))`;
const id = (m: RegExpMatchArray, i: number) => (m[i] ?? m[i + 1])!;

/**
 * The one reading of coordinates allowed: the map (issue 16) reads an enterprise's own address rounded
 * in SQL to two decimals (about 1 km), for publicly listed enterprises; the exact value never leaves the
 * replica. Any other reading of latitude or longitude is still a violation.
 */
const ROUNDED_COORDINATE = /round\(\s*"?a"?\s*\.\s*"?(?:latitude|longitude)"?\s*::\s*numeric\s*,\s*2\s*\)/g;

/** The SQL without string literals and comments: a table name in a literal (the schema probe) is not a read. */
function codeOnly(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''").replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(ROUNDED_COORDINATE, ' ');
}

/**
 * Every personal column a query names, quoted ("e"."email_address") or not (o.email, raw SQL fragments),
 * qualified by an alias the query itself declares or bare, and every forbidden table it reads.
 */
export function personalColumnViolations(sql: string): string[] {
  const code = codeOnly(sql.toLowerCase());
  const problems: string[] = [];
  // Tables read and their aliases: from/join <table> [as] <alias>.
  const aliases = new Map<string, string>();
  const tables = new Set<string>();
  const keywords = new Set(['on', 'where', 'inner', 'left', 'right', 'full', 'cross', 'join', 'group', 'order', 'limit', 'union', 'using', 'natural', 'lateral']);
  for (const m of code.matchAll(new RegExp(String.raw`\b(?:from|join)\s+(?:${IDENT}\.)?${IDENT}(?:\s+(?:as\s+)?${IDENT})?`, 'g'))) {
    const table = id(m, 3);
    tables.add(table);
    aliases.set(table, table);
    const alias = m[5] ?? m[6];
    if (alias && !keywords.has(alias)) aliases.set(alias, table);
  }
  for (const table of tables) if (FORBIDDEN_TABLES.includes(table)) problems.push(`reads ${table}, which the bot must never read`);
  // Qualified references: alias.column.
  const qualified = new RegExp(String.raw`${IDENT}\s*\.\s*${IDENT}`, 'g');
  for (const m of code.matchAll(qualified)) {
    const table = aliases.get(id(m, 1));
    const column = id(m, 3);
    if (table && PERSONAL_COLUMNS[table]?.includes(column)) problems.push(`personal column ${table}.${column}`);
  }
  // Bare column names: personal in any table the query reads (unqualified, so it could be that table's).
  const bare = code.replace(qualified, ' ');
  const personalHere = new Map<string, string>();
  for (const table of tables) for (const column of PERSONAL_COLUMNS[table] ?? []) personalHere.set(column, table);
  for (const m of bare.matchAll(new RegExp(IDENT, 'g'))) {
    const column = id(m, 1);
    const table = personalHere.get(column);
    if (table) problems.push(`personal column ${column} (of ${table}, unqualified)`);
  }
  return problems;
}

/**
 * Personal data the fixtures plant (test/support/database.ts: OfnFixture) in every personal column they
 * fill; none of it may reach an answer, a Slack message, a file or a log line.
 */
export const PLANTED_PERSONAL_DATA: readonly string[] = [
  '@example.org', // user, contact and shopper emails
  'Jordi', 'Vila', // enterprise contact_name
  'Marta', 'Puig', 'Carrer Major', // address firstname, lastname, address1
  '600 111 222', '611 222 333', // address and enterprise phones
  '192.168.1.9', '10.0.0.1', // last_ip_address, last_sign_in_ip
  'secret-hash', // encrypted_password
  'Leave at the door', // special_instructions
  'Núria', 'Soler', 'CUST-7731', // customers: first_name, last_name, code
];
