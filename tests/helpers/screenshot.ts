import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const DOCS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../docs');

/**
 * Where pictures go: docs/ when `npm run screenshots` asks for them (SCREENSHOTS=docs), else a
 * temporary directory, so that running the tests never changes the working tree.
 */
async function pictureDir(): Promise<string> {
  if (process.env.SCREENSHOTS === 'docs') {
    await mkdir(DOCS, { recursive: true });
    return DOCS;
  }
  return mkdtemp(path.join(os.tmpdir(), 'bank-screenshots-'));
}

/**
 * Takes the page as it is now, as scripts/screenshots.mjs takes the README's pictures (no
 * caret, no focus ring, no pointer hover), once its transitions have ended: docs/<name> when
 * SCREENSHOTS=docs. Returns the file written.
 */
export async function takeScreenshot(page: Page, name: string): Promise<string> {
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await page.mouse.move(0, 0);
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const file = path.join(await pictureDir(), name);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  return file;
}
