import { WebClient } from '@slack/web-api';
import type { Config } from '../config/config.js';
import type { Deps } from '../commands/types.js';
import type { Logger } from '../core/log.js';
import { startJobs, syncConfigWatches, type RunningJobs } from '../jobs/runtime.js';
import { ReplicaSet } from '../queries/replica-set.js';
import { registerFonts } from '../render/chart.js';
import { openStateStore, type StateStore } from '../state/store.js';
import type { SlackContext } from './answer-request.js';

/** Everything that answers and delivers (replicas, state, jobs, Slack clients), without the HTTP side. */
export interface AnswerRuntime {
  ctx: SlackContext;
  deps: Deps;
  replicas: ReplicaSet;
  store: StateStore;
  jobs: RunningJobs;
  close(): Promise<void>;
}

export async function startAnswerRuntime(config: Config, env: NodeJS.ProcessEnv, logger: Logger, botToken: string): Promise<AnswerRuntime> {
  registerFonts();
  const replicas = new ReplicaSet(config, (instance, error) => logger.warn({ instance, err: error.message }, 'replica connection error'));
  const deps: Deps = { config, replica: (id) => replicas.get(id), now: () => new Date() };
  const store = await openStateStore({ ...(env.STATE_DATABASE_URL ? { url: env.STATE_DATABASE_URL } : {}), dataDir: env.OFN_INSIGHTS_DATA_DIR ?? 'data' });
  logger.info({ kind: store.kind }, 'state store ready');
  await syncConfigWatches(store.db, config);
  const slackApiUrl = env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {};
  // The outbox handles 429 and retries itself, so its client neither waits nor retries on its own.
  const outboxClient = new WebClient(botToken, { ...slackApiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
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
  // Uploads for answers: bounded retries (the default client retries for ~30 minutes).
  const client = new WebClient(botToken, { ...slackApiUrl, retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 } });
  return {
    ctx: { deps, client, logger, state: store.db },
    deps,
    replicas,
    store,
    jobs,
    async close() {
      await jobs.stop();
      await replicas.closeAll();
      await store.close();
    },
  };
}
