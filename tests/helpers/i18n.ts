import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessageKey } from '../../extension/src/shared/i18n.js';

/*
 * The extension's messages as the browser serves them, for tests: read from
 * extension/public/_locales/<language>/messages.json and filled in by chrome.i18n's own rules,
 * so unit tests (no browser.i18n there) see the very text a page shows, and browser tests can
 * look for the words of either language.
 */

export const LANGUAGES = ['en', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Message {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

export type Messages = Record<string, Message>;

// From the module's own path, not new URL(…, import.meta.url): happy-dom's URL replaces Node's in page tests.
const LOCALES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../extension/public/_locales');
const loaded = new Map<Language, Messages>();

export function messagesOf(language: Language): Messages {
  let messages = loaded.get(language);
  if (!messages) {
    messages = JSON.parse(readFileSync(path.join(LOCALES_DIR, language, 'messages.json'), 'utf8')) as Messages;
    loaded.set(language, messages);
  }
  return messages;
}

/**
 * chrome.i18n.getMessage: $name$ becomes its placeholder's content, then $1…$9 the
 * substitutions (a missing one is empty) and $$ a dollar sign, in one pass, so a substitution
 * holding "$5.00" stays as it is. An unknown name gives "", as in Chrome.
 */
export function getMessage(language: Language, name: string, substitutions: string | string[] = []): string {
  const entry = messagesOf(language)[name] ?? (language === 'en' ? undefined : messagesOf('en')[name]);
  if (!entry) return '';
  const subs = typeof substitutions === 'string' ? [substitutions] : substitutions;
  const placeholders = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), v.content]));
  const expand = (text: string): string =>
    text.replace(/\$\$|\$(\d)|\$([A-Za-z0-9_@]+)\$/g, (match, index: string | undefined, placeholder: string | undefined) => {
      if (match === '$$') return '$';
      if (index !== undefined) return subs[Number(index) - 1] ?? '';
      const content = placeholders[placeholder!.toLowerCase()];
      return content === undefined ? match : content.replace(/\$(\d)/g, (_, i: string) => subs[Number(i) - 1] ?? '');
    });
  return expand(entry.message);
}

/** The message `key` in `language`, filled in; a key the English file lacks does not compile. */
export function messageIn(language: Language, key: MessageKey, ...substitutions: string[]): string {
  const text = getMessage(language, key, substitutions);
  if (!text) throw new Error(`no message ${key} in ${language}`);
  return text;
}

/** A stand-in for browser.i18n serving `language`'s messages, as a browser in that language does. */
export function fakeI18n(language: Language): { getMessage: (name: string, substitutions?: string | string[]) => string; getUILanguage: () => string } {
  return {
    getMessage: (name, substitutions) => getMessage(language, name, substitutions),
    getUILanguage: () => (language === 'en' ? 'en-US' : language),
  };
}

/**
 * Test pages and background code read `language`'s messages from now on (tests/setup.ts starts
 * them in English). The same `chrome` object is kept: wxt/browser took hold of it on import.
 */
export function useLanguage(language: Language): void {
  const global = globalThis as { chrome?: { i18n?: unknown } };
  global.chrome ??= {};
  global.chrome.i18n = fakeI18n(language);
}
