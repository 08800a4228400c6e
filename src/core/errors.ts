import { t, type Language, type MessageKey, type MessageValues } from './i18n.js';

export type { MessageValues };

/**
 * An error's words in the catalogs: its message and hint (with the same values); `prefix` is data put
 * before the message as is (the question a dashboard could not add); `details` are other errors'
 * words joined as the value `{details}` in each language (the instances that did not answer).
 */
export interface ErrorText {
  key: MessageKey;
  values?: MessageValues;
  hint?: MessageKey;
  prefix?: string;
  details?: readonly Said[];
}

/** Something said to a person in English (`message`) with, when the catalogs have it, its words (`text`). */
export interface Said {
  name?: string;
  message: string;
  text?: ErrorText;
}

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
  readonly text?: ErrorText;
  constructor(code: OfnErrorCode, message: string, hint?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'OfnError';
    this.code = code;
    if (hint !== undefined) this.hint = hint;
  }

  /** An error whose message (and hint, with the same values) come from the catalogs: `message` is the English one, as logs and tests read it. */
  static say(code: OfnErrorCode, key: MessageKey, values?: MessageValues, hint?: MessageKey, cause?: unknown): OfnError {
    return OfnError.of(code, { key, ...(values ? { values } : {}), ...(hint ? { hint } : {}) }, cause);
  }

  /** An error from its words (`say`, with details or a prefix). */
  static of(code: OfnErrorCode, text: ErrorText, cause?: unknown): OfnError {
    const error = new OfnError(code, textIn(text, 'en'), text.hint ? t('en', text.hint, valuesIn(text, 'en')) : undefined, cause);
    (error as { text?: ErrorText }).text = text;
    return error;
  }

  /** The same error with `prefix` (data, e.g. the question at fault) before its message, in every language. */
  static within(prefix: string, error: OfnError): OfnError {
    if (!error.text) return new OfnError(error.code, `${prefix}${error.message}`, error.hint, error);
    return OfnError.of(error.code, { ...error.text, prefix: `${prefix}${error.text.prefix ?? ''}` }, error);
  }
}

function valuesIn(text: ErrorText, lang: Language): MessageValues | undefined {
  if (!text.details) return text.values;
  return { ...text.values, details: text.details.map((d) => `${d.name ? `${d.name}: ` : ''}${saidIn(d, lang)}`).join(' ') };
}

function textIn(text: ErrorText, lang: Language): string {
  return `${text.prefix ?? ''}${t(lang, text.key, valuesIn(text, lang))}`;
}

/** Something said (a warning, a dashboard's refusal) in `lang` when the catalogs have it, else as written. */
export function saidIn(said: Said, lang: Language = 'en'): string {
  return said.text && lang !== 'en' ? textIn(said.text, lang) : said.message;
}

/** What the person reads: the error in `lang` when the catalogs have it, else as it was written (English). */
export function errorWords(error: OfnError, lang: Language = 'en'): { message: string; hint?: string } {
  if (!error.text || lang === 'en') return { message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return { message: textIn(error.text, lang), ...(error.text.hint ? { hint: t(lang, error.text.hint, valuesIn(error.text, lang)) } : error.hint ? { hint: error.hint } : {}) };
}

/** Errors caused by what the user typed (exit code 2 on the CLI); the rest are the environment's fault. */
export function isUserError(error: unknown): error is OfnError {
  return (
    error instanceof OfnError &&
    ['UnknownQuestion', 'UnknownInstance', 'BadPeriod', 'BadArguments', 'AccessDenied', 'NotFound', 'ConfigInvalid'].includes(error.code)
  );
}
