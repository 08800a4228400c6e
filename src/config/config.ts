import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { grantFor } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import { isValidTimeZone } from '../core/periods.js';
import { LANGUAGES } from '../core/vocabulary.js';
import { billingPlanSchema, resolveBillingPlan, type BillingPlan } from './billing-plan.js';

/** Words that can't be instance ids because the question parser gives them another meaning. */
export const RESERVED_WORDS = ['all', 'by', 'chart', 'public', 'for', 'help', 'as-sent'];

const instanceSchema = z.strictObject({
  name: z.string().min(1),
  replica: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL (a read-only replica)'),
  timezone: z.string().refine(isValidTimeZone, 'an IANA time zone such as Europe/Madrid'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code such as EUR'),
  locale: z.string().default('en-GB'),
  /** The language its answers, help and errors are in (en, es, ca, fr, de); default from the locale (es-ES → es). A Slack user's own locale overrides it. */
  language: z.enum(LANGUAGES).optional(),
  /** Public base URL of the OFN instance, for links to shop pages. */
  url: z.url().optional(),
  /** PostgreSQL schema holding the OFN tables (OFN uses public). */
  schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
  statementTimeoutSeconds: z.number().positive().max(300).default(25),
  poolSize: z.number().int().min(1).max(20).default(4),
  /** Answers from a replica lagging more than this carry a "data as of HH:MM" note. */
  staleAfterSeconds: z.number().positive().default(600),
  /** How this instance charges its shops each month (docs/billing.md). */
  billing: billingPlanSchema.optional(),
});

const accessSchema = z
  .strictObject({
    channel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD (ids survive renames; names do not)').optional(),
    user: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0456EFGH').optional(),
    instances: z.array(z.string()).min(1, 'at least one instance id, or "*"'),
    billing: z.boolean().default(false),
    admin: z.boolean().default(false),
  })
  .refine((rule) => (rule.channel === undefined) !== (rule.user === undefined), 'exactly one of channel or user');

const watchSchema = z.strictObject({
  event: z.enum(['new-profiles', 'new-shops']),
  instance: z.string(),
  channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD'),
});

/** Names of API tokens and webhooks: shown in logs and messages instead of the secret. */
const credentialName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a name such as zapier-katuma (letters, digits, - _ .)');

/** An HTTP API token (docs/api.md): an audience, like a channel, with its instances and billing. */
const apiTokenSchema = z.strictObject({
  name: credentialName,
  /** The secret itself, from the environment: `${KATUMA_API_TOKEN}`. */
  token: z.string().min(24, 'at least 24 characters: generate one with `openssl rand -hex 24`'),
  instances: z.array(z.string()).min(1, 'at least one instance id, or "*"'),
  billing: z.boolean().default(false),
});

const apiSchema = z.strictObject({
  tokens: z.array(apiTokenSchema).default([]),
  /** The public base URL of the API (https://insights.example.org), for `next` links; default: from the request's Host. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** An identical request (same token, URL, format) this soon after an answer gets that answer again: polling clients don't stampede the replica. */
  reuseSeconds: z.number().min(0).max(300).default(5),
});

export const WEBHOOK_EVENTS = ['new-shop', 'new-profile', 'billing.closed'] as const;

/** An outgoing webhook, signed as the Standard Webhooks specification says (docs/api.md). */
const webhookSchema = z.strictObject({
  name: credentialName,
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
  /** `whsec_` and the base64 of at least 24 random bytes (Standard Webhooks). */
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'a Standard Webhooks secret: whsec_ then the base64 of 24 to 64 random bytes (`echo whsec_$(openssl rand -base64 32)`)'),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, `at least one of ${WEBHOOK_EVENTS.join(', ')}`),
  instances: z.array(z.string()).min(1, 'at least one instance id, or "*"'),
});

/** A dashboard's name: what `/ofn dashboard <name>` and `pulse add dashboard <name>` type. */
export const DASHBOARD_NAME = /^[a-z][a-z0-9-]{0,40}$/;
/** Words that follow `dashboard` as commands, so no dashboard may be called so. */
export const DASHBOARD_RESERVED = ['add', 'list', 'remove'] as const;
/** Slack allows 50 blocks per message: a dashboard holds at most this many questions. */
export const DASHBOARD_MAX_QUESTIONS = 12;

