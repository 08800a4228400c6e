import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { DateTime } from 'luxon';
import { ask } from '../commands/pipeline.js';
import type { Deps } from '../commands/types.js';
import { authorize, grantForToken, type Grant } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import { cleanForLog, type Logger } from '../core/log.js';
import type { BillingReport, Outcome } from '../core/outcome.js';
import { feedEventJson } from '../jobs/webhooks.js';
import { billingLineItems, billingLinesCsv, type BillingLineItem } from '../render/billing-lines.js';
import { csvFile, toCsv } from '../render/csv.js';
import { errorToJson, renderJson } from '../render/json.js';
import type { StateDb } from '../state/store.js';
import { enterpriseEvents } from '../state/webhooks.js';
import { openApiDocument } from './openapi.js';
import { cached } from '../core/memo.js';

/**
 * The HTTP API (`/api/v1/`, docs/api.md), as a function from a request to a response: no sockets here,
 * so `serve` can answer it in its answer thread and `ofn-insights api` in its only one. A token is an
 * audience (core/access.ts `grantForToken`); every figure comes from `ask` with that grant and is
 * rendered by render/, exactly as `ask --format json|csv` prints it.
 */

/** What the transport hands over: nothing but the method, the URL and three headers. */
export interface ApiRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: { authorization?: string | undefined; accept?: string | undefined; 'accept-encoding'?: string | undefined; host?: string | undefined; 'x-forwarded-proto'?: string | undefined };
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body gzipped (`content-encoding: gzip` in headers), for a large body and a client that accepts it. */
  gzipped?: Uint8Array;
}

/** Bodies above this are sent gzipped to clients that accept it (a month of bill lines is megabytes; Zapier, n8n and fetch all accept gzip). */
const GZIP_ABOVE = 8 * 1024;
/** One compression per answer, however many requests share it. */
const compressed = new WeakMap<ApiResponse, Promise<Buffer>>();
const gzipInPool = promisify(gzip);

/**
 * Level 1, as nginx's default: on a 2.8 MB answer (three months of bill lines) 11 ms against 26 ms at
 * level 4, for 9.6 % more bytes (376 KB against 343 KB). In libuv's pool, so the event loop keeps serving
 * other requests meanwhile.
 */
async function withGzip(request: ApiRequest, response: ApiResponse): Promise<ApiResponse> {
  if (response.body.length <= GZIP_ABOVE || !/\bgzip\b/i.test(request.headers['accept-encoding'] ?? '')) return response;
  const bytes = cached(compressed, response, () => gzipInPool(response.body, { level: 1 }));
  return { ...response, headers: { ...response.headers, 'content-encoding': 'gzip', vary: 'accept-encoding' }, gzipped: await bytes };
}

export interface ApiContext {
  deps: Deps;
  /** The state store when it is open: events need it; billing compares with what was sent. */
  state?: StateDb | undefined;
  logger: Logger;
}

export const API_PREFIX = '/api/v1/';

const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';
const CHALLENGE = 'Bearer realm="ofn-insights", Basic realm="ofn-insights", charset="UTF-8"';
const CLOSED_MONTHS = 3;
const PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1_000;

/** An error the API answers itself (401, 404 for a path, 405, 400 for a parameter). */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A JSON response: text as rendered (answers, exactly as the CLI prints them), or a value; lists go compact (megabytes for a large instance). */
const json = (status: number, value: unknown, headers: Record<string, string> = {}, compact = false): ApiResponse => ({
  status,
  headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers },
  body: typeof value === 'string' ? value : JSON.stringify(value, null, compact ? undefined : 2),
});

const csv = (text: string, filename: string): ApiResponse => ({
  status: 200,
  headers: { 'content-type': CSV_TYPE, 'content-disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '-')}"`, 'cache-control': 'no-store' },
  body: text,
});

/** The token presented: `Authorization: Bearer <token>`, HTTP Basic with the token as password (or, with no password, as user), or `?token=` for spreadsheets. */
function presentedToken(request: ApiRequest, url: URL): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer) return bearer[1]!;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (basic) {
      const [user, ...password] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      return password.join(':') || user!;
    }
    return '';
  }
  return url.searchParams.get('token') ?? undefined;
}

