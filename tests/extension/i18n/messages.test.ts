import { describe, expect, it } from 'vitest';
import { LANGUAGES, getMessage, messagesOf, type Message } from '../../helpers/i18n.js';

/*
 * The message files themselves (extension/public/_locales/<language>/messages.json): every
 * English message has its translation, with the same placeholders, and none is empty. A
 * translation may have more plural forms than English (Arabic: zero, two, few, many).
 */

const PLURAL_FORM = /^(.+)_(zero|one|two|few|many|other)$/;

function placeholderNames(entry: Message): string[] {
  return Object.keys(entry.placeholders ?? {}).map((name) => name.toLowerCase());
}

function placeholderContents(entry: Message): string[] {
  return Object.values(entry.placeholders ?? {}).map((p) => p.content);
}

/** The $name$ references in a message's text. */
function referenced(text: string): string[] {
  return [...text.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase());
}

const en = messagesOf('en');

describe('the message files', () => {
  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has every English message, with the same placeholders', (language) => {
    const messages = messagesOf(language);
    const missing = Object.keys(en).filter((key) => !(key in messages));
    expect(missing, `messages missing from ${language}`).toEqual([]);
    for (const [key, entry] of Object.entries(en)) {
      expect(placeholderNames(messages[key]!), `${language}: placeholders of ${key}`).toEqual(placeholderNames(entry));
      expect(placeholderContents(messages[key]!), `${language}: placeholder contents of ${key}`).toEqual(placeholderContents(entry));
    }
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s adds only plural forms of English plural messages', (language) => {
    for (const [key, entry] of Object.entries(messagesOf(language))) {
      if (key in en) continue;
      const plural = PLURAL_FORM.exec(key);
      const other = plural ? en[`${plural[1]}_other`] : undefined;
      expect(other, `${language}: ${key} is neither in English nor a plural form of an English _other message`).toBeDefined();
      expect(placeholderNames(entry), `${language}: placeholders of ${key}`).toEqual(placeholderNames(other!));
    }
  });

  it.each(LANGUAGES)('%s: no message is empty, and every $placeholder$ a message uses is declared', (language) => {
    for (const [key, entry] of Object.entries(messagesOf(language))) {
      expect(entry.message.trim(), `${language}: ${key}`).not.toBe('');
      const declared = placeholderNames(entry);
      for (const name of referenced(entry.message)) expect(declared, `${language}: ${key} uses $${name}$`).toContain(name);
      // chrome.i18n fills at most nine substitutions.
      expect(declared.length, `${language}: ${key}`).toBeLessThanOrEqual(9);
    }
  });

  it('uses every English placeholder in the English text, numbered $1… in order', () => {
    for (const [key, entry] of Object.entries(en)) {
      expect(new Set(referenced(entry.message)), key).toEqual(new Set(placeholderNames(entry)));
      expect(placeholderContents(entry), key).toEqual(placeholderContents(entry).map((_, i) => `$${i + 1}`));
    }
  });

  it('names its own language and writing direction', () => {
    expect([getMessage('en', 'ui_language'), getMessage('en', 'ui_direction')]).toEqual(['en', 'ltr']);
    expect([getMessage('ar', 'ui_language'), getMessage('ar', 'ui_direction')]).toEqual(['ar', 'rtl']);
  });

  it('fills placeholders as chrome.i18n does, leaving dollar signs in substitutions alone', () => {
    expect(getMessage('en', 'send_done_title', ['$5.00', 'John D.'])).toBe('Sent $5.00 to John D.');
    expect(getMessage('ar', 'send_done_title', ['$5.00', 'John D.'])).toBe('أُرسل $5.00 إلى John D.');
  });
});
