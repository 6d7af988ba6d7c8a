import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import type { BankClient } from '../../common/client/bank-client.js';
import type { RelayConfigInput } from '../../relay/config.js';
import { ADMIN_PASSWORD, loginAs, startTestRelay, tempDir, type TestRelay } from '../helpers/relay.js';
import { allTransfers, fullHistory } from '../helpers/ledger.js';
import { launchWithExtension, pointAtRelay, signIn, type ExtensionBrowser } from '../helpers/extension.js';

/**
 * Payment runs that are interrupted, in Chromium with the built extension against a real relay:
 * the options page closed in the middle of a run, and the relay stopped (its answer to a batch
 * it had written lost with it) and started again on the same data and port. Each time every row
 * of the file is paid exactly once. Then an administrator's deposit run, and the customer's runs
 * under Transactions.
 *
 * Nothing here waits for a run to be "slow enough": the relay holds the run's second batch (a
 * spy on its ledger) until the test has done what it does mid-run, so the run is in progress
 * however busy the machine is.
 */

const PAYER = { username: 'acme_ltd', password: 'acme-password-1', displayName: 'Acme Ltd', deposit: 10_000_000 };
const PAYEES = ['Maria Garcia', 'Tom Becker', 'Aiko Tanaka', 'Samuel Okafor', 'Lena Novak', 'Ravi Patel', 'Chloe Martin', 'Jonas Berg', 'Fatima Zahra', 'Diego Silva'];
const ROWS = 2_500;
/** 1,000 rows a batch (BATCH_MAX): a run of 2,500 goes in three. */
const BATCH = 1_000;

/** A file of ROWS payments to the payees in turn, each amount its own (`base` + line) so no row repeats another. */
interface PaymentFileRow {
  account: string;
  amount: number;
  memo: string;
}
function payroll(accounts: readonly string[], base: number, label: string): { rows: PaymentFileRow[]; csv: string; total: number } {
  const rows = Array.from({ length: ROWS }, (_, i) => ({ account: accounts[i % accounts.length]!, amount: base + i, memo: `${label} ${i + 1}` }));
  const csv = ['account,amount,memo', ...rows.map((r) => `${r.account},${(r.amount / 100).toFixed(2)},${r.memo}`)].join('\r\n');
  return { rows, csv, total: rows.reduce((sum, r) => sum + r.amount, 0) };
}

const usd = (minor: number): string => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);
const count = (n: number): string => new Intl.NumberFormat('en-US').format(n);

/**
 * Holds the relay's `nth` batch of a payment run from now on: `before` it is applied, or, `after`
 * it is written, its answer. `arrived` settles once it is held; `release` lets it go.
 */
function holdRunBatch(relay: TestRelay, nth: number, when: 'before' | 'after'): { arrived: Promise<void>; release: () => void; restore: () => void } {
  const { ledger } = relay.relay.context;
  const original = ledger.moveBatch.bind(ledger);
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const gate = new Promise<void>((r) => (release = r));
  let seen = 0;
  const spy = vi.spyOn(ledger, 'moveBatch').mockImplementation(async (items, opts) => {
    if (opts.runId === undefined || ++seen !== nth) return original(items, opts);
    if (when === 'before') {
      arrive();
      await gate;
      return original(items, opts);
    }
    const results = await original(items, opts);
    arrive();
    await gate;
    return results;
  });
  return { arrived, release, restore: () => spy.mockRestore() };
}

/** Chooses a port outside the ephemeral range, as the relay must come back on the same one. */
async function startOnFixedPort(config: RelayConfigInput): Promise<TestRelay> {
  for (let tries = 0; ; tries++) {
    const wsPort = 20_000 + Math.floor(Math.random() * 10_000);
    try {
      return await startTestRelay({ ...config, wsPort });
    } catch (err) {
      if (tries >= 20 || !/EADDRINUSE/.test(String((err as Error).message ?? err))) throw err;
    }
  }
}

