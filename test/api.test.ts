import { request } from 'node:http';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { pino } from 'pino';
import { serveApi, type RunningApi } from '../src/api/serve-api.js';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig, type Config } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { renderCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { PLANTED_PERSONAL_DATA } from './support/personal-data.js';
import { createStateStore, eventually } from './support/state.js';

/**
 * The HTTP API over real HTTP against the real server (`serveApi`, what `ofn-insights api` runs), on
 * real PostgreSQL: the Katuma October 2026 fixture of billing.test.ts, so the figures are the ones
 * hand-computed there (totals 42.59; Horta Nord 24.20, Mercat Verd 18.39, Petit Rebost below the
 * minimum, Cistella Nova in trial; turnover 3109.99 from 6 sales orders).
 */
const TZ = 'Europe/Madrid';
const NOW = new Date('2026-11-15T12:00:00Z');
const TOKENS = { finance: 'fin-0123456789abcdef0123456789', sheet: 'sheet-0123456789abcdef012345678', plainOnly: 'plain-0123456789abcdef012345678' };

let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let config: Config;
let deps: Deps & { close(): Promise<void> };
let api: RunningApi;
let base: string;
const ids: Record<string, number> = {};
let bOrder: number;
const logLines: string[] = [];
/** Every body the API sent, for the personal-data scan. */
const bodies: string[] = [];
/** JSON bodies by operation, for the OpenAPI check. */
const seen: { operation: string; status: number; body: unknown }[] = [];

const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  }),
);

async function start() {
  api = await serveApi(config, { STATE_DATABASE_URL: state.url, PORT: '0', HOST: '127.0.0.1' }, logger, { now: () => NOW });
  base = `http://127.0.0.1:${api.port}`;
}

interface Got {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function get(path: string, auth: { bearer?: string; basic?: [string, string]; accept?: string; operation?: string } = {}): Promise<Got> {
  const headers: Record<string, string> = {};
  if (auth.bearer !== undefined) headers.authorization = `Bearer ${auth.bearer}`;
  if (auth.basic) headers.authorization = `Basic ${Buffer.from(`${auth.basic[0]}:${auth.basic[1]}`).toString('base64')}`;
  if (auth.accept) headers.accept = auth.accept;
  const response = await fetch(`${base}${path}`, { headers });
  const text = await response.text();
  bodies.push(text);
  const json = response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined;
  if (auth.operation && json !== undefined) seen.push({ operation: auth.operation, status: response.status, body: json });
  return { status: response.status, headers: response.headers, text, json };
}

const finance = (operation?: string) => ({ bearer: TOKENS.finance, ...(operation ? { operation } : {}) });

function configDocument() {
  return {
      instances: {
        katuma: { name: 'Katuma', replica: replica.url, timezone: TZ, currency: 'EUR', billing: { minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30 } },
        plain: { name: 'Plain Food', replica: replica.url, timezone: TZ, currency: 'EUR' },
      },
      api: {
        // Fresh answers on every request here (the late-change test changes the replica between two identical requests); reuse has its own test.
        reuseSeconds: 0,
        tokens: [
          { name: 'zapier-finance', token: '${FINANCE_TOKEN}', instances: ['katuma'], billing: true },
          { name: 'sheet', token: TOKENS.sheet, instances: ['katuma'] },
          { name: 'plain-only', token: TOKENS.plainOnly, instances: ['plain'] },
        ],
      },
    };
}

beforeAll(async () => {
  replica = await createTestDatabase('api');
  const f = new OfnFixture(replica.client);
  const spain = await f.country();
  const address = await f.address(spain);
  ids.A = await f.enterprise({ name: 'Mercat Verd', sells: 'any', address_id: address });
  ids.B = await f.enterprise({ name: 'Horta Nord', sells: 'own', is_primary_producer: true });
  ids.C = await f.enterprise({ name: 'Petit Rebost', sells: 'any' });
  ids.D = await f.enterprise({ name: 'Cistella Nova', sells: 'any', created_at: utc('2026-10-05 10:00', TZ) });
  ids.E = await f.enterprise({ name: 'Hort Tardà', sells: 'any', created_at: utc('2026-11-01 00:01', TZ) });
  ids.F = await f.enterprise({ name: 'Granja Sol', sells: 'none', is_primary_producer: true });
  await f.customer(ids.A);
  const o = (id: number, local: string, total: string, st = 'complete') => f.order(id, { total, state: st, completed_at: utc(local, TZ) });
  await o(ids.A, '2026-10-31 23:30', '300.00');
  await o(ids.A, '2026-10-01 00:15', '200.00');
  await o(ids.A, '2026-10-12 10:00', '10.00', 'resumed');
  await o(ids.A, '2026-11-01 00:30', '50.00');
  await o(ids.A, '2026-10-20 10:00', '1000.00', 'canceled');
  await o(ids.A, '2026-10-21 10:00', '77.00', 'returned');
  bOrder = await o(ids.B, '2026-10-15 10:00', '2000.00');
  await o(ids.C, '2026-10-15 10:00', '99.99');
  await o(ids.D, '2026-10-15 10:00', '500.00');
  await o(ids.E, '2026-11-01 10:00', '500.00');
  state = await createStateStore();
  config = parseConfig(configDocument(), { FINANCE_TOKEN: TOKENS.finance }, 'test');
  const replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => NOW, close: () => replicas.closeAll() };
  await start();
});

