#!/usr/bin/env node
// Regenerates the README's screenshots from the real UI: docs/popup.png (a customer's wallet),
// docs/payments-preview.png and docs/payments-done.png (a customer's payment file, previewed
// and then sent), docs/admin-users.png and docs/admin-relay.png (the admin dashboard on the
// options page).
//
// Needs the relay and the extension built (`npm run screenshots` builds both first) and
// Debian's Chromium (CHROMIUM_PATH, else /usr/bin/chromium). It starts a relay with the demo
// customers on a temporary data directory, makes some activity through real clients, loads
// the built extension in a fresh Chromium profile as tests/helpers/extension.ts does, points
// it at the relay from the options page, and drives the popup and the options page.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { Relay } from '../dist/relay/server.js';
import { silentLogger } from '../dist/relay/log.js';
import { BankClient } from '../dist/common/client/bank-client.js';
import { nodeCryptoSuite } from '../dist/common/protocol/crypto-node.js';
import { tcpTransport } from '../dist/relay/client/node-transports.js';
import { isValidAccountNumber } from '../dist/common/account-number.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXTENSION_DIR = path.join(ROOT, 'dist/extension/chrome-mv3');
const CLI = path.join(ROOT, 'dist/relay/cli/main.js');
const DOCS = path.join(ROOT, 'docs');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ADMIN_PASSWORD = `screenshots-${randomUUID()}`;

/** The demo customers (`bank-relay demo`) and their passwords. */
const PASSWORDS = {
  john_doe: 'john-demo-pass',
  jane_smith: 'jane-demo-pass',
  alice_wong: 'alice-demo-pass',
  bob_brown: 'bob-demo-pass',
  carol_white: 'carol-demo-pass',
};

