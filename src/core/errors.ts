import { t, type Language, type MessageKey } from './i18n.js';

export type MessageValues = Record<string, string | number>;

/**
 * Domain errors: each has a string-literal `code` so a transport boundary (CLI, Slack) can turn it into a
 * helpful answer. Anything that is not an OfnError is unexpected and gets a generic reply plus a log line.
 */
export type OfnErrorCode =
  | 'UnknownQuestion'
  | 'UnknownInstance'
  | 'BadPeriod'
  | 'BadArguments'
  | 'ConfigInvalid'
  | 'ReplicaUnavailable'
  | 'ReplicaTimeout'
  | 'SchemaMismatch'
  | 'AccessDenied'
  | 'NotFound';

export class OfnError extends Error {
  readonly code: OfnErrorCode;
  /** Extra lines shown to the user under the message (usage, accepted forms). */
  readonly hint?: string;
  /** The message and hint in the catalogs (core/messages), for a face that answers in another language. */
  readonly text?: { key: MessageKey; values?: MessageValues; hint?: MessageKey };
  constructor(code: OfnErrorCode, message: string, hint?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'OfnError';
    this.code = code;
    if (hint !== undefined) this.hint = hint;
  }

  /** An error whose message (and hint, with the same values) come from the catalogs: `message` is the English one, as logs and tests read it. */
  static say(code: OfnErrorCode, key: MessageKey, values?: MessageValues, hint?: MessageKey, cause?: unknown): OfnError {
    const error = new OfnError(code, t('en', key, values), hint ? t('en', hint, values) : undefined, cause);
    (error as { text?: OfnError['text'] }).text = { key, ...(values ? { values } : {}), ...(hint ? { hint } : {}) };
    return error;
  }
}

/** What the person reads: the error in `lang` when the catalogs have it, else as it was written (English). */
export function errorWords(error: OfnError, lang: Language = 'en'): { message: string; hint?: string } {
  if (!error.text || lang === 'en') return { message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return { message: t(lang, error.text.key, error.text.values), ...(error.text.hint ? { hint: t(lang, error.text.hint, error.text.values) } : error.hint ? { hint: error.hint } : {}) };
}

/** Errors caused by what the user typed (exit code 2 on the CLI); the rest are the environment's fault. */
export function isUserError(error: unknown): error is OfnError {
  return (
    error instanceof OfnError &&
    ['UnknownQuestion', 'UnknownInstance', 'BadPeriod', 'BadArguments', 'AccessDenied', 'NotFound', 'ConfigInvalid'].includes(error.code)
  );
}