afterAll(async () => {
  await api?.shutdown();
  await deps?.close();
  await state?.drop();
  await replica?.drop();
});

describe('who may call the API', () => {
  it('refuses a missing, unknown or malformed token with 401 and says how to authenticate', async () => {
    for (const auth of [{}, { bearer: 'not-a-token-0123456789abcdef' }, { basic: ['zapier', 'wrong-0123456789abcdef012345'] as [string, string] }, { bearer: '' }]) {
      const r = await get('/api/v1/answers?q=turnover+katuma+2026-10', auth);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/Bearer.*Basic/);
      expect(r.json.error.code).toBe('Unauthorized');
    }
  });

  it('takes the token as Bearer, as the HTTP Basic password (Zapier), or in the URL (spreadsheets)', async () => {
    const bearer = await get('/api/v1/answers?q=turnover+katuma+2026-10', { bearer: TOKENS.sheet });
    const basic = await get('/api/v1/answers?q=turnover+katuma+2026-10', { basic: ['anyone', TOKENS.sheet] });
    const inUrl = await get(`/api/v1/answers?q=turnover+katuma+2026-10&token=${TOKENS.sheet}`);
    for (const r of [bearer, basic, inUrl]) expect(r.status).toBe(200);
    expect(bearer.json.value).toBe(3109.99);
    expect(basic.text).toBe(bearer.text);
    expect(inUrl.text).toBe(bearer.text);
  });

  it('refuses an instance the token is not granted, and billing without billing: true, with 403', async () => {
    const hidden = await get('/api/v1/answers?q=turnover+katuma+2026-10', { bearer: TOKENS.plainOnly, operation: 'answer' });
    expect(hidden.status).toBe(403);
    expect(hidden.json.error).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining('plain-only') });
    expect((await get('/api/v1/billing/katuma/2026-10', { bearer: TOKENS.sheet })).status).toBe(403);
    expect((await get('/api/v1/billing-lines?instance=katuma&month=2026-10', { bearer: TOKENS.sheet })).status).toBe(403);
    expect((await get('/api/v1/answers?q=billing+katuma+2026-10', { bearer: TOKENS.sheet })).status).toBe(403);
    expect((await get('/api/v1/events?instance=katuma', { bearer: TOKENS.plainOnly })).status).toBe(403);
    // `all` is what the token may see: plain only.
    const all = await get('/api/v1/answers?q=orders+all+2026-10', { bearer: TOKENS.plainOnly });
    expect(all.json.rows.map((r: { instance: string }) => r.instance)).toEqual(['plain']);
    // Management needs admin, which no token has.
    const save = await get(`/api/v1/answers?q=${encodeURIComponent('save weekly turnover katuma last-week')}`, { bearer: TOKENS.finance });
    expect(save.status).toBe(403);
    expect(save.json.error.message).toContain('admin: true');
  });

  it('answers 400 for a bad question or parameter, 404 for an unknown instance or path, 405 for anything but GET', async () => {
    expect((await get('/api/v1/answers', finance('answer'))).status).toBe(400);
    const bad = await get('/api/v1/answers?q=turnover+katuma+2026-13', finance('answer'));
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('BadPeriod');
    expect((await get('/api/v1/billing/katuma/october', finance('billing'))).status).toBe(400);
    expect((await get('/api/v1/billing-lines?instance=katuma&month=2026-13', finance('billingLines'))).status).toBe(400);
    expect((await get('/api/v1/billing-lines', finance('billingLines'))).status).toBe(400);
    expect((await get('/api/v1/events?instance=katuma&type=new-hub', finance('events'))).status).toBe(400);
    const unknown = await get('/api/v1/billing/nowhere/2026-10', finance('billing'));
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain('katuma');
    expect(unknown.json.error.message).not.toContain('plain');
    expect((await get('/api/v1/nothing-here', finance())).status).toBe(404);
    const post = await fetch(`${base}/api/v1/answers?q=orders+katuma`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.finance}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('shares a computation only between requests of the same token: a refused token asking at the same moment stays refused', async () => {
    const url = '/api/v1/billing-lines?instance=katuma&month=2026-10';
    const answers = await Promise.all([...Array.from({ length: 8 }, () => get(url, finance())), get(url, { bearer: TOKENS.sheet }), get(url, { bearer: TOKENS.plainOnly })]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 403, 403]);
    expect(new Set(answers.slice(0, 8).map((r) => r.text)).size).toBe(1);
    expect(answers[8]!.json.error.message).toContain('billing: true');
  });

  it('logs the token by its name, never its value', async () => {
    await get('/api/v1/answers?q=orders+katuma+2026-10', { basic: ['x', TOKENS.finance] });
    await get(`/api/v1/answers?q=orders+katuma+2026-10&token=${TOKENS.sheet}`);
    const requests = logLines.filter((l) => l.includes('"api request"'));
    expect(requests.some((l) => JSON.parse(l).tokenName === 'zapier-finance')).toBe(true);
    expect(requests.some((l) => JSON.parse(l).tokenName === 'sheet')).toBe(true);
    for (const value of Object.values(TOKENS)) expect(logLines.join('\n')).not.toContain(value);
  });
});