const log = (msg) => process.stdout.write(`${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const usd = (minor) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);

function preflight() {
  for (const [file, hint] of [
    [CLI, 'npm run build'],
    [path.join(EXTENSION_DIR, 'manifest.json'), 'npx wxt build extension'],
  ]) {
    if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run "${hint}" first (or "npm run screenshots", which builds both).`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: sudo apt-get update && sudo apt-get install -y chromium   (or set CHROMIUM_PATH).`);
  }
}

/** A signed-in protocol client over TCP, as any other client of the relay. */
async function signedIn(relay, username) {
  const client = await BankClient.connect(await tcpTransport('127.0.0.1', relay.tcpAddress.port), nodeCryptoSuite);
  const { accounts } = await client.request('auth.login', { username, password: PASSWORDS[username] });
  return { client, username, account: accounts[0].account };
}

function pay(from, to, amount, memo) {
  return from.client.request('transfer.create', { transferId: randomUUID(), to: to.account, amount, ...(memo && { memo }) });
}

/**
 * Small transfers back and forth between the customers until the returned stop() is called;
 * the pace rises and falls over half a minute, so the relay's chart has a shape.
 */
function backgroundTraffic(customers) {
  let running = true;
  const started = Date.now();
  const memos = ['Coffee', 'Lunch', 'Groceries', 'Taxi', 'Movie night', 'Snacks', undefined];
  const loops = customers.map(async (from, i) => {
    while (running && !from.client.closed) {
      const load = 0.55 + 0.45 * Math.sin(((Date.now() - started) / 30_000) * 2 * Math.PI);
      if (Math.random() < load) {
        const to = customers[(i + 1 + Math.floor(Math.random() * (customers.length - 1))) % customers.length];
        await pay(from, to, 100 + Math.floor(Math.random() * 1900), memos[Math.floor(Math.random() * memos.length)]).catch(() => undefined);
      }
      await sleep(100 + Math.random() * 250);
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

async function launchWithExtension() {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'bank-screenshots-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    args: [
      '--no-sandbox',
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ],
  });
  const worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  const extensionId = new URL(worker.url()).host;
  const open = async (file, viewport) => {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    await page.goto(`chrome-extension://${extensionId}/${file}`);
    return page;
  };
  return {
    popup: () => open('popup.html', { width: 360, height: 600 }),
    options: (hash = '', width = 1280) => open(`options.html${hash}`, { width, height: 800 }),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Polls the page's text until it matches. */
async function waitForText(page, pattern, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await page.locator('body').innerText();
    if (pattern.test(text)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on ${page.url()}; the page shows:\n${text.slice(0, 800)}`);
    await sleep(200);
  }
}

async function signIn(popup, username, password) {
  await popup.getByLabel('Username').fill(username);
  await popup.getByLabel('Password', { exact: true }).fill(password);
  await popup.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * `until`: the window is made as tall as the page down to that element (a screen taller than
 * the window), and the page is shown from its top.
 */
async function shoot(page, name, { until } = {}) {
  const file = path.join(DOCS, name);
  // Let transitions and the live pill settle; keep the caret and focus rings out of the picture.
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await page.mouse.move(0, 0);
  await sleep(400);
  if (until) {
    const bottom = await page.locator(until).evaluate((e) => Math.ceil(e.getBoundingClientRect().bottom + window.scrollY));
    await page.setViewportSize({ width: page.viewportSize().width, height: Math.max(800, bottom + 24) });
    await page.evaluate(() => window.scrollTo(0, 0));
    await sleep(200);
  }
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  log(`wrote docs/${name} (${Math.round((await stat(file)).size / 1024)} KB)`);
}

/** An account number with a typo: one digit changed so that its check digits no longer fit. */
function withTypo(account) {
  for (let d = 1; d <= 9; d++) {
    const i = account.length - 3;
    const typo = `${account.slice(0, i)}${(Number(account[i]) + d) % 10}${account.slice(i + 1)}`;
    if (!isValidAccountNumber(typo)) return typo;
  }
  throw new Error(`no typo of ${account} fails its check digits`);
}

/**
 * Jane, who does the books for her book club and a few neighbours, pays a small file: the
 * preview (masked names, one row with a mistyped account number flagged, her limits), then the
 * run sent without that row.
 */
async function paymentRun(browser, { john, alice, bob, carol }) {
  const rows = [
    ['account', 'amount', 'memo', 'name'],
    [john.account, '120.00', 'May garden work', 'John Doe'],
    [alice.account, '85.50', 'Book club venue', 'Alice Wong'],
    [bob.account, '240.00', 'Van hire 12 May', 'Bob Brown'],
    [withTypo(carol.account), '64.25', 'Catering deposit', 'Carol White'],
    [carol.account, '99.00', 'Flowers', 'Carol White'],
  ];
  const csv = rows.map((r) => r.join(',')).join('\r\n');
  const page = await browser.options('#/payments');
  await page.getByLabel('CSV file').setInputFiles({ name: 'may-payments.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await waitForText(page, /Bob B\./);
  await waitForText(page, /Left to send today/i);
  await waitForText(page, /not a valid account number/);
  await shoot(page, 'payments-preview.png', { until: '#payments-summary' });

  await page.getByRole('checkbox', { name: 'Include line 5' }).uncheck();
  const total = usd(12_000 + 8_550 + 24_000 + 9_900);
  const dialog = page.getByRole('alertdialog');
  // "Review and send" waits until the bank has answered about earlier runs of the file.
  for (let tries = 0; (await dialog.count()) === 0; tries++) {
    if (tries > 60) throw new Error('the confirmation never opened');
    await page.getByRole('button', { name: 'Review and send' }).click();
    await sleep(500);
  }
  await dialog.getByRole('button', { name: `Send ${total}` }).click();
  await waitForText(page, /Finished/, 30_000);
  await waitForText(page, /4 of 4 rows done/);
  await shoot(page, 'payments-done.png', { until: '#payments-run' });
  await page.close();
}

async function main() {
  preflight();
  await mkdir(DOCS, { recursive: true });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bank-screenshots-'));
  let relay;
  let browser;
  const clients = [];
  try {
    log('demo customers…');
    await promisify(execFile)(process.execPath, [CLI, 'demo', '--data', dataDir]);
    relay = await Relay.start({ dataDir, tcpPort: 0, wsPort: 0 }, { log: silentLogger, adminPassword: ADMIN_PASSWORD });
    const wsUrl = `ws://127.0.0.1:${relay.wsAddress.port}/`;
    log(`relay on ${wsUrl}`);

    // A little more history, so Jane's activity and the admin's tables have something to show.
    const [john, jane, alice, bob, carol] = await Promise.all(Object.keys(PASSWORDS).map((u) => signedIn(relay, u)));
    clients.push(john, jane, alice, bob, carol);
    await pay(john, jane, 2_450, 'Dinner at Luigi’s');
    await pay(jane, alice, 1_800, 'Book club');
    await pay(carol, jane, 8_500, 'Concert tickets refund');
    await pay(jane, bob, 3_200, 'Gym membership split');
    await pay(alice, carol, 5_600, 'Farmers market');
    await pay(bob, john, 1_250, 'Parking');
    // Someone waiting for approval.
    const newcomer = await BankClient.connect(await tcpTransport('127.0.0.1', relay.tcpAddress.port), nodeCryptoSuite);
    clients.push({ client: newcomer });
    await newcomer.request('auth.register', { username: 'maria_garcia', password: 'maria-password-1', displayName: 'Maria Garcia' });

    browser = await launchWithExtension();
    log('pointing the extension at the relay…');
    const settings = await browser.options('#/settings');
    await settings.getByLabel('Relay address').fill(wsUrl);
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await waitForText(settings, /live/i);
    await settings.close();

    log('the popup…');
    const popup = await browser.popup();
    await signIn(popup, 'jane_smith', PASSWORDS.jane_smith);
    await waitForText(popup, /activity/i);
    // Money arriving while her wallet is open: it shows up live, with the unread badge.
    await pay(alice, jane, 4_275, 'Thanks for the tickets!');
    const janeBalance = (await relay.context.ledger.accountsOf('jane_smith'))[0].balance;
    await waitForText(popup, new RegExp(usd(janeBalance).replace(/[$.]/g, '\\$&')));
    await waitForText(popup, /Thanks for the tickets/);
    await waitForText(popup, /live/i);
    await popup.locator('.balance__spark').waitFor({ state: 'visible' });
    await shoot(popup, 'popup.png');

    log('a payment file…');
    await paymentRun(browser, { john, alice, bob, carol });

    log('the admin dashboard…');
    await popup.getByRole('button', { name: 'Sign out' }).click();
    await signIn(popup, 'admin', ADMIN_PASSWORD);
    await waitForText(popup, /Admin dashboard/);

    const users = await browser.options('#/users');
    await waitForText(users, /Carol White/);
    await waitForText(users, /Maria Garcia/);
    // The users table scrolls sideways in a narrow window: widen the page until it fits.
    const overflow = await users.evaluate(() => {
      const wrap = document.querySelector('.o-table-wrap');
      return wrap ? wrap.scrollWidth - wrap.clientWidth : 0;
    });
    const width = 1280 + Math.min(Math.max(overflow, 0), 400);
    if (overflow > 0) await users.setViewportSize({ width, height: 800 });
    await shoot(users, 'admin-users.png');
    await users.close();

    const relayPage = await browser.options('#/relay', width);
    const stopTraffic = backgroundTraffic([john, jane, alice, bob, carol]);
    await waitForText(relayPage, /Transfers per second/);
    await sleep(40_000); // twenty samples, one every 2 s
    await shoot(relayPage, 'admin-relay.png');
    await stopTraffic();
    await relayPage.close();
    await popup.close();
  } finally {
    for (const { client } of clients) client.close?.();
    await browser?.close().catch(() => undefined);
    await relay?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (err) {
  process.stderr.write(`screenshots failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exitCode = 1;
}