/** HTTP status of an error from `ask`: what the caller can fix is 4xx (400 unless listed), a replica down is 503. */
const STATUS_OF: Partial<Record<string, number>> = { AccessDenied: 403, NotFound: 404, ReplicaUnavailable: 503, ReplicaTimeout: 503, SchemaMismatch: 500, ConfigInvalid: 500 };

/** JSON unless the path ends in `.csv` or the client accepts text/csv (and not JSON first). */
function wantsCsv(path: string, accept: string | undefined): boolean {
  if (path.endsWith('.csv')) return true;
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const csvAt = types.indexOf('text/csv');
  const jsonAt = types.indexOf('application/json');
  return csvAt >= 0 && (jsonAt < 0 || csvAt < jsonAt);
}

/** An instance named in a path or parameter: unknown is 404, naming only the instances this token may see. */
function instanceParam(deps: Deps, grant: Grant, id: string | null): string {
  if (!id) throw new HttpError(400, 'BadArguments', `Give the instance: ?instance=<id> (this token may see: ${[...grant.instances].join(', ') || 'no instance'}).`);
  if (!deps.config.instances.has(id)) throw new HttpError(404, 'UnknownInstance', `There is no instance ${JSON.stringify(id.slice(0, 40))}. This token may see: ${[...grant.instances].join(', ') || 'no instance'}.`);
  return id;
}

function monthParam(month: string | null): string | undefined {
  if (month === null) return undefined;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new HttpError(400, 'BadPeriod', `A month is YYYY-MM, such as 2026-10 (got ${JSON.stringify(month.slice(0, 20))}).`);
  return month;
}

function pageParams(url: URL): { page: number; perPage: number } {
  const page = Number(url.searchParams.get('page') ?? '1');
  const perPage = Number(url.searchParams.get('per_page') ?? String(PAGE_SIZE));
  if (!Number.isInteger(page) || page < 1) throw new HttpError(400, 'BadArguments', 'page is a whole number from 1.');
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PAGE_SIZE) throw new HttpError(400, 'BadArguments', `per_page is a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  return { page, perPage };
}

/** The base URL for `next` links: the configured public URL, else this request's own. */
function baseUrl(deps: Deps, request: ApiRequest): string {
  if (deps.config.api.publicUrl) return deps.config.api.publicUrl;
  const proto = request.headers['x-forwarded-proto']?.split(',')[0]?.trim() === 'https' ? 'https' : 'http';
  return `${proto}://${request.headers.host ?? 'localhost'}`;
}

/** `{data, next}` for n8n: a page of the items and the URL of the next page (the same query, page + 1), or null. */
function paginated<T>(deps: Deps, request: ApiRequest, url: URL, items: readonly T[]): { data: T[]; next: string | null } {
  const { page, perPage } = pageParams(url);
  const data = items.slice((page - 1) * perPage, page * perPage);
  if (page * perPage >= items.length) return { data, next: null };
  const next = new URL(url.pathname + url.search, baseUrl(deps, request));
  next.searchParams.set('page', String(page + 1));
  // A token given in the URL (spreadsheets) stays out of links we hand back.
  next.searchParams.delete('token');
  return { data, next: next.toString() };
}

async function billingReport(ctx: ApiContext, grant: Grant, instance: string, month: string): Promise<BillingReport> {
  const outcome = await ask(ctx.deps, `billing ${instance} ${month}`, ctx.state, { grant });
  if (outcome.kind !== 'billing') throw new Error(`billing: unexpected ${outcome.kind}`);
  return outcome;
}

