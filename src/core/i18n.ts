import { IntlMessageFormat } from 'intl-messageformat';
import { ca } from './messages/ca.js';
import { de } from './messages/de.js';
import { en, type Catalog, type MessageKey } from './messages/en.js';
import { es } from './messages/es.js';
import { fr } from './messages/fr.js';
import { LANGUAGES, type Language } from './vocabulary.js';

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
}

/** Words in `lang`. */
export function say(lang: Language, words: Words): string {
  return t(lang, words.key, words.values);
}

/** The message `key` in `lang`, with its values. */
export function t(lang: Language, key: MessageKey, values?: MessageValues): string {
  const id = `${lang}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    format = compileMessage(CATALOGS[lang][key], lang);
    compiled.set(id, format);
  }
  return String(format.format(values));
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
