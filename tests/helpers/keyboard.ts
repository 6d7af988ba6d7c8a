import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/*
 * Using a page with the keyboard alone, as a person who cannot use a mouse does: where focus is,
 * whether it shows, and getting somewhere with Tab and Shift+Tab.
 */

/** What the focused element is called: its aria-label, its <label>, or its text ('' for none). */
export function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return '';
    const labelled = el.getAttribute('aria-label') ?? (el instanceof HTMLInputElement ? el.labels?.[0]?.textContent : undefined);
    return (labelled ?? el.textContent ?? '').trim();
  });
}

/**
 * Whether the focused element shows that it has focus: its own outline, or for a text field
 * the ring its box draws (theme.css: .field__box:focus-within).
 */
export function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body || !el.matches(':focus-visible')) return false;
    const own = getComputedStyle(el);
    if (own.outlineStyle !== 'none' && parseFloat(own.outlineWidth) > 0) return true;
    const box = el.closest('.field__box');
    return box !== null && getComputedStyle(box).boxShadow !== 'none';
  });
}

/**
 * Presses Tab (Shift+Tab with `back`) until the focused element is called `name`, checking at
 * every stop that focus shows; returns the names of the stops on the way, `name` last.
 */
export async function tabTo(page: Page, name: string, { back = false, max = 25 } = {}): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const at = await focusedName(page);
    stops.push(at);
    expect(await focusIsVisible(page), `focus is visible on "${at}"`).toBe(true);
    if (at === name) return stops;
  }
  throw new Error(`"${name}" not reached with ${back ? 'Shift+Tab' : 'Tab'}; stops: ${stops.join(' | ')}`);
}

/**
 * Tabs through every stop of the page, round to the first one again (passing, on the way, the
 * browser's own UI, where the page has no focus), checking that each one shows focus.
 */
export async function expectFocusVisibleEverywhere(page: Page, screen: string): Promise<void> {
  let stops = 0;
  for (let presses = 0; presses < 150; presses++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return 'outside';
      const w = window as unknown as { tabStops?: WeakSet<Element> };
      w.tabStops ??= new WeakSet();
      if (w.tabStops.has(el)) return 'again';
      w.tabStops.add(el);
      return 'new';
    });
    if (at === 'again') {
      expect(stops, `${screen} has something to focus`).toBeGreaterThan(0);
      await page.evaluate(() => delete (window as unknown as { tabStops?: unknown }).tabStops);
      return;
    }
    if (at === 'outside') continue;
    stops++;
    expect(await focusIsVisible(page), `${screen}: focus is visible on "${await focusedName(page)}"`).toBe(true);
  }
  throw new Error(`${screen}: Tab never came back round to where it started`);
}
