// The Firefox build (dist/extension/firefox-mv3, made by `npm run build:extension` and by the
// test command's pretest): its manifest next to Chrome's, and Mozilla's addons-linter, which
// addons.mozilla.org runs on every upload and which must find no error.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FIREFOX_ADDON_ID } from '../../common/extension-identity.js';

const DIST = fileURLToPath(new URL('../../dist/extension/', import.meta.url));
const FIREFOX_DIR = path.join(DIST, 'firefox-mv3');
const CHROME_DIR = path.join(DIST, 'chrome-mv3');
const LINTER = fileURLToPath(new URL('../../node_modules/addons-linter/bin/addons-linter', import.meta.url));

type Manifest = Record<string, unknown>;

async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build:extension" first`);
  return z.record(z.string(), z.unknown()).parse(JSON.parse(await readFile(file, 'utf8')));
}

/** The part of `addons-linter --output json` read here. */
const lintMessage = z.object({ code: z.string(), message: z.string(), file: z.string().optional() });
const lintReport = z.object({
  summary: z.object({ errors: z.number(), warnings: z.number(), notices: z.number() }),
  errors: z.array(lintMessage),
  warnings: z.array(lintMessage),
  notices: z.array(lintMessage),
});

describe('the Firefox build', () => {
  let firefox: Manifest;
  let chrome: Manifest;
  beforeAll(async () => {
    firefox = await readManifest(FIREFOX_DIR);
    chrome = await readManifest(CHROME_DIR);
  });

  it('has the fixed add-on id, a minimum Firefox and the data it sends declared', () => {
    expect(firefox.manifest_version).toBe(3);
    expect(firefox.browser_specific_settings).toEqual({
      gecko: {
        id: FIREFOX_ADDON_ID,
        strict_min_version: '140.0',
        data_collection_permissions: { required: ['authenticationInfo', 'personallyIdentifyingInfo', 'financialAndPaymentInfo'] },
      },
      gecko_android: { strict_min_version: '142.0' },
    });
  });

  it('runs the background as an event page, and carries none of the Chrome-only keys', () => {
    expect(firefox.background).toEqual({ type: 'module', scripts: ['background.js'] });
    expect(chrome.background).toEqual({ type: 'module', service_worker: 'background.js' });
    expect(firefox).not.toHaveProperty('key');
    expect(firefox).not.toHaveProperty('minimum_chrome_version');
    expect(existsSync(path.join(FIREFOX_DIR, 'background.js'))).toBe(true);
  });

  it('is otherwise the Chrome extension: the same popup, options page, permissions and CSP', async () => {
    const shared = (m: Manifest): Manifest => {
      // The browser-specific keys; `storage` names Chrome's managed-policy schema (Firefox reads policies.json).
      const { background: _b, browser_specific_settings: _s, key: _k, minimum_chrome_version: _c, storage: _m, ...rest } = m;
      return rest;
    };
    expect(shared(firefox)).toEqual(shared(chrome));
    for (const page of ['popup.html', 'options.html']) {
      expect(await readFile(path.join(FIREFOX_DIR, page), 'utf8'), page).toBe(await readFile(path.join(CHROME_DIR, page), 'utf8'));
    }
    // Nothing of ours runs in, or is reachable from, web pages.
    for (const key of ['content_scripts', 'externally_connectable', 'web_accessible_resources', 'host_permissions']) {
      expect(firefox, key).not.toHaveProperty(key);
    }
  });

  it("passes Mozilla's addons-linter with no errors", async () => {
    // The linter exits non-zero when it finds errors; its JSON report is what is checked.
    const run = await promisify(execFile)(process.execPath, [LINTER, '--output', 'json', FIREFOX_DIR], { maxBuffer: 16 * 1024 * 1024 }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
    );
    const report = lintReport.parse(JSON.parse(run.stdout));
    const list = (kind: string, messages: z.infer<typeof lintMessage>[]) =>
      messages.map((m) => `  ${kind} ${m.code}${m.file ? ` (${m.file})` : ''}: ${m.message}`);
    console.log(
      [
        `addons-linter: ${report.summary.errors} errors, ${report.summary.warnings} warnings, ${report.summary.notices} notices`,
        ...list('warning', report.warnings),
        ...list('notice', report.notices),
      ].join('\n'),
    );
    expect(list('error', report.errors)).toEqual([]);
    expect(report.summary.errors).toBe(0);
  }, 120_000);
});