/** A named dashboard (docs/dashboards.md): questions asked together and posted as one message. */
const dashboardSchema = z.strictObject({
  title: z.string().min(1).max(140),
  questions: z.array(z.string().trim().min(1).max(500)).min(1, 'at least one question').max(DASHBOARD_MAX_QUESTIONS, `at most ${DASHBOARD_MAX_QUESTIONS} questions (Slack's 50 blocks per message)`),
});

/** The App Home tab: instances shown to everyone who opens it (on top of their user rules) and how long its figures are kept. */
const homeSchema = z.strictObject({
  instances: z.array(z.string()).default([]),
  cacheSeconds: z.number().min(0).max(86_400).default(600),
});

const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code such as EUR');
const rate = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, 'a positive decimal')]).transform(String);

const configSchema = z.strictObject({
  /** Currency of totals across instances; needs exchangeRates for every other currency. */
  reportingCurrency: currencyCode.optional(),
  /** {AUD: 0.6}: 1 AUD is worth 0.6 of the reporting currency; or per month {"2026-10": {AUD: 0.61}}. */
  exchangeRates: z.record(z.string(), z.union([rate, z.record(currencyCode, rate)])).default({}),
  /** Per-instance deadline when a question runs on several instances. */
  fanOutTimeoutSeconds: z.number().positive().max(120).default(10),
  fanOutConcurrency: z.number().int().min(1).max(32).default(8),
  /** Custom segments and metrics from the closed vocabulary (docs/definitions.md); validated by the registry. */
  segments: z.record(z.string(), z.unknown()).default({}),
  metrics: z.record(z.string(), z.unknown()).default({}),
  /** Announcements set in config (also settable with /ofn watch). */
  watches: z.array(watchSchema).default([]),
  /** How often watchers poll each watched replica. */
  watchIntervalSeconds: z.number().min(1).max(3600).default(15),
  /** Who may ask what in Slack. Secure by default: nobody not listed gets data. */
  access: z.array(accessSchema).default([]),
  /** The HTTP API's tokens (docs/api.md). */
  api: apiSchema.default({ tokens: [], reuseSeconds: 5 }),
  /** Signed HTTP posts of new shops, new profiles and closed bills (docs/api.md). */
  webhooks: z.array(webhookSchema).default([]),
  /** Named dashboards (docs/dashboards.md); admins add more from Slack. */
  dashboards: z
    .record(z.string().regex(DASHBOARD_NAME, 'a lower-case name such as katuma-monthly').refine((name) => !(DASHBOARD_RESERVED as readonly string[]).includes(name), `a name that is not ${DASHBOARD_RESERVED.join(', ')}`), dashboardSchema)
    .default({}),
  /** The App Home tab (docs/dashboards.md). */
  home: homeSchema.default({ instances: [], cacheSeconds: 600 }),
  /** Where failures that would otherwise pass silently are reported (docs/operations.md). */
  opsChannel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD').optional(),
  /** A replica unreachable this long gets a notice in opsChannel (once per outage, and once when it is back). */
  replicaDownNoticeSeconds: z.number().min(10).max(86_400).default(300),
  instances: z
    .record(
      z
        .string()
        .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a lower-case id such as katuma')
        .refine((id) => !RESERVED_WORDS.includes(id), `an id that is not one of ${RESERVED_WORDS.join(', ')}`),
      instanceSchema,
    )
    .refine((r) => Object.keys(r).length > 0, 'at least one instance'),
});

