/**
 * `GET /api/v1/openapi.json`: the API described as OpenAPI 3.1 (JSON Schema 2020-12). test/api.test.ts
 * validates the real responses of every endpoint against these schemas, so they cannot drift apart.
 * Schemas name what clients rely on and allow more (answers gain fields, such as `total`, over time).
 */

const money = { type: 'number', description: 'Rounded to cents (the exact decimal text is in the CSV).' };
const decimal = { type: 'string', pattern: '^-?\\d+\\.\\d{2}$', description: 'Exact decimal text, two decimals: "9.31".' };
const nullableNumber = { type: ['number', 'null'] };
const month = { type: 'string', pattern: '^\\d{4}-\\d{2}$' };

const period = {
  type: 'object',
  required: ['from', 'to', 'timezone', 'label'],
  properties: {
    from: { type: ['string', 'null'], description: 'Local midnight as ISO 8601 with offset; null for "as of now" counts.' },
    to: { type: 'string', description: 'Exclusive end, ISO 8601 with offset.' },
    timezone: { type: 'string' },
    label: { type: 'string' },
  },
};

const answerCommon = {
  unit: { type: 'string', description: 'A currency (ISO 4217) or "count".' },
  instance: { type: 'string' },
  period,
  question: { type: 'string' },
  title: { type: 'string' },
};

/** `{data, next}` (paginate=1): a page of `item`s and the URL of the next page, or null. */
const pageOf = (item: string) => ({
  type: 'object',
  additionalProperties: false,
  required: ['data', 'next'],
  properties: { data: { type: 'array', items: { $ref: `#/components/schemas/${item}` } }, next: { type: ['string', 'null'], format: 'uri' } },
});