async function billingLines(ctx: ApiContext, grant: Grant, url: URL): Promise<BillingLineItem[]> {
  const instance = instanceParam(ctx.deps, grant, url.searchParams.get('instance'));
  const month = monthParam(url.searchParams.get('month'));
  const config = ctx.deps.config.instances.get(instance)!;
  // Without a month, the closed months before now in the instance's zone, newest first.
  const thisMonth = DateTime.fromJSDate(ctx.deps.now(), { zone: config.timezone }).startOf('month');
  const months = month ? [month] : Array.from({ length: CLOSED_MONTHS }, (_, i) => thisMonth.minus({ months: i + 1 }).toFormat('yyyy-LL'));
  // The months in parallel (each is one query); a refusal is decided by `ask` before any replica is read.
  const reports = await Promise.all(months.map((m) => billingReport(ctx, grant, instance, m)));
  const grouped = config.billing?.groupBy === 'external_billing_id';
  return reports.flatMap((report) => billingLineItems(report, { provisional: report.provisional === true, groupedByBillingId: grouped }));
}

const EVENT_COLUMNS = ['id', 'type', 'instance', 'enterprise_id', 'name', 'category', 'created_at', 'detected_at'] as const;

async function events(ctx: ApiContext, grant: Grant, url: URL) {
  const instance = instanceParam(ctx.deps, grant, url.searchParams.get('instance'));
  const type = url.searchParams.get('type');
  if (type !== null && type !== 'new-shop' && type !== 'new-profile') throw new HttpError(400, 'BadArguments', 'type is new-shop or new-profile.');
  // The same decision as every answer: this token's grant must cover the instance.
  authorize(ctx.deps.config, grant, { instances: [instance], billing: false });
  if (!ctx.state) throw new HttpError(503, 'StateUnavailable', 'Events live in the state store, which is not available right now; try again in a minute.', { 'retry-after': '30' });
  const limit = Number(url.searchParams.get('limit') ?? '100');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new HttpError(400, 'BadArguments', `limit is a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  const rows = await enterpriseEvents(ctx.state, { instanceId: instance, ...(type ? { event: type } : {}), limit });
  return rows.map(feedEventJson);
}

/** Routes one authenticated request. */
async function route(ctx: ApiContext, request: ApiRequest, url: URL, grant: Grant): Promise<ApiResponse> {
  const path = url.pathname;
  const asCsv = wantsCsv(path, request.headers.accept);
  const bare = path.replace(/\.csv$/, '');
  if (bare === '/api/v1/answers') {
    const question = url.searchParams.get('q')?.trim();
    if (!question) throw new HttpError(400, 'BadArguments', 'Give the question: ?q=turnover katuma last-month (as typed in Slack or after `ofn-insights ask`).');
    return rendered(await ask(ctx.deps, question, ctx.state, { grant }), asCsv);
  }
  const billing = /^\/api\/v1\/billing\/([^/]+)\/([^/]+)$/.exec(bare);
  if (billing) {
    const instance = instanceParam(ctx.deps, grant, decodeURIComponent(billing[1]!));
    const month = monthParam(decodeURIComponent(billing[2]!))!;
    return rendered(await billingReport(ctx, grant, instance, month), asCsv);
  }
  if (bare === '/api/v1/billing-lines') {
    const items = await billingLines(ctx, grant, url);
    if (asCsv) return csv(billingLinesCsv(items), `billing-lines-${url.searchParams.get('instance')}.csv`);
    return json(200, url.searchParams.get('paginate') === '1' ? paginated(ctx.deps, request, url, items) : items, {}, true);
  }
  if (bare === '/api/v1/events') {
    const items = await events(ctx, grant, url);
    if (asCsv) return csv(toCsv(EVENT_COLUMNS, items.map((e) => EVENT_COLUMNS.map((c) => e[c]))), `events-${url.searchParams.get('instance')}.csv`);
    return json(200, url.searchParams.get('paginate') === '1' ? paginated(ctx.deps, request, url, items) : items, {}, true);
  }
  throw new HttpError(404, 'NotFound', `No such endpoint: ${path.slice(0, 100)}. See ${API_PREFIX}openapi.json.`);
}

/**
 * Identical requests (same token, so the same grant; same path, query, format and host) share one
 * computation and rendering while it runs, and for `api.reuseSeconds` (default 5) after a successful
 * answer: fifty clients polling the same URL, or a sheet and a Zap asking at once, cost the replica one
 * query, not fifty. Replicas lag by seconds anyway; set 0 to share only answers in flight.
 */
interface SharedAnswer {
  answer: Promise<ApiResponse>;
  /** When it was answered (200); until then it is in flight. */
  doneAt?: number;
}

const shared = new WeakMap<Deps, Map<string, SharedAnswer>>();

function routeOnce(ctx: ApiContext, request: ApiRequest, url: URL, grant: Grant): Promise<ApiResponse> {
  const query = [...url.searchParams].filter(([k]) => k !== 'token').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key = JSON.stringify([grant.via, url.pathname, query, wantsCsv(url.pathname, request.headers.accept), request.headers.host ?? '', request.headers['x-forwarded-proto'] ?? '']);
  const map = cached(shared, ctx.deps, () => new Map<string, SharedAnswer>());
  const reuseMs = ctx.deps.config.api.reuseSeconds * 1000;
  const now = Date.now();
  const found = map.get(key);
  if (found && (found.doneAt === undefined || now - found.doneAt < reuseMs)) return found.answer;
  if (map.size > 1_000) for (const [k, v] of map) if (v.doneAt !== undefined && now - v.doneAt >= reuseMs) map.delete(k);
  const entry: SharedAnswer = { answer: route(ctx, request, url, grant) };
  map.set(key, entry);
  const forget = () => map.get(key) === entry && map.delete(key);
  entry.answer.then(
    (response) => {
      if (response.status === 200 && reuseMs > 0) entry.doneAt = Date.now();
      else forget();
    },
    forget,
  );
  return entry.answer;
}

/** An outcome of `ask` as `ask --format json|csv` prints it. */
function rendered(outcome: Outcome, asCsv: boolean): ApiResponse {
  if (!asCsv) return json(200, renderJson(outcome));
  const file = csvFile(outcome);
  return csv(file.text, file.filename);
}

/**
 * Answers one API request: authenticates the token, routes, renders; never throws. Logs the token's
 * name, the path, the status and the duration (never the token, nor the query string that may hold it).
 */
export async function handleApiRequest(ctx: ApiContext, request: ApiRequest): Promise<ApiResponse> {
  const started = Date.now();
  const url = new URL(request.url, 'http://api.invalid');
  let tokenName: string | undefined;
  let response: ApiResponse;
  try {
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'MethodNotAllowed', 'The API is read-only: GET only.', { allow: 'GET, HEAD' });
    if (url.pathname === `${API_PREFIX}openapi.json`) {
      // The description holds no data: served without a token, so Zapier, n8n and editors can read it.
      response = await withGzip(request, json(200, openApiDocument(ctx.deps.config.api.publicUrl)));
    } else {
      const token = presentedToken(request, url);
      if (token === undefined) throw new HttpError(401, 'Unauthorized', 'An API token is needed: Authorization: Bearer <token>, or HTTP Basic with the token as password.', { 'www-authenticate': CHALLENGE });
      const grant = grantForToken(ctx.deps.config, token);
      if (!grant) throw new HttpError(401, 'Unauthorized', 'This API token is not valid.', { 'www-authenticate': CHALLENGE });
      tokenName = grant.via.replace(/^api token /, '');
      response = await withGzip(request, await routeOnce(ctx, request, url, grant));
    }
  } catch (error) {
    if (error instanceof HttpError) response = json(error.status, { error: { code: error.code, message: error.message } }, error.headers);
    else if (error instanceof OfnError) response = json(STATUS_OF[error.code] ?? 400, errorToJson(error), STATUS_OF[error.code] === 503 ? { 'retry-after': '30' } : {});
    else {
      const reference = randomUUID().slice(0, 8);
      ctx.logger.error({ err: error, reference, path: url.pathname }, 'api: unexpected failure');
      response = json(500, { error: { code: 'InternalError', message: `Something went wrong. The team can find it in the log under reference ${reference}.` } });
    }
  }
  const question = url.searchParams.get('q');
  ctx.logger.info(
    { method: request.method, path: url.pathname.slice(0, 200), tokenName: tokenName ?? null, status: response.status, ms: Date.now() - started, ...(question ? { question: cleanForLog(question).slice(0, 200) } : {}) },
    'api request',
  );
  if (request.method === 'HEAD') return { status: response.status, headers: response.headers, body: '' };
  return response;
}
