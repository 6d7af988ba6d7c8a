import { uiDirection, uiLanguage } from '../shared/i18n.js';

/**
 * Puts a page in the language of its messages before anything is drawn: <html lang> for
 * screen readers and hyphenation, <html dir> so a right-to-left language lays the page out
 * mirrored, and the window's title.
 */
export function applyPageLanguage(title: string): void {
  const root = document.documentElement;
  root.lang = uiLanguage();
  root.dir = uiDirection();
  document.title = title;
}