async function upload(page: Page, name: string, csv: string): Promise<void> {
  await page.getByLabel('CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await page.getByRole('heading', { name: 'Preview' }).waitFor({ timeout: 30_000 });
}

/** "Review and send" once the preview has checked the payees and the earlier runs, then the confirmation's send button. */
async function reviewAndSend(page: Page, total: number): Promise<void> {
  const dialog = page.getByRole('alertdialog');
  await expect
    .poll(
      async () => {
        // While the relay is still being asked (payees, earlier runs of the file), the button says so instead.
        if ((await dialog.count()) === 0 && (await page.getByRole('status').filter({ hasText: 'Checking the payees' }).count()) === 0) {
          await page.getByRole('button', { name: 'Review and send' }).click();
        }
        return dialog.count();
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe(1);
  await dialog.getByRole('button', { name: `Send ${usd(total)}` }).click();
}

const progress = (page: Page, done: number, sent: number) =>
  page.getByRole('progressbar', { name: new RegExp(`^${count(done)} of ${count(ROWS)} rows done · ${usd(sent).replace(/[$.]/g, '\\$&')} sent · 0 failures$`) });

describe('payment runs interrupted, end to end', () => {
  const dataDir = { path: '' };
  let relay: TestRelay;
  let browser: ExtensionBrowser;
  let options: Page;
  let admin: BankClient;
  let payerAccount = '';
  const payees: string[] = [];
  /** What each payee should have been paid so far: the sum of their rows of every run sent. */
  const owed = new Map<string, number>();
  const runsSent: { rows: PaymentFileRow[]; total: number }[] = [];
  const config = (): RelayConfigInput => ({ dataDir: dataDir.path, requestRate: { perSecond: 0, burst: 1 } });

  beforeAll(async () => {
    dataDir.path = await tempDir('bank-e2e-runs-');
    // A 1,000-row batch costs 101 requests of a connection's allowance: unthrottled here, so
    // the runs go at the relay's pace rather than its rate limit's.
    relay = await startOnFixedPort(config());
    admin = (await loginAs(relay, 'tcp', 'admin', ADMIN_PASSWORD)).client;
    payerAccount = (await admin.request('admin.user.create', { username: PAYER.username, password: PAYER.password, displayName: PAYER.displayName, role: 'user', openingDeposit: PAYER.deposit })).accounts[0]!.account;
    for (const [i, displayName] of PAYEES.entries()) {
      const created = await admin.request('admin.user.create', { username: `payee_${i + 1}`, password: `payee-password-${i + 1}`, displayName, role: 'user' });
      payees.push(created.accounts[0]!.account);
      owed.set(created.accounts[0]!.account, 0);
    }
    browser = await launchWithExtension();
    await pointAtRelay(browser, relay.wsUrl);
    const popup = await browser.popup();
    await signIn(popup, PAYER.username, PAYER.password);
    await popup.getByText(usd(PAYER.deposit)).first().waitFor({ timeout: 15_000 });
    await popup.close();
  }, 180_000);

  afterAll(async () => {
    admin?.close();
    await browser?.close();
    await relay?.stop();
    if (dataDir.path) await rm(dataDir.path, { recursive: true, force: true });
  });

  /**
   * Every row of every run sent is one posted transfer, no more: the payer's history and the
   * relay's transfer list hold each (payee, amount, memo) once, and every balance is the sum of
   * what its rows moved.
   */
  async function expectEveryRowPaidOnce(): Promise<void> {
    const expected = runsSent.flatMap((r) => r.rows);
    const key = (to: string, amount: number, memo: string | undefined) => `${to} ${amount} ${memo ?? ''}`;
    const fromPayer = (await allTransfers(admin, payerAccount)).filter((t) => t.from === payerAccount);
    expect(fromPayer).toHaveLength(expected.length);
    expect(new Set(fromPayer.map((t) => t.id)).size).toBe(expected.length);
    expect(new Set(fromPayer.map((t) => key(t.to, t.amount, t.memo)))).toEqual(new Set(expected.map((r) => key(r.account, r.amount, r.memo))));

    const payer = (await loginAs(relay, 'tcp', PAYER.username, PAYER.password)).client;
    try {
      const outgoing = (await fullHistory(payer)).filter((e) => e.amount < 0);
      expect(outgoing).toHaveLength(expected.length);
      expect(new Set(outgoing.map((e) => e.transferId)).size).toBe(expected.length);
    } finally {
      payer.close();
    }
    const sent = runsSent.reduce((sum, r) => sum + r.total, 0);
    expect((await relay.relay.context.ledger.accountsOf(PAYER.username))[0]!.balance).toBe(PAYER.deposit - sent);
    for (const [i, account] of payees.entries()) {
      expect((await relay.relay.context.ledger.accountsOf(`payee_${i + 1}`))[0]!.balance, PAYEES[i]).toBe(owed.get(account));
    }
    const runs = (await admin.request('admin.run.list', { owner: PAYER.username })).runs;
    expect(runs.map((r) => ({ rows: r.rows, posted: r.posted, failed: r.failed, sent: r.sent }))).toEqual(
      [...runsSent].reverse().map((r) => ({ rows: ROWS, posted: ROWS, failed: 0, sent: r.total })),
    );
  }

  function owe(run: { rows: PaymentFileRow[]; total: number }): void {
    runsSent.push(run);
    for (const r of run.rows) owed.set(r.account, owed.get(r.account)! + r.amount);
  }

  it('closes the options page in the middle of a run; opened again, the run is still sending, finishes, and every payee is paid once', async () => {
    const file = payroll(payees, 100, 'May salary');
    const held = holdRunBatch(relay, 2, 'before');
    try {
      options = await browser.options('#/payments');
      await upload(options, 'may-payroll.csv', file.csv);
      await reviewAndSend(options, file.total);
      owe(file);
      // The first batch is posted; the second has reached the relay, which holds it.
      await held.arrived;
      const firstBatch = file.rows.slice(0, BATCH).reduce((sum, r) => sum + r.amount, 0);
      await progress(options, BATCH, firstBatch).waitFor({ timeout: 30_000 });
      await options.close();

      // The background kept the run: a new page lists it as sending, and opens it where it is.
      options = await browser.options('#/payments');
      const local = options.getByRole('region', { name: 'Runs in this browser', exact: true });
      await expect.poll(() => local.innerText(), { timeout: 15_000 }).toMatch(new RegExp(`${count(BATCH)} of ${count(ROWS)} posted[^\\n]*\\s+Sending`));
      await local.getByRole('button', { name: /Open the run of/ }).click();
      await progress(options, BATCH, firstBatch).waitFor({ timeout: 15_000 });
      held.release();
    } finally {
      held.release();
      held.restore();
    }
    await progress(options, ROWS, file.total).waitFor({ timeout: 120_000 });
    await expect.poll(() => options.locator('#payments-run').innerText(), { timeout: 15_000 }).toMatch(/Finished/);
    await expectEveryRowPaidOnce();
  }, 240_000);

  it('stops the relay after it wrote a batch but before it answered, starts it again on the same data and port: the run resumes and pays every row once', async () => {
    const file = payroll(payees, 200, 'June salary');
    const held = holdRunBatch(relay, 2, 'after');
    let stopped = false;
    try {
      await options.getByRole('button', { name: 'New run' }).click();
      await upload(options, 'june-payroll.csv', file.csv);
      await reviewAndSend(options, file.total);
      owe(file);
      // The second batch is durable on the relay; its answer has not gone out.
      await held.arrived;
      const wsPort = relay.wsPort;
      await relay.stop(); // drains in vain: the answer is held, then the connection is closed without it
      stopped = true;
      held.release();

      // While the relay is down the browser cannot know whether those 1,000 went: they are in doubt.
      const local = options.getByRole('region', { name: 'Runs in this browser', exact: true });
      await expect.poll(() => local.innerText(), { timeout: 30_000 }).toMatch(new RegExp(`${count(BATCH)} of ${count(ROWS)} posted · ${count(BATCH)} in doubt`));

      relay = await startTestRelay({ ...config(), wsPort });
    } finally {
      held.release();
      held.restore();
      if (!stopped) await relay.stop().catch(() => undefined);
    }
    admin.close();
    admin = (await loginAs(relay, 'tcp', 'admin', ADMIN_PASSWORD)).client;

    // The run goes on by itself once the extension is back on the relay; if its retries ran out
    // first (a slow machine), it waits for Resume, as a person would see it.
    const resume = options.locator('#payments-run').getByRole('button', { name: 'Resume' });
    await expect
      .poll(
        async () => {
          if (await resume.isVisible()) await resume.click().catch(() => undefined);
          return options.locator('#payments-run').innerText();
        },
        { timeout: 180_000, interval: 1_000 },
      )
      .toMatch(/Finished/);
    await progress(options, ROWS, file.total).waitFor({ timeout: 15_000 });
    await expectEveryRowPaidOnce();
  }, 300_000);

  it("runs an administrator's deposits from a file, and lists the customer's runs under Transactions", async () => {
    const popup = await browser.popup();
    await popup.getByRole('button', { name: 'Sign out' }).click();
    await signIn(popup, 'admin', ADMIN_PASSWORD);
    await popup.getByText('Administrators manage the bank from the dashboard.').waitFor({ timeout: 15_000 });
    await popup.close();

    const deposits = payees.slice(0, 3).map((account, i) => ({ account, amount: (i + 1) * 1_000, memo: 'Opening correction' }));
    const total = deposits.reduce((sum, d) => sum + d.amount, 0);
    await options.close();
    options = await browser.options('#/payments');
    await expect.poll(() => options.getByLabel('Kind of run').inputValue(), { timeout: 15_000 }).toBe('deposits');
    await upload(options, 'corrections.csv', ['account,amount,memo', ...deposits.map((d) => `${d.account},${(d.amount / 100).toFixed(2)},${d.memo}`)].join('\n'));
    await reviewAndSend(options, total);
    await options.getByRole('progressbar', { name: `3 of 3 rows done · ${usd(total)} sent · 0 failures` }).waitFor({ timeout: 60_000 });
    await expect.poll(() => options.locator('#payments-run').innerText(), { timeout: 15_000 }).toMatch(/Finished/);

    for (const d of deposits) {
      const i = payees.indexOf(d.account);
      expect((await relay.relay.context.ledger.accountsOf(`payee_${i + 1}`))[0]!.balance, PAYEES[i]).toBe(owed.get(d.account)! + d.amount);
      expect((await allTransfers(admin, d.account)).filter((t) => t.memo === d.memo && t.amount === d.amount && t.to === d.account)).toHaveLength(1);
    }
    const adminRuns = (await admin.request('admin.run.list', { owner: 'admin' })).runs;
    expect(adminRuns).toEqual([expect.objectContaining({ owner: 'admin', kind: 'deposits', rows: 3, posted: 3, failed: 0, sent: total })]);

    // Transactions: the customers' runs the relay recorded, with who sent them and how many rows.
    const transactions = await browser.options('#/transactions');
    const runs = transactions.getByRole('region', { name: "Customers' recent payment runs" });
    await expect.poll(() => runs.getByRole('row').filter({ hasText: PAYER.username }).count(), { timeout: 15_000 }).toBe(2);
    for (const run of runsSent) {
      const row = await runs.getByRole('row').filter({ hasText: PAYER.username }).filter({ hasText: usd(run.total) }).innerText();
      expect(row.split('\t').map((cell) => cell.trim())).toEqual([PAYER.username, expect.any(String), 'Payments', count(ROWS), usd(run.total), count(ROWS), usd(run.total), '0']);
    }
  }, 180_000);
});
