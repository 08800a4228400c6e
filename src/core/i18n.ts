import { IntlMessageFormat } from 'intl-messageformat';
import { DateTime } from 'luxon';
import { ca } from './messages/ca.js';
import { de } from './messages/de.js';
import { en, type Catalog, type MessageKey } from './messages/en.js';
import { es } from './messages/es.js';
import { fr } from './messages/fr.js';
import { LANGUAGES, type Language } from './vocabulary.js';
import { cached } from './memo.js';

export { LANGUAGES, type Language, type MessageKey };

/**
 * What a person reads, in their language: one catalog per language (core/messages/<lang>.ts), ICU
 * MessageFormat through intl-messageformat (plurals and ordinals by the language's CLDR rules).
 * Adding a language is adding its catalog here and its question words in core/vocabulary.ts.
 */
export const CATALOGS: Readonly<Record<Language, Catalog>> = { en, es, ca, fr, de };

const compiled = new Map<string, IntlMessageFormat>();

/** One catalog message compiled; `<question>` in a message is text, not a tag (our messages have no markup). */
export function compileMessage(message: string, lang: Language): IntlMessageFormat {
  return new IntlMessageFormat(message, lang, undefined, { ignoreTag: true });
}

/** Values of a catalog message. */
export type MessageValues = Record<string, string | number>;

/** Catalog words not yet rendered: what a face shows in its reader's language (`say`), English kept for JSON and logs. */
export interface Words {
  key: MessageKey;
  values?: MessageValues;
  /**
   * Values that are a local wall-clock time (`2026-11-23T09:00`, already in its zone): written the way
   * `lang` writes dates ("lun, 23 nov 2026, 9:00"); English keeps `values`' own text (`2026-11-23 09:00`).
   */
  times?: Record<string, string>;
}

/** Words in `lang`. */
export function say(lang: Language, words: Words): string {
  if (!words.times || lang === 'en') return t(lang, words.key, words.values);
  const times = Object.fromEntries(Object.entries(words.times).map(([name, local]) => [name, localTimeIn(local, lang)]));
  return t(lang, words.key, { ...words.values, ...times });
}

/** A local wall-clock time (`2026-11-23T09:00`) as `lang` writes it, weekday first, as the pulse label does. */
export function localTimeIn(local: string, lang: Language): string {
  // The time is already the zone's wall clock: read and written in UTC so that nothing shifts it.
  const at = DateTime.fromISO(local, { zone: 'UTC' });
  return at.isValid ? at.setLocale(lang).toLocaleString({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }) : local;
}

/** The message `key` in `lang`, with its values. */
export function t(lang: Language, key: MessageKey, values?: MessageValues): string {
  const id = `${lang}\u0000${key}`;
  return String(cached(compiled, id, () => compileMessage(CATALOGS[lang][key], lang)).format(values));
}

/** Whether `key` is a message key (catalog keys built from data, e.g. `metric.<name>`). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** The catalog language of a locale (`es-ES` → es), or undefined when it has no catalog (`ja-JP`). */
export function catalogLanguageOf(locale: string | undefined): Language | undefined {
  const primary = (locale ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return isLanguage(primary) ? primary : undefined;
}

/** The language of a locale (`es-ES` → es, `ca` → ca, `en-AU` → en); English for any other. */
export function languageOfLocale(locale: string | undefined): Language {
  return catalogLanguageOf(locale) ?? 'en';
}

/** How each language usually writes numbers, for a reader whose language is not the instance's. */
const USUAL_LOCALE: Readonly<Record<Language, string>> = { en: 'en-GB', es: 'es-ES', ca: 'ca-ES', fr: 'fr-FR', de: 'de-DE' };

/**
 * The locale a reader's numbers are written in: the instance's own when the reader reads the instance's
 * language (its operator chose both, e.g. English words with Spanish numbers), else the usual one of the
 * reader's language, so that a German reader of an Australian instance reads 2.987 and 260.101,69 AUD,
 * never 2,987 (which a German reads as two point nine). Several instances (no one instance): the
 * reader's usual locale.
 */
export function numbersLocale(instance: { locale: string; language?: Language | undefined } | undefined | null, lang: Language): string {
  if (instance && (instance.language ?? languageOfLocale(instance.locale)) === lang) return instance.locale;
  return USUAL_LOCALE[lang];
}
