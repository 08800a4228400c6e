import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import { catalogLanguageOf, type Language } from '../core/i18n.js';
import type { Logger } from '../core/log.js';

/** How long a user's language is kept before Slack is asked again (someone may change their language). */
const KEEP_MS = 3_600_000;

/** The lookup, and what it already knows without asking Slack (`cached`: for an ack that may not wait). */
export type UserLanguageLookup = ((userId: string) => Promise<Language | undefined>) & { cached(userId: string): Language | undefined };

/**
 * The reader's language from their Slack locale (`users.info` with `include_locale`, scope
 * `users:read`), for answers only they see (ephemeral). One call per user per hour at most, and one at a
 * time per user. Undefined when Slack will not say (the scope missing, the call failing) or the locale is
 * in a language without catalogs: the answer is then in the instance's language, as before.
 */
export function userLanguageLookup(client: WebClient, logger: Logger): UserLanguageLookup {
  let warned = false;
  const cache = new LRUCache<string, { language: Language | 'none' }>({
    max: 5_000,
    ttl: KEEP_MS,
    fetchMethod: async (userId) => {
      try {
        const result = (await client.users.info({ user: userId, include_locale: true })) as { user?: { locale?: string } };
        return { language: catalogLanguageOf(result.user?.locale) ?? 'none' };
      } catch (error) {
        if (!warned) {
          warned = true;
          logger.warn({ err: (error as Error).message }, 'users.info refused: answers use each instance’s language (add the users:read scope for the reader’s own)');
        }
        return { language: 'none' };
      }
    },
  });
  const known = (found: { language: Language | 'none' } | undefined) => (found && found.language !== 'none' ? found.language : undefined);
  return Object.assign(async (userId: string) => known(await cache.fetch(userId)), { cached: (userId: string) => known(cache.peek(userId)) });
}
