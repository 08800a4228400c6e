import { WebClient } from '@slack/web-api';
import pRetry from 'p-retry';
import type { Config } from '../installation.js';
import type { Deps } from '../commands/types.js';
import type { Logger } from '../core/log.js';
import { startJobs, syncConfigWatches, type RunningJobs } from '../jobs/start-jobs.js';
import { ReplicaSet } from '../queries/replica-set.js';
import { registerFonts } from '../render/chart.js';
import { openStateStore, pingState, type StateStore } from '../state/store.js';
import type { SlackContext } from './answer-request.js';
import { userLanguageLookup } from './user-language.js';

/** 'up': open (its jobs running) and answering now; 'down': being retried in the background, or not answering. */
export type StateStoreStatus = 'up' | 'down';

/** Everything that answers and delivers (replicas, state, jobs, Slack clients), without the HTTP side. */
export interface AnswerRuntime {
  /** `ctx.state` is set on this same object once the state store opens (answer-request reads it per request). */
  ctx: SlackContext;
  deps: Deps;
  replicas: ReplicaSet;
  /** For /healthz: a trivial query on the open store, with a short deadline. */
  stateStore(deadlineMs?: number): Promise<StateStoreStatus>;
  close(): Promise<void>;
}

/** How long start-up waits for the first attempt before answering without the store (a dead network path can hang it). */
const FIRST_ATTEMPT_WAIT_MS = 5_000;
const MAX_RETRY_MS = 60_000;

/**
 * Starts answering at once; the state store (pulses, watches, request dedupe, audit) opens when it can.
 * With the state database down at start the bot still answers questions, and retries the store in
 * the background (every OFN_INSIGHTS_STATE_RETRY_MS, default 5 s, doubling to a minute): when it
 * opens, migrations run and the jobs start.
 */
export async function startAnswerRuntime(config: Config, env: NodeJS.ProcessEnv, logger: Logger, botToken: string): Promise<AnswerRuntime> {
  registerFonts();
  const replicas = new ReplicaSet(config, (instance, error) => logger.warn({ instance, err: error.message }, 'replica connection error'));
  const deps: Deps = { config, replica: (id) => replicas.get(id), now: () => new Date() };
  const slackApiUrl = env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {};
  // The outbox handles 429 and retries itself, so its client neither waits nor retries on its own.
  const outboxClient = new WebClient(botToken, { ...slackApiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  // Uploads for answers: bounded retries (the default client retries for ~30 minutes).
  const client = new WebClient(botToken, { ...slackApiUrl, retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 } });
  const ctx: SlackContext = { deps, client, logger, userLanguage: userLanguageLookup(client, logger) };

  let store: StateStore | undefined;
  let jobs: RunningJobs | undefined;
  let closed = false;

  /** One attempt: open (migrations run inside), sync config watches, start the jobs; all or nothing. */
  const open = async () => {
    const opened = await openStateStore({ ...(env.STATE_DATABASE_URL ? { url: env.STATE_DATABASE_URL } : {}), dataDir: env.OFN_INSIGHTS_DATA_DIR ?? 'data' });
    if (closed) return opened.close();
    try {
      await syncConfigWatches(opened.db, config);
      const started = await startJobs({
        state: opened.db,
        deps,
        client: outboxClient,
        logger,
        pollMs: config.watchIntervalSeconds * 1000,
        // Operational knobs (docs/operations.md); the drills shorten them.
        ...(env.OFN_INSIGHTS_OUTBOX_LEASE_SECONDS ? { leaseSeconds: Number(env.OFN_INSIGHTS_OUTBOX_LEASE_SECONDS) } : {}),
        ...(env.OFN_INSIGHTS_OUTBOX_BACKOFF_MS ? { backoffBaseMs: Number(env.OFN_INSIGHTS_OUTBOX_BACKOFF_MS) } : {}),
      });
      if (closed) {
        await started.stop();
        return opened.close();
      }
      store = opened;
      jobs = started;
      ctx.state = opened.db;
    } catch (error) {
      await opened.close().catch(() => undefined);
      throw error;
    }
  };

  let firstAttemptDone: () => void = () => {};
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
  const stopRetrying = new AbortController();
  const loop = pRetry(
    async (attempt) => {
      await open();
      if (!closed) logger.info({ kind: store!.kind, attempt }, attempt === 1 ? 'state store ready' : 'state store ready: pulses, watches and request dedupe resumed');
    },
    {
      retries: Infinity,
      factor: 2,
      minTimeout: Number(env.OFN_INSIGHTS_STATE_RETRY_MS ?? 5_000),
      maxTimeout: MAX_RETRY_MS,
      signal: stopRetrying.signal,
      onFailedAttempt({ error, attemptNumber }) {
        // The message names the failure (refused, no such database, auth); never the URL, which may hold a password.
        if (attemptNumber === 1) logger.warn({ err: error.message }, 'state store unavailable: answering questions, but pulses, watches, request dedupe and the audit log are paused until it opens');
        else logger.warn({ err: error.message, attempt: attemptNumber }, 'state store still unavailable; retrying');
        firstAttemptDone();
      },
    },
  )
    .catch(() => undefined) // stopped by close()
    .finally(firstAttemptDone);

  // When the store answers at once (the usual case) jobs run before the first request is taken, as
  // before; when it does not, answers must not wait for it.
  await Promise.race([firstAttempt, new Promise((resolve) => setTimeout(resolve, FIRST_ATTEMPT_WAIT_MS).unref())]);

  return {
    ctx,
    deps,
    replicas,
    async stateStore(deadlineMs = 1_500) {
      if (!store) return 'down';
      const answered = pingState(store.db).then(() => 'up' as const, () => 'down' as const);
      return Promise.race([answered, new Promise<'down'>((resolve) => setTimeout(() => resolve('down'), deadlineMs).unref())]);
    },
    async close() {
      closed = true;
      stopRetrying.abort();
      // An attempt stuck connecting is not waited for: it closes what it opens when it finishes.
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await jobs?.stop();
      await replicas.closeAll();
      await store?.close();
    },
  };
}
