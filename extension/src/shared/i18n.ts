import { browser } from 'wxt/browser';
import type English from '../../public/_locales/en/messages.json';

/*
 * Every word the person sees comes from public/_locales/<language>/messages.json through the
 * platform's own i18n (browser.i18n), so the pages, the background's notifications and the
 * manifest all follow the browser's language, with English (default_locale) for any other.
 * Keys are typed from the English file: a key it lacks does not compile.
 */

export type MessageKey = keyof typeof English;

/** "sessions_count" for the keys "sessions_count_one", "sessions_count_other", …. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer Base}_other` ? Base : never) : never;

/**
 * The message in the browser's language. Substitutions fill its placeholders in order ($1 …);
 * numbers, amounts and dates are formatted by the caller (format.ts) for uiLocale().
 */
export function t(key: MessageKey, ...substitutions: string[]): string {
  return browser.i18n.getMessage(key, substitutions);
}

/**
 * The message for `count`, in the plural form the language uses for it: the key
 * `<base>_<category>` (Intl.PluralRules: zero, one, two, few, many, other), else `<base>_other`.
 * English needs only _one and _other; Arabic has all six. The count is the first substitution,
 * formatted for the language.
 */
export function tPlural(base: PluralKey, count: number, ...more: string[]): string {
  const locale = uiLocale();
  const substitutions = [new Intl.NumberFormat(locale).format(count), ...more];
  const category = new Intl.PluralRules(locale).select(count);
  return browser.i18n.getMessage(`${base}_${category}`, substitutions) || browser.i18n.getMessage(`${base}_other`, substitutions);
}

/**
 * The language of the messages shown ("en", "ar"), named by each messages file itself: the
 * browser's UI language may have no file of its own (the English ones stand in), and Chromium
 * does not always report the language it picked the messages for (getUILanguage and
 * @@bidi_dir stay en-US under --lang=ar), so only the file knows what it is written in.
 */
export function uiLanguage(): string {
  return t('ui_language');
}

/**
 * The locale numbers, dates and money are formatted for: the browser's own (with its region,
 * "en-GB", "ar-EG") when it is in the language of the messages, else that language, so the
 * figures never speak another language than the words around them.
 */
export function uiLocale(): string {
  const language = uiLanguage();
  const browserLocale = browser.i18n.getUILanguage();
  try {
    const [canonical] = Intl.getCanonicalLocales(browserLocale);
    if (canonical && new Intl.Locale(canonical).language === language) return canonical;
  } catch {
    // Not a locale tag Intl knows: the messages' language is.
  }
  return language;
}

/** The writing direction of the messages shown, from their own file (see uiLanguage). */
export function uiDirection(): 'ltr' | 'rtl' {
  return t('ui_direction') === 'rtl' ? 'rtl' : 'ltr';
}

/**
 * Text that must keep its left-to-right order inside a right-to-left sentence (an account
 * number, a username, a key's fingerprint), between Unicode directional isolates. In a
 * left-to-right language it already reads in order and is returned as it is.
 */
export function ltr(text: string): string {
  return uiDirection() === 'rtl' ? `\u2066${text}\u2069` : text;
}