export type InstanceConfig = Readonly<Omit<z.infer<typeof instanceSchema>, 'billing'> & { id: string; billing?: BillingPlan }>;
export type AccessRule = Readonly<z.infer<typeof accessSchema>>;
export type ApiToken = Readonly<z.infer<typeof apiTokenSchema>>;
export type Webhook = Readonly<z.infer<typeof webhookSchema>>;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export type DashboardConfig = Readonly<{ title: string; questions: readonly string[] }>;
/** The validated configuration file; `Config` (installation.ts) adds the registry built from it. */
export interface Settings {
  readonly instances: ReadonlyMap<string, InstanceConfig>;
  readonly access: readonly AccessRule[];
  /** API tokens: each an audience with its own grant (core/access.ts `grantForToken`). */
  readonly api: { readonly tokens: readonly ApiToken[]; readonly publicUrl?: string; readonly reuseSeconds: number };
  readonly webhooks: readonly Webhook[];
  /** Dashboards written in the config, by name (more live in the state store). */
  readonly dashboards: ReadonlyMap<string, DashboardConfig>;
  /** The App Home tab: instances everyone sees there, and how long its figures are cached. */
  readonly home: { readonly instances: readonly string[]; readonly cacheSeconds: number };
  readonly opsChannel?: string;
  readonly replicaDownNoticeSeconds: number;
  readonly watches: readonly Readonly<z.infer<typeof watchSchema>>[];
  readonly watchIntervalSeconds: number;
  readonly reportingCurrency?: string;
  /** Flat rates by currency, and rates by month (YYYY-MM) then currency; decimal strings. */
  readonly exchangeRates: { flat: Readonly<Record<string, string>>; monthly: Readonly<Record<string, Readonly<Record<string, string>>>> };
  readonly fanOutTimeoutSeconds: number;
  readonly fanOutConcurrency: number;
  /** Custom segments and metrics as written (shapes checked by the registry, which installation.ts builds). */
  readonly definitions: { readonly segments: Readonly<Record<string, unknown>>; readonly metrics: Readonly<Record<string, unknown>> };
  /** Where the config came from, for messages. */
  readonly source: string;
}