const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } } },
  },
  ScalarAnswer: { type: 'object', required: ['value', 'unit', 'instance', 'period', 'question'], properties: { value: nullableNumber, ...answerCommon } },
  BreakdownAnswer: {
    type: 'object',
    required: ['rows', 'unit', 'instance', 'period', 'question'],
    properties: { rows: { type: 'array', items: { type: 'object' } }, ...answerCommon },
  },
  GlobalAnswer: {
    type: 'object',
    required: ['question', 'unit', 'rows', 'warnings'],
    properties: { question: { type: 'string' }, unit: { enum: ['money', 'count'] }, rows: { type: 'array', items: { type: 'object', required: ['instance'] } }, warnings: { type: 'array' } },
  },
  Growth: { type: 'object', required: ['question', 'rows', 'warnings'], properties: { question: { type: 'string' }, rows: { type: 'array' }, warnings: { type: 'array' } } },
  Help: { type: 'object', required: ['help'], properties: { help: { type: 'object', required: ['title', 'lines'] } } },
  Answer: {
    description: 'Exactly what `ofn-insights ask --format json "<q>"` prints.',
    anyOf: [{ $ref: '#/components/schemas/ScalarAnswer' }, { $ref: '#/components/schemas/BreakdownAnswer' }, { $ref: '#/components/schemas/GlobalAnswer' }, { $ref: '#/components/schemas/Growth' }, { $ref: '#/components/schemas/Billing' }, { $ref: '#/components/schemas/BillingAll' }, { $ref: '#/components/schemas/Help' }],
  },
  Billing: {
    description: 'Exactly what `ofn-insights ask --format json "billing <instance> <YYYY-MM>"` prints (docs/billing.md).',
    type: 'object',
    required: ['instance', 'month', 'currency', 'plan', 'rows', 'totals'],
    properties: {
      instance: { type: 'string' },
      month,
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      provisional: { type: 'boolean', description: 'The month is not over: a bill to date, not an invoice.' },
      plan: {
        description: 'The plan used (docs/billing.md), decimals as strings; null when shown as sent by a post older than stored plans.',
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            required: ['name', 'kind', 'minimum_turnover', 'tax_rate', 'trial_days', 'group_by'],
            properties: {
              name: { type: ['string', 'null'] },
              kind: { enum: ['rate', 'tiers'] },
              minimum_turnover: { type: 'string' },
              fixed: { type: 'string' },
              rate: { type: 'string' },
              cap: { type: ['string', 'null'] },
              tiers: { type: 'array', items: { type: 'object', required: ['up_to', 'charge'], properties: { up_to: { type: ['string', 'null'] }, charge: { type: 'string' } } } },
              tax_rate: { type: 'string' },
              trial_days: { type: 'integer' },
              group_by: { type: ['string', 'null'] },
            },
          },
        ],
      },
      rows: {
        type: 'array',
        items: {
          type: 'object',
          required: ['enterprise_id', 'name', 'turnover', 'orders', 'charge', 'tax', 'total', 'status'],
          properties: { enterprise_id: { type: 'integer' }, name: { type: 'string' }, turnover: money, orders: { type: 'integer' }, charge: money, tax: money, total: money, status: { enum: ['billed', 'trial', 'below_minimum'] } },
        },
      },
      totals: { type: 'object', required: ['turnover', 'charge', 'tax', 'total'], properties: { turnover: money, charge: money, tax: money, total: money } },
      sent_at: { type: 'string', description: 'Shown as the monthly post sent it (as-sent).' },
      changes_since_sent: { type: 'array', items: { type: 'object' } },
    },
  },
  BillingAll: {
    description: 'Exactly what `ofn-insights ask --format json "billing all [YYYY-MM]"` prints: each instance as Billing, and a total in the reporting currency.',
    type: 'object',
    required: ['month', 'instances', 'total', 'warnings'],
    properties: {
      month: { type: ['string', 'null'] },
      instances: { type: 'array', items: { $ref: '#/components/schemas/Billing' } },
      total: { type: 'object', required: ['value', 'currency', 'partial', 'rates'], properties: { value: { type: ['number', 'null'] }, currency: { type: ['string', 'null'] }, partial: { type: 'boolean' }, rates: { type: 'array' } } },
      warnings: { type: 'array' },
    },
  },
  BillingLine: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'instance', 'month', 'enterprise_id', 'external_billing_id', 'name', 'currency', 'turnover', 'orders', 'charge', 'tax', 'total', 'status', 'provisional', 'revision'],
    properties: {
      id: { type: 'string', description: '`<instance>:<YYYY-MM>:<line key>`, the key being the external billing id on a grouped line, else the enterprise id. Stable across calls and restarts.' },
      instance: { type: 'string' },
      month,
      enterprise_id: { type: 'integer', description: 'The enterprise, or the smallest member id of a group.' },
      external_billing_id: { type: ['string', 'null'] },
      name: { type: 'string' },
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      turnover: decimal,
      orders: { type: 'integer' },
      charge: decimal,
      tax: decimal,
      total: decimal,
      status: { enum: ['billed', 'trial', 'below_minimum'] },
      provisional: { type: 'boolean' },
      revision: { type: 'string', description: 'Changes when the line’s figures change (a late cancellation in a closed month); compare with the one you invoiced.' },
    },
  },
  BillingLinesPage: pageOf('BillingLine'),
  Event: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'type', 'instance', 'enterprise_id', 'name', 'category', 'created_at', 'detected_at'],
    properties: {
      id: { type: 'string', description: '`<instance>:<enterprise id>:<type>`, the watch ledger’s key without the watch.' },
      type: { enum: ['new-shop', 'new-profile'] },
      instance: { type: 'string' },
      enterprise_id: { type: 'integer' },
      name: { type: 'string' },
      category: { type: 'string', description: 'OFN’s category: Hub Shop, Producer Shop, Profile …' },
      created_at: { type: 'string', description: 'The enterprise’s creation, ISO 8601 UTC.' },
      detected_at: { type: 'string', description: 'When ofn-insights first saw it as this event.' },
    },
  },
  EventsPage: pageOf('Event'),
  WebhookBody: {
    description: 'What a webhook receives (POST, JSON), signed as the Standard Webhooks specification says.',
    type: 'object',
    required: ['type', 'timestamp', 'data'],
    properties: { type: { enum: ['new-shop', 'new-profile', 'billing.closed'] }, timestamp: { type: 'string' }, data: { type: 'object' } },
  },
};

/** The error responses every path gives. */
const errors = Object.fromEntries(
  Object.entries({ 400: 'Bad question or parameter', 401: 'Missing or unknown token', 403: 'The token may not see this instance, or billing', 404: 'No such instance or endpoint', 503: 'A replica or the state store is not answering' }).map(
    ([status, description]) => [status, { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }],
  ),
);

