import type { Config } from '../config/config.js';
import { OfnError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { ReplicaSet } from '../queries/replica-set.js';
import { registerFonts } from '../render/chart.js';
import { startSlackServer, type RunningSlackServer } from './server.js';
import { WebClient } from '@slack/web-api';
import { openStateStore } from '../state/store.js';
import { startJobs, syncConfigWatches } from '../jobs/runtime.js';

export interface ServeHandle {
  server: RunningSlackServer;
  shutdown(): Promise<void>;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new OfnError('ConfigInvalid', `${name} is not set. See the README, section "Slack app".`);
  return value;
}

/** Replica reachability with a short deadline each, so /healthz stays fast when one is down. */
export function replicaHealth(config: Config, replicas: ReplicaSet, deadlineMs = 2_000) {
  return async () => {
    const entries = await Promise.all(
      [...config.instances.keys()].map(async (id) => {
        const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), deadlineMs).unref());
        return [id, await Promise.race([replicas.get(id).ping(), timeout])] as const;
      }),
    );
    return Object.fromEntries(entries);
  };
}

/** Everything `ofn-insights serve` starts, from the config and the environment. */
export async function serve(config: Config, env: NodeJS.ProcessEnv = process.env, logger: Logger = createLogger()): Promise<ServeHandle> {
  const botToken = required(env, 'SLACK_BOT_TOKEN');
  const signingSecret = required(env, 'SLACK_SIGNING_SECRET');
  registerFonts();
  const replicas = new ReplicaSet(config, (instance, error) => logger.warn({ instance, err: error.message }, 'replica connection error'));
  const deps = { config, replica: (id: string) => replicas.get(id), now: () => new Date() };
  const store = await openStateStore({
    ...(env.STATE_DATABASE_URL ? { url: env.STATE_DATABASE_URL } : {}),
    dataDir: env.OFN_INSIGHTS_DATA_DIR ?? 'data',
  });
  logger.info({ kind: store.kind }, 'state store ready');
  await syncConfigWatches(store.db, config);
  // The outbox handles 429 and retries itself, so this client neither waits nor retries on its own.
  const outboxClient = new WebClient(botToken, {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
  const jobs = await startJobs({
    state: store.db,
    deps,
    client: outboxClient,
    logger,
    pollMs: config.watchIntervalSeconds * 1000,
    // Operational knobs (docs/operations.md); the drills shorten them.
    ...(env.OFN_INSIGHTS_OUTBOX_LEASE_SECONDS ? { leaseSeconds: Number(env.OFN_INSIGHTS_OUTBOX_LEASE_SECONDS) } : {}),
    ...(env.OFN_INSIGHTS_OUTBOX_BACKOFF_MS ? { backoffBaseMs: Number(env.OFN_INSIGHTS_OUTBOX_BACKOFF_MS) } : {}),
  });
  const server = await startSlackServer({
    deps,
    state: store.db,
    logger,
    botToken,
    signingSecret,
    ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
    port: Number(env.PORT ?? 3000),
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    health: replicaHealth(config, replicas),
  });
  return {
    server,
    async shutdown() {
      logger.info({ inFlight: server.inFlight() }, 'draining answers in flight');
      await server.stop();
      await jobs.stop();
      await replicas.closeAll();
      await store.close();
      logger.info('stopped');
    },
  };
}
