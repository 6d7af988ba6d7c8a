import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** The impacts a screen may never have. */
const BLOCKING = new Set(['serious', 'critical']);

/** One rule broken on one screen, in a colour scheme, at the elements axe names. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

type AxeInPage = { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } };

/**
 * Runs axe-core on the page as it is now and returns its serious and critical violations.
 * The extension's pages allow only their own scripts (script-src 'self'), so a <script> tag
 * carrying axe would be refused; evaluating its source through the DevTools protocol is not
 * subject to the page's CSP.
 */
async function scan(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const { violations } = await (window as unknown as AxeInPage).axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ id: v.id, impact: v.impact ?? 'unknown', help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
  });
  return violations.filter((v) => BLOCKING.has(v.impact));
}

/**
 * Lets theme transitions end, so colour contrast is measured on the colours a person sees
 * rather than halfway between the light and the dark theme. Endless animations (a spinner, a
 * pulsing dot) are left alone: they never finish and change no text colour.
 */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
}

/**
 * The serious and critical accessibility problems of the screen the page shows, in the light
 * and in the dark theme, as readable lines ("dark: color-contrast (serious) at .pill — Elements
 * must meet…"). An empty list is a pass. The page is left in the light theme.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const lines: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await settle(page);
    for (const f of await scan(page)) lines.push(`${colorScheme}: ${f.id} (${f.impact}) at ${f.targets.join(', ')} — ${f.help}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await settle(page);
  return lines;
}