const csvContent = { 'text/csv': { schema: { type: 'string' } } };
const ok = (schema: object, description: string) => ({ '200': { description, content: { 'application/json': { schema }, ...csvContent } } });
const query = (name: string, description: string, schema: object = { type: 'string' }, required = false) => ({ name, in: 'query', required, description, schema });
const paginate = query('paginate', '1 wraps the array as {data, next} (n8n); page and per_page choose the page.', { enum: ['1'] });
const page = query('page', 'With paginate=1: the page, from 1.', { type: 'integer', minimum: 1 });
const perPage = query('per_page', 'With paginate=1: items per page (default 100).', { type: 'integer', minimum: 1, maximum: 1000 });

/** The document; `publicUrl` (config `api.publicUrl`) becomes its server. */
export function openApiDocument(publicUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ofn-insights API',
      version: '1.0.0',
      description:
        'Figures and monthly bills of Open Food Network instances, for Zapier, n8n, spreadsheets and accounting tools. Every path also answers CSV: add `.csv` or send `Accept: text/csv`. Guide: docs/api.md.',
    },
    servers: [{ url: publicUrl ?? '/' }],
    security: [{ bearer: [] }, { basic: [] }, { queryToken: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <token>' },
        basic: { type: 'http', scheme: 'basic', description: 'HTTP Basic with the token as password (any user name).' },
        queryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'For spreadsheets (IMPORTDATA), which cannot send headers. Use a token that sees only what the sheet needs.' },
      },
      schemas,
    },
    paths: {
      '/api/v1/answers': {
        get: {
          operationId: 'answer',
          summary: 'Any question the CLI answers, as `ask --format json|csv` prints it',
          parameters: [query('q', 'The question, e.g. `turnover katuma last-month`', { type: 'string', minLength: 1 }, true)],
          responses: { ...ok({ $ref: '#/components/schemas/Answer' }, 'The answer'), ...errors },
        },
      },
      '/api/v1/billing/{instance}/{month}': {
        get: {
          operationId: 'billing',
          summary: 'A month’s bill, as `ask --format json "billing <instance> <YYYY-MM>"` prints it',
          parameters: [
            { name: 'instance', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'month', in: 'path', required: true, schema: month },
          ],
          responses: { ...ok({ $ref: '#/components/schemas/Billing' }, 'The bill'), ...errors },
        },
      },
      '/api/v1/billing-lines': {
        get: {
          operationId: 'billingLines',
          summary: 'Bill lines for polling triggers, newest month first; without month, the last three closed months',
          parameters: [query('instance', 'Instance id', { type: 'string' }, true), query('month', 'YYYY-MM', month), paginate, page, perPage],
          responses: { ...ok({ oneOf: [{ type: 'array', items: { $ref: '#/components/schemas/BillingLine' } }, { $ref: '#/components/schemas/BillingLinesPage' }] }, 'The lines (an array), or a page of them with paginate=1'), ...errors },
        },
      },
      '/api/v1/events': {
        get: {
          operationId: 'events',
          summary: 'New shops and new profiles as a polling feed, newest first',
          parameters: [query('instance', 'Instance id', { type: 'string' }, true), query('type', 'Only this type', { enum: ['new-shop', 'new-profile'] }), query('limit', 'At most this many (default 100)', { type: 'integer', minimum: 1, maximum: 1000 }), paginate, page, perPage],
          responses: { ...ok({ oneOf: [{ type: 'array', items: { $ref: '#/components/schemas/Event' } }, { $ref: '#/components/schemas/EventsPage' }] }, 'The events (an array), or a page of them with paginate=1'), ...errors },
        },
      },
      '/api/v1/openapi.json': {
        get: { operationId: 'openapi', summary: 'This document (no token needed)', security: [], responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
    },
    webhooks: {
      webhook: {
        post: {
          summary: 'new-shop, new-profile (data: an Event) and billing.closed (data: {instance, month, currency, provisional, totals, lines: BillingLine[]})',
          parameters: [
            { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' }, description: 'The same on every retry: deduplicate on it.' },
            { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string' }, description: 'Unix seconds of this attempt.' },
            { name: 'webhook-signature', in: 'header', required: true, schema: { type: 'string' }, description: 'v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">, keyed with the base64-decoded secret after whsec_.' },
          ],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookBody' } } } },
          responses: { '200': { description: 'Any 2xx: received. 410: disable this webhook. 5xx or no answer in 10 s: retried for 24 h.' } },
        },
      },
    },
  };
}
