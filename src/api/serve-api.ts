import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pRetry from 'p-retry';
import type { Deps } from '../commands/types.js';
import { OfnError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Config } from '../installation.js';
import { startJobs, type RunningJobs } from '../jobs/start-jobs.js';
import { ReplicaSet } from '../queries/replica-set.js';
import { openStateStore, type StateStore } from '../state/store.js';
import { handleApiRequest } from './handler.js';
import { apiListener, isApiRequest, keepIdleConnections } from './http.js';

export interface RunningApi {
  port: number;
  deps: Deps;
  /** The jobs (watchers for the event feed, webhook deliveries) once the state store is open. */
  jobs(): RunningJobs | undefined;
  shutdown(): Promise<void>;
}

/**
 * `ofn-insights api`: the HTTP API alone, for a team without Slack. Same config; no Slack variables.
 * Besides answering, it runs what the API and webhooks need: the watchers (event feed, new-shop and
 * new-profile webhooks), billing.closed on the 1st, and the outbox for webhook deliveries only (Slack
 * messages in a shared ledger are left to a `serve` process). Questions are answered while the state
 * store is down; events wait for it.
 */
export async function serveApi(config: Config, env: NodeJS.ProcessEnv, logger: Logger, options: { now?: () => Date } = {}): Promise<RunningApi> {
  if (config.api.tokens.length === 0) logger.warn('no api.tokens in the config: every request will be refused (401); see docs/api.md');
  const replicas = new ReplicaSet(config, (instance, error) => logger.warn({ instance, err: error.message }, 'replica connection error'));
  const deps: Deps = { config, replica: (id) => replicas.get(id), now: options.now ?? (() => new Date()) };
  let store: StateStore | undefined;
  let jobs: RunningJobs | undefined;
  let closed = false;
  const stopRetrying = new AbortController();
  const opening = pRetry(
    async () => {
      const opened = await openStateStore({ ...(env.STATE_DATABASE_URL ? { url: env.STATE_DATABASE_URL } : {}), dataDir: env.OFN_INSIGHTS_DATA_DIR ?? 'data' });
      if (closed) return opened.close();
      try {
        jobs = await startJobs({
          state: opened.db,
          deps,
          logger,
          pollMs: config.watchIntervalSeconds * 1000,
          ...(env.OFN_INSIGHTS_OUTBOX_BACKOFF_MS ? { backoffBaseMs: Number(env.OFN_INSIGHTS_OUTBOX_BACKOFF_MS) } : {}),
          ...(env.OFN_INSIGHTS_OUTBOX_LEASE_SECONDS ? { leaseSeconds: Number(env.OFN_INSIGHTS_OUTBOX_LEASE_SECONDS) } : {}),
        });
      } catch (error) {
        await opened.close().catch(() => undefined);
        throw error;
      }
      store = opened;
      logger.info({ kind: opened.kind }, 'state store ready: event feed and webhooks running');
    },
    {
      retries: Infinity,
      factor: 2,
      minTimeout: Number(env.OFN_INSIGHTS_STATE_RETRY_MS ?? 5_000),
      maxTimeout: 60_000,
      signal: stopRetrying.signal,
      onFailedAttempt: ({ error, attemptNumber }) => logger.warn({ err: error.message, attempt: attemptNumber }, 'state store unavailable: answering, but events and webhooks wait for it'),
    },
  ).catch(() => undefined);
  await Promise.race([opening, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);

  const api = apiListener((request) => handleApiRequest({ deps, state: store?.db, logger }, request), logger);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (isApiRequest(req)) return api(req, res);
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', stateStore: store ? 'up' : 'down' }));
      return;
    }
    req.resume();
    res.writeHead(404).end();
  });
  keepIdleConnections(server);
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new OfnError('ConfigInvalid', `PORT must be a port number, not ${JSON.stringify(env.PORT)}.`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, env.HOST || undefined, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  logger.info({ port: bound, tokens: config.api.tokens.map((t) => t.name), webhooks: config.webhooks.map((w) => w.name) }, 'ofn-insights serving /api/v1');
  return {
    port: bound,
    deps,
    jobs: () => jobs,
    async shutdown() {
      closed = true;
      stopRetrying.abort();
      // Stop taking connections; answers in flight finish (closeIdleConnections drops keep-alive ones waiting).
      const closing = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
      await jobs?.stop();
      await replicas.closeAll();
      await store?.close();
      logger.info('stopped');
    },
  };
}