describe('answers', () => {
  it('are exactly what `ask --format json` prints, with the figures of the question tests', async () => {
    for (const q of ['turnover katuma 2026-10', 'orders katuma 2026-10', 'top-shops katuma 2026-10', 'turnover katuma 2026-10 by week', 'shops katuma']) {
      const r = await get(`/api/v1/answers?q=${encodeURIComponent(q)}`, finance('answer'));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(r.text).toBe(renderJson(await ask(deps, q, state.db)));
    }
    expect((await get('/api/v1/answers?q=orders+katuma+2026-10', finance())).json.value).toBe(6);
    const top = await get('/api/v1/answers?q=top-shops+katuma+2026-10', finance());
    expect(top.json.rows.map((r: { name: string; value: number }) => [r.name, r.value])).toEqual([
      ['Horta Nord', 2000],
      ['Mercat Verd', 510],
      ['Cistella Nova', 500],
      ['Petit Rebost', 99.99],
    ]);
  });

  it('are the CLI’s CSV with .csv or Accept: text/csv, as an attachment', async () => {
    const q = 'top-shops katuma 2026-10';
    const expected = renderCsv(await ask(deps, q, state.db));
    const suffix = await get(`/api/v1/answers.csv?q=${encodeURIComponent(q)}`, finance());
    const accept = await get(`/api/v1/answers?q=${encodeURIComponent(q)}`, { bearer: TOKENS.finance, accept: 'text/csv' });
    for (const r of [suffix, accept]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(r.headers.get('content-disposition')).toBe('attachment; filename="top-shops-10-katuma-2026-10.csv"');
      expect(r.text).toBe(expected);
    }
    expect(suffix.text).toContain('Horta Nord');
  });
});