/** Replaces ${VAR} in every string of the parsed YAML; secrets stay in the environment. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw new OfnError('ConfigInvalid', `${path.join('.')}: environment variable ${name} is not set`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, [...path, k])]));
  }
  return value;
}

function describeIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(top level)';
    return `  ${path}: ${issue.message}`;
  });
  return `Invalid configuration in ${source}:\n${lines.join('\n')}`;
}

/** Validates an already-parsed config document. Throws ConfigInvalid naming each bad field. */
export function parseSettings(document: unknown, env: NodeJS.ProcessEnv = process.env, source = 'configuration'): Settings {
  const invalid = (path: string, message: string) => new OfnError('ConfigInvalid', `Invalid configuration in ${source}:\n  ${path}: ${message}`);
  const expanded = expandEnv(document ?? {}, env, []);
  // `__proto__` as a YAML key is an own property that zod's record silently drops ("at least one
  // instance"): name it instead.
  const rawInstances = (expanded as { instances?: unknown }).instances;
  if (rawInstances && typeof rawInstances === 'object') {
    for (const id of Object.keys(rawInstances)) {
      if (['__proto__', 'constructor', 'prototype'].includes(id)) throw invalid(`instances.${id}`, 'a lower-case id such as katuma (not a JavaScript reserved name)');
    }
  }
  const result = configSchema.safeParse(expanded);
  if (!result.success) throw new OfnError('ConfigInvalid', describeIssues(result.error, source));
  const instances = new Map<string, InstanceConfig>();
  for (const [id, instance] of Object.entries(result.data.instances)) {
    const { billing, ...rest } = instance;
    instances.set(id, Object.freeze({ ...rest, id, ...(billing ? { billing: resolveBillingPlan(billing) } : {}) }));
  }
  const known = `known: ${[...instances.keys()].join(', ')}`;
  const checkIds = (path: string, ids: readonly string[]) => {
    for (const id of ids) if (id !== '*' && !instances.has(id)) throw invalid(path, `unknown instance ${id} (${known}, or "*")`);
  };
  result.data.access.forEach((rule, i) => checkIds(`access.${i}.instances`, rule.instances));
  result.data.watches.forEach((watch, i) => {
    if (!instances.has(watch.instance)) throw invalid(`watches.${i}.instance`, `unknown instance ${watch.instance} (${known})`);
  });
  // Announcements and billing posts set in the config go through the same access decision as
  // everything else: a channel gets them only if an access rule lets it see that instance.
  const partial = { instances, access: result.data.access };
  result.data.watches.forEach((watch, i) => {
    if (!grantFor(partial, { userId: '', channelId: watch.channel })?.instances.has(watch.instance)) {
      throw invalid(`watches.${i}.channel`, `${watch.channel} may not see ${watch.instance}; add an access rule \`- channel: ${watch.channel}\` with \`instances: [${watch.instance}]\``);
    }
  });
  for (const [id, instance] of instances) {
    const channel = instance.billing?.channel;
    if (!channel) continue;
    const grant = grantFor(partial, { userId: '', channelId: channel });
    if (!grant?.instances.has(id) || !grant.billing) {
      throw invalid(`instances.${id}.billing.channel`, `${channel} may not see ${id}'s billing; add an access rule \`- channel: ${channel}\` with \`instances: [${id}]\` and \`billing: true\``);
    }
  }
  // API tokens and webhooks: known instances, names and token values used once each.
  for (const [path, list] of [['api.tokens', result.data.api.tokens], ['webhooks', result.data.webhooks]] as const) {
    const names = new Set<string>();
    list.forEach((entry, i) => {
      if (names.has(entry.name)) throw invalid(`${path}.${i}.name`, `${entry.name} is used twice; names must be unique`);
      names.add(entry.name);
      checkIds(`${path}.${i}.instances`, entry.instances);
    });
  }
  const values = new Set<string>();
  // The value is never echoed: the message names the token by its name only.
  result.data.api.tokens.forEach((token, i) => {
    if (values.has(token.token)) throw invalid(`api.tokens.${i}.token`, `${token.name} has the same value as another token; give each client its own`);
    values.add(token.token);
  });
  result.data.home.instances.forEach((id, i) => checkIds(`home.instances.${i}`, [id]));
  const flat: Record<string, string> = {};
  const monthly: Record<string, Record<string, string>> = {};
  for (const [key, value] of Object.entries(result.data.exchangeRates)) {
    if (typeof value === 'string') {
      if (!/^[A-Z]{3}$/.test(key)) throw invalid(`exchangeRates.${key}`, 'a currency code (AUD) or a month (2026-10) with rates under it');
      flat[key] = value;
    } else {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(key)) throw invalid(`exchangeRates.${key}`, 'a month as YYYY-MM');
      monthly[key] = value as Record<string, string>;
    }
  }
  return Object.freeze({
    ...(result.data.reportingCurrency ? { reportingCurrency: result.data.reportingCurrency } : {}),
    exchangeRates: Object.freeze({ flat, monthly }),
    fanOutTimeoutSeconds: result.data.fanOutTimeoutSeconds,
    fanOutConcurrency: result.data.fanOutConcurrency,
    definitions: Object.freeze({ segments: result.data.segments, metrics: result.data.metrics }),
    instances,
    access: Object.freeze(result.data.access.map((r) => Object.freeze(r))),
    api: Object.freeze({ tokens: Object.freeze(result.data.api.tokens.map((t) => Object.freeze(t))), reuseSeconds: result.data.api.reuseSeconds, ...(result.data.api.publicUrl ? { publicUrl: result.data.api.publicUrl.replace(/\/$/, '') } : {}) }),
    webhooks: Object.freeze(result.data.webhooks.map((w) => Object.freeze(w))),
    dashboards: new Map(Object.entries(result.data.dashboards).map(([name, d]) => [name, Object.freeze({ title: d.title, questions: Object.freeze([...d.questions]) })])),
    home: Object.freeze({ instances: Object.freeze(result.data.home.instances.includes('*') ? [...instances.keys()] : [...new Set(result.data.home.instances)]), cacheSeconds: result.data.home.cacheSeconds }),
    ...(result.data.opsChannel ? { opsChannel: result.data.opsChannel } : {}),
    replicaDownNoticeSeconds: result.data.replicaDownNoticeSeconds,
    watches: Object.freeze(result.data.watches.map((w) => Object.freeze(w))),
    watchIntervalSeconds: result.data.watchIntervalSeconds,
    source,
  });
}

/** The config file to use: --config, else $OFN_INSIGHTS_CONFIG, else ./ofn-insights.yml; undefined when none exists. */
export function findConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) return explicit;
  if (env.OFN_INSIGHTS_CONFIG) return env.OFN_INSIGHTS_CONFIG;
  return existsSync('ofn-insights.yml') ? 'ofn-insights.yml' : undefined;
}

/** Reads and parses a YAML config file (validation is parseSettings's). */
export function readConfigDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OfnError('ConfigInvalid', `Cannot read configuration file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new OfnError('ConfigInvalid', `${file} is not valid YAML: ${(error as Error).message}`);
  }
}
