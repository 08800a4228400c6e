import pRetry, { AbortError } from 'p-retry';
import type { Logger } from '../core/log.js';

export interface PostOutcome {
  ok: boolean;
  status: number;
  attempts: number;
}

/** A 429: wait what Slack says before the next attempt (on top of the backoff). */
class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`HTTP 429, retry after ${retryAfterSeconds}s`);
  }
}

/**
 * Posts a message to a slash command's response_url. Slack allows five posts in 30 minutes per URL.
 * p-retry retries 429 after Retry-After, 5xx and network errors with exponential backoff; 4xx other
 * than 429 (expired or used URL) are final. Every failure is logged: nothing is lost silently.
 */
export async function postToResponseUrl(
  url: string,
  payload: Record<string, unknown>,
  logger: Logger,
  options: { attempts?: number; baseDelayMs?: number; maxRetryAfterSeconds?: number } = {},
): Promise<PostOutcome> {
  const attempts = options.attempts ?? 5;
  let status = 0;
  let made = 0;
  try {
    return await pRetry(
      async (attempt) => {
        made = attempt;
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return { ok: true, status, attempts: attempt };
        if (status === 429) throw new RateLimited(Math.min(Number(response.headers.get('retry-after')) || 1, options.maxRetryAfterSeconds ?? 60));
        if (status < 500) throw new AbortError(`HTTP ${status}`);
        throw new Error(`HTTP ${status}`);
      },
      {
        retries: attempts - 1,
        factor: 2,
        minTimeout: options.baseDelayMs ?? 500,
        async onFailedAttempt({ error, attemptNumber }) {
          if (error instanceof RateLimited) {
            logger.warn({ status, retryAfter: error.retryAfterSeconds, attempt: attemptNumber }, 'response_url rate limited; waiting Retry-After');
            await new Promise((resolve) => setTimeout(resolve, error.retryAfterSeconds * 1000));
          } else logger.warn({ err: error.message, attempt: attemptNumber }, 'response_url delivery failed; retrying');
        },
      },
    );
  } catch (error) {
    if (error instanceof AbortError) logger.error({ status, attempt: made }, 'response_url refused the message (expired or used URL?)');
    else logger.error({ status, attempts: made }, 'response_url delivery failed after retries');
    return { ok: false, status, attempts: made };
  }
}