describe('billing', () => {
  it('gives a month’s bill as `ask --format json "billing katuma 2026-10"` does, and its CSV', async () => {
    const r = await get('/api/v1/billing/katuma/2026-10', finance('billing'));
    expect(r.status).toBe(200);
    expect(r.text).toBe(renderJson(await ask(deps, 'billing katuma 2026-10', state.db)));
    expect(r.json).toMatchObject({ instance: 'katuma', month: '2026-10', currency: 'EUR', totals: { turnover: 3109.99, charge: 35.2, tax: 7.39, total: 42.59 } });
    expect(r.json.rows.map((row: { name: string; total: number; status: string }) => [row.name, row.total, row.status])).toEqual([
      ['Horta Nord', 24.2, 'billed'],
      ['Mercat Verd', 18.39, 'billed'],
      ['Petit Rebost', 0, 'below_minimum'],
      ['Cistella Nova', 0, 'trial'],
    ]);
    const csv = await get('/api/v1/billing/katuma/2026-10.csv', finance());
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="billing-katuma-2026-10.csv"');
    expect(csv.text).toBe(renderCsv(await ask(deps, 'billing katuma 2026-10', state.db)));
    expect(csv.text.split('\r\n')[1]).toContain(`${ids.B},Horta Nord,Producer Shop,2020-01-01,2000.00,1,20.00,4.20,24.20,billed`);
  });

  it('gives billing lines with stable ids and decimal strings, newest month first, the last three closed months by default', async () => {
    const october = await get('/api/v1/billing-lines?instance=katuma&month=2026-10', finance('billingLines'));
    expect(october.status).toBe(200);
    expect(Array.isArray(october.json)).toBe(true);
    expect(october.json[0]).toEqual({
      id: `katuma:2026-10:${ids.B}`,
      instance: 'katuma',
      month: '2026-10',
      enterprise_id: ids.B,
      external_billing_id: null,
      name: 'Horta Nord',
      currency: 'EUR',
      turnover: '2000.00',
      orders: 1,
      charge: '20.00',
      tax: '4.20',
      total: '24.20',
      status: 'billed',
      provisional: false,
      revision: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(october.json.map((l: { total: string }) => l.total)).toEqual(['24.20', '18.39', '0.00', '0.00']);
    const recent = await get('/api/v1/billing-lines?instance=katuma', finance('billingLines'));
    expect(recent.json.map((l: { month: string }) => l.month)).toEqual(['2026-10', '2026-10', '2026-10', '2026-10', '2026-09', '2026-09', '2026-09', '2026-08', '2026-08', '2026-08']);
    expect(new Set(recent.json.map((l: { id: string }) => l.id)).size).toBe(10);
    const again = await get('/api/v1/billing-lines?instance=katuma', finance());
    expect(again.text).toBe(recent.text);
    // The current month is provisional.
    const current = await get('/api/v1/billing-lines?instance=katuma&month=2026-11', finance('billingLines'));
    expect(current.json.length).toBeGreaterThan(0);
    expect(current.json.every((l: { provisional: boolean }) => l.provisional)).toBe(true);
  });

  it('pages billing lines for n8n with {data, next} and serves them as CSV', async () => {
    const pages: { id: string }[][] = [];
    let next: string | null = '/api/v1/billing-lines?instance=katuma&paginate=1&per_page=4';
    while (next) {
      const r = await get(next.replace(base, ''), finance('billingLines'));
      expect(r.status).toBe(200);
      pages.push(r.json.data);
      next = r.json.next;
      if (next) expect(next.startsWith(base)).toBe(true);
    }
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    const all = (await get('/api/v1/billing-lines?instance=katuma', finance())).json;
    expect(pages.flat().map((l) => l.id)).toEqual(all.map((l: { id: string }) => l.id));
    const csv = await get('/api/v1/billing-lines.csv?instance=katuma&month=2026-10', finance());
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe('id,instance,month,enterprise_id,external_billing_id,name,currency,turnover,orders,charge,tax,total,status,provisional,revision');
    expect(rows[1]).toMatch(new RegExp(`^katuma:2026-10:${ids.B},katuma,2026-10,${ids.B},,Horta Nord,EUR,2000.00,1,20.00,4.20,24.20,billed,false,[0-9a-f]{16}$`));
    expect(rows).toHaveLength(5);
  });
});

describe('events', () => {
  it('lists new shops and profiles seen by the watcher, newest first, with stable ids and no personal data', async () => {
    await eventually(() => state.db.selectFrom('watermarks').selectAll().where('instance_id', '=', 'katuma').executeTakeFirst());
    const f = new OfnFixture(replica.client);
    const id = await f.enterprise({ name: 'Forn Nou', sells: 'any', created_at: '2026-11-14 10:00:00' });
    const events = await eventually(async () => {
      await api.jobs()!.pollAll();
      const r = await get('/api/v1/events?instance=katuma', finance('events'));
      return r.json.length >= 2 ? r.json : undefined;
    });
    expect(events).toEqual([
      { id: `katuma:${id}:new-shop`, type: 'new-shop', instance: 'katuma', enterprise_id: id, name: 'Forn Nou', category: 'Hub Shop', created_at: '2026-11-14T10:00:00.000Z', detected_at: expect.any(String) },
      { id: `katuma:${id}:new-profile`, type: 'new-profile', instance: 'katuma', enterprise_id: id, name: 'Forn Nou', category: 'Hub Shop', created_at: '2026-11-14T10:00:00.000Z', detected_at: expect.any(String) },
    ]);
    const shops = await get('/api/v1/events?instance=katuma&type=new-shop', finance('events'));
    expect(shops.json.map((e: { id: string }) => e.id)).toEqual([`katuma:${id}:new-shop`]);
    const paged = await get('/api/v1/events?instance=katuma&paginate=1&per_page=1', finance('events'));
    expect(paged.json.data).toHaveLength(1);
    expect(paged.json.next).toContain('page=2');
    const csv = await get('/api/v1/events.csv?instance=katuma', { bearer: TOKENS.sheet });
    expect(csv.text.split('\r\n')[0]).toBe('id,type,instance,enterprise_id,name,category,created_at,detected_at');
    expect(csv.text).toContain(`katuma:${id}:new-shop,new-shop,katuma,${id},Forn Nou,Hub Shop,`);
  });
});

describe('across a restart and a late change', () => {
  it('keeps ids and revisions across restarts; a closed month changed on the replica gets a new revision, same id', async () => {
    const before = (await get('/api/v1/billing-lines?instance=katuma&month=2026-10', finance())).json as { id: string; revision: string; name: string }[];
    const eventsBefore = (await get('/api/v1/events?instance=katuma', finance())).json;
    await api.shutdown();
    await start();
    const after = (await get('/api/v1/billing-lines?instance=katuma&month=2026-10', finance())).json;
    expect(after).toEqual(before);
    expect((await get('/api/v1/events?instance=katuma', finance())).json).toEqual(eventsBefore);

    await replica.client.query("update spree_orders set state = 'canceled' where id = $1", [bOrder]); // a late cancellation
    const changed = (await get('/api/v1/billing-lines?instance=katuma&month=2026-10', finance('billingLines'))).json as typeof before;
    const byId = (lines: typeof before) => new Map(lines.map((l) => [l.id, l]));
    const horta = `katuma:2026-10:${ids.B}`;
    expect(byId(changed).get(horta)!.revision).not.toBe(byId(before).get(horta)!.revision);
    expect(byId(changed).get(horta)).toMatchObject({ total: '0.00', status: 'below_minimum' });
    const mercat = `katuma:2026-10:${ids.A}`;
    expect(byId(changed).get(mercat)!.revision).toBe(byId(before).get(mercat)!.revision);
    expect([...byId(changed).keys()].sort()).toEqual([...byId(before).keys()].sort());
    await replica.client.query("update spree_orders set state = 'complete' where id = $1", [bOrder]);
  });
});

describe('reusing an answer', () => {
  it('gives an identical request of the same token the same answer for api.reuseSeconds, and never another token’s', async () => {
    const reusing = parseConfig({ ...configDocument(), api: { ...configDocument().api, reuseSeconds: 300 } }, { FINANCE_TOKEN: TOKENS.finance }, 'test');
    const other = await serveApi(reusing, { STATE_DATABASE_URL: state.url, PORT: '0', HOST: '127.0.0.1' }, logger, { now: () => NOW });
    const ask = (token: string) => fetch(`http://127.0.0.1:${other.port}/api/v1/answers?q=orders+katuma+2026-10`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<{ value: number }>);
    try {
      expect((await ask(TOKENS.finance)).value).toBe(6);
      await replica.client.query("update spree_orders set state = 'canceled' where id = $1", [bOrder]);
      expect((await ask(TOKENS.finance)).value).toBe(6); // reused
      expect((await ask(TOKENS.sheet)).value).toBe(5); // another token: computed for it
    } finally {
      await replica.client.query("update spree_orders set state = 'complete' where id = $1", [bOrder]);
      await other.shutdown();
    }
  });
});

describe('the OpenAPI document', () => {
  it('is served without a token and describes every real response seen in this file', async () => {
    const r = await get('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/answers', '/api/v1/billing-lines', '/api/v1/billing/{instance}/{month}', '/api/v1/events', '/api/v1/openapi.json']);
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'https://ofn-insights.invalid/openapi.json', ...doc });
    const operations = new Map<string, any>();
    for (const [path, item] of Object.entries<any>(doc.paths)) operations.set(item.get.operationId, { path, get: item.get });
    const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
    const kinds = new Set<string>();
    expect(seen.length).toBeGreaterThan(20);
    for (const { operation, status, body } of seen) {
      const op = operations.get(operation);
      expect(op, operation).toBeDefined();
      expect(Object.keys(op.get.responses), `${operation} ${status}`).toContain(String(status));
      const ref = `https://ofn-insights.invalid/openapi.json#/paths/${pointer(op.path)}/get/responses/${status}/content/application~1json/schema`;
      const validate = ajv.compile({ $ref: ref });
      const valid = validate(body);
      expect(valid, `${operation} ${status}: ${JSON.stringify(validate.errors)}`).toBe(true);
      kinds.add(`${operation} ${status}`);
    }
    for (const expected of ['answer 200', 'answer 400', 'answer 403', 'billing 200', 'billing 404', 'billingLines 200', 'events 200']) expect(kinds).toContain(expected);
    // The schemas are not vacuous: a billing line with a number amount is refused.
    const line = ajv.compile({ $ref: 'https://ofn-insights.invalid/openapi.json#/components/schemas/BillingLine' });
    const sample = (seen.find((s) => s.operation === 'billingLines' && Array.isArray(s.body)) as { body: Record<string, unknown>[] }).body[0]!;
    expect(line(sample)).toBe(true);
    expect(line({ ...sample, total: 24.2 })).toBe(false);
    expect(line({ ...sample, email: 'x@example.org' })).toBe(false);
  });
});

describe('large bodies', () => {
  it('go gzipped to a client that accepts it, the same bytes once unzipped', async () => {
    const raw = (encoding?: string) =>
      new Promise<{ headers: import('node:http').IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const req = request(`${base}/api/v1/openapi.json`, { headers: encoding ? { 'accept-encoding': encoding } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    const plain = await raw();
    const zipped = await raw('gzip, deflate');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(gunzipSync(zipped.body).toString()).toBe(plain.body.toString());
  });
});

describe('personal data', () => {
  it('never leaves through any response of this file', () => {
    expect(bodies.length).toBeGreaterThan(40);
    const all = bodies.join('\n');
    for (const value of PLANTED_PERSONAL_DATA) expect(all, value).not.toContain(value);
    // The fixture's customer, address and order columns were filled, so the scan had something to find.
    expect(PLANTED_PERSONAL_DATA).toContain('@example.org');
  });
});
