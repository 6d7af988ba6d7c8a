import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { makeAccountNumber } from '../../common/account-number.js';
import type { Run } from '../../common/schemas/models.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, tempDir, type TestRelay } from '../helpers/relay.js';
import { fullHistory } from '../helpers/ledger.js';

/*
 * Payment runs over the protocol, on a real relay: a run is declared (run.start), its batches
 * are counted into it in the same durable write as the money, a file already paid is
 * recognised by its digest, and the payees of a file are looked up in bulk
 * (account.lookupMany) under a daily budget of distinct accounts.
 */

const DIGEST_A = 'a1'.repeat(32);
const DIGEST_B = 'b2'.repeat(32);

interface Bank {
  t: TestRelay;
  admin: BankClient;
  clients: BankClient[];
  /** Creates a customer (with an opening deposit) and answers their account. */
  customer(username: string, displayName: string, opening?: number): Promise<string>;
  signIn(username: string): Promise<BankClient>;
}

async function openBank(config: Parameters<typeof startTestRelay>[0] = {}): Promise<Bank> {
  const t = await startTestRelay(config);
  const clients: BankClient[] = [];
  const admin = await connect(t, 'ws');
  clients.push(admin);
  await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
  return {
    t,
    admin,
    clients,
    async customer(username, displayName, opening = 0) {
      const r = await admin.request('admin.user.create', { username, password: `${username} password`, displayName, role: 'user', ...(opening > 0 && { openingDeposit: opening }) });
      return r.accounts[0]!.account;
    },
    async signIn(username) {
      const { client } = await loginAs(t, 'tcp', username, `${username} password`);
      clients.push(client);
      return client;
    },
  };
}

async function closeBank(b: Bank | undefined): Promise<void> {
  for (const c of b?.clients ?? []) c.close();
  await b?.t.stop();
}

const payment = (to: string, amount: number, memo?: string) => ({ transferId: randomUUID(), to, amount, ...(memo !== undefined && { memo }) });

describe('payment runs', () => {
  let b: Bank;
  let payer: BankClient;
  let payees: string[];
  let frozen: string;
  beforeAll(async () => {
    b = await openBank({ defaultLimits: { perTransfer: 1_000_000, perDay: 100_000_000 }, largeTransferAlert: 1_000_000_000 });
    await b.customer('rita_payer', 'Rita Payer', 1_000_000);
    payees = [await b.customer('pia_one', 'Pia One'), await b.customer('paul_two', 'Paul Two'), await b.customer('pat_three', 'Pat Three')];
    frozen = await b.customer('fred_frozen', 'Fred Frozen');
    await b.admin.request('admin.user.setStatus', { username: 'fred_frozen', status: 'frozen' });
    payer = await b.signIn('rita_payer');
  });
  afterAll(() => closeBank(b));

  it('run.start records a run once: the same declaration again answers it, another under its id is a CONFLICT', async () => {
    const runId = randomUUID();
    const declared = { runId, kind: 'payments' as const, digest: DIGEST_A, rows: 3, total: 600 };
    const first = await payer.request('run.start', declared);
    expect(first.run).toMatchObject({ runId, owner: 'rita_payer', kind: 'payments', digest: DIGEST_A, rows: 3, total: 600, atomic: false, posted: 0, sent: 0, failed: 0 });
    expect(first.sameFile).toEqual([]);
    expect(await payer.request('run.start', declared)).toEqual(first);
    await expect(payer.request('run.start', { ...declared, total: 601 })).rejects.toMatchObject({ code: 'CONFLICT' });
    // Deposits and withdrawals are administrators' runs.
    await expect(payer.request('run.start', { ...declared, runId: randomUUID(), kind: 'deposits' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('counts each row once, in the same write as the money: replays are not counted again, a failed row stops being failed once it posts', async () => {
    const runId = randomUUID();
    const rows = [payment(payees[0]!, 100, 'salary'), payment(frozen, 200), payment(payees[1]!, 300)];
    await payer.request('run.start', { runId, kind: 'payments', digest: DIGEST_B, rows: 3, total: 600 });
    const first = await payer.request('transfer.batch', { transfers: rows, runId });
    expect(first.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'ACCOUNT_FROZEN', 'ok']);
    const runOf = async (): Promise<Run> => (await payer.request('run.list', {})).runs.find((r) => r.runId === runId)!;
    expect(await runOf()).toMatchObject({ posted: 2, sent: 400, failed: 1 });
    // The whole chunk again (a lost answer): nothing moves twice, nothing is counted twice.
    const again = await payer.request('transfer.batch', { transfers: rows, runId });
    expect(again.results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(await runOf()).toMatchObject({ posted: 2, sent: 400, failed: 1 });
    // The payee is unfrozen and the failed row sent again with its id: it posts, and is no longer failed.
    await b.admin.request('admin.user.setStatus', { username: 'fred_frozen', status: 'active' });
    const retried = await payer.request('transfer.batch', { transfers: [rows[1]!], runId });
    expect(retried.results[0]!.ok).toBe(true);
    expect(await runOf()).toMatchObject({ posted: 3, sent: 600, failed: 0 });
    await b.admin.request('admin.user.setStatus', { username: 'fred_frozen', status: 'frozen' });
    const history = await fullHistory(payer);
    for (const r of rows) expect(history.filter((e) => e.transferId === r.transferId)).toHaveLength(1);
  });

  it('account.list tells the payer their limits and what they have sent today, for a file\'s preview', async () => {
    const before = (await payer.request('account.list', {})).allowance!;
    expect(before).toMatchObject({ perTransfer: 1_000_000, perDay: 100_000_000 });
    await payer.request('transfer.batch', { transfers: [payment(payees[2]!, 250), payment(payees[2]!, 750)] });
    expect((await payer.request('account.list', {})).allowance).toEqual({ ...before, spentToday: before.spentToday + 1_000 });
  });

  it('recognises the same file: run.find and run.start answer the earlier runs of its digest, the person\'s own only', async () => {
    const found = await payer.request('run.find', { digest: DIGEST_B });
    expect(found.runs).toHaveLength(1);
    expect(found.runs[0]).toMatchObject({ digest: DIGEST_B, posted: 3, rows: 3 });
    const second = await payer.request('run.start', { runId: randomUUID(), kind: 'payments', digest: DIGEST_B, rows: 3, total: 600 });
    expect(second.sameFile.map((r) => r.runId)).toEqual([found.runs[0]!.runId]);
    // Another person uploading the same file has paid nothing of it.
    await b.customer('sam_other', 'Sam Other', 10_000);
    const sam = await b.signIn('sam_other');
    expect((await sam.request('run.find', { digest: DIGEST_B })).runs).toEqual([]);
  });

  it('refuses a batch naming another person\'s run, or a run of another kind, and moves nothing', async () => {
    const runId = randomUUID();
    await payer.request('run.start', { runId, kind: 'payments', digest: DIGEST_A, rows: 1, total: 100 });
    const sam = await b.signIn('sam_other');
    const before = (await sam.request('account.balance', {})).balance;
    await expect(sam.request('transfer.batch', { transfers: [payment(payees[0]!, 100)], runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await sam.request('account.balance', {})).balance).toBe(before);
    const adminRun = randomUUID();
    await b.admin.request('run.start', { runId: adminRun, kind: 'deposits', digest: DIGEST_A, rows: 1, total: 100 });
    await expect(b.admin.request('admin.account.batch', { kind: 'withdraw', items: [{ transferId: randomUUID(), account: payees[0]!, amount: 1 }], runId: adminRun })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const mine = await payer.request('run.list', {});
    expect(mine.runs.find((r) => r.runId === runId)).toMatchObject({ posted: 0, failed: 0 });
  });

  it('lists runs newest first, page by page, and an admin sees everyone\'s', async () => {
    const mine: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await payer.request('run.list', { limit: 2, ...(cursor !== undefined && { cursor }) });
      expect(page.runs.length).toBeLessThanOrEqual(2);
      mine.push(...page.runs.map((r) => r.runId));
      cursor = page.next;
    } while (cursor !== undefined);
    const all = (await payer.request('run.list', { limit: 500 })).runs;
    expect(mine).toEqual(all.map((r) => r.runId));
    expect(all.length).toBeGreaterThanOrEqual(4);
    const started = all.map((r) => r.createdAt);
    expect([...started].sort().reverse()).toEqual(started);
    const everyone = await b.admin.request('admin.run.list', { limit: 500 });
    expect(new Set(everyone.runs.map((r) => r.owner))).toEqual(new Set(['rita_payer', 'admin']));
    expect((await b.admin.request('admin.run.list', { owner: 'rita_payer', limit: 500 })).runs.map((r) => r.runId)).toEqual(mine);
    await expect(payer.request('run.list', { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('account.lookupMany', () => {
  let b: Bank;
  let accounts: { jane: string; john: string; closed: string; frozen: string; mine: string };
  beforeAll(async () => {
    b = await openBank({ bulkLookupsPerDay: 6, lookupsPerMinute: 1 });
    accounts = {
      mine: await b.customer('lena_looker', 'Lena Looker', 50_000),
      jane: await b.customer('jane_smith', 'Jane Smith'),
      john: await b.customer('john_doe', 'John Doe'),
      closed: await b.customer('cory_closed', 'Cory Closed'),
      frozen: await b.customer('frida_frozen', 'Frida Frozen'),
    };
    await b.admin.request('admin.user.setStatus', { username: 'cory_closed', status: 'closed' });
    await b.admin.request('admin.user.setStatus', { username: 'frida_frozen', status: 'frozen' });
  });
  afterAll(() => closeBank(b));

  it('answers every account in its place: masked names, or why it cannot be paid; the day\'s budget counts distinct accounts over every session', async () => {
    const lena = await b.signIn('lena_looker');
    const unknown = makeAccountNumber(987_654);
    const r = await lena.request('account.lookupMany', { accounts: [accounts.jane, unknown, accounts.closed, accounts.frozen, accounts.mine, accounts.jane] });
    expect(r.results).toEqual([
      { account: accounts.jane, ok: true, displayName: 'Jane S.' },
      { account: unknown, ok: false, error: { code: 'NOT_FOUND', message: `no account ${unknown}` } },
      // A closed account answers exactly as one that never existed.
      { account: accounts.closed, ok: false, error: { code: 'NOT_FOUND', message: `no account ${accounts.closed}` } },
      { account: accounts.frozen, ok: false, error: { code: 'ACCOUNT_FROZEN', message: expect.any(String) } },
      { account: accounts.mine, ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } },
      { account: accounts.jane, ok: true, displayName: 'Jane S.' },
    ]);
    // Five distinct accounts of six: one left. The same ones again cost nothing, on another session too.
    expect(r.remaining).toBe(1);
    const other = await b.signIn('lena_looker');
    expect((await other.request('account.lookupMany', { accounts: [accounts.jane, accounts.frozen] })).remaining).toBe(1);
    // Two new ones do not fit: refused whole, nothing looked up, nothing spent.
    await expect(other.request('account.lookupMany', { accounts: [accounts.john, makeAccountNumber(987_653)] })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect((await other.request('account.lookupMany', { accounts: [accounts.john] })).results[0]).toEqual({ account: accounts.john, ok: true, displayName: 'John D.' });
  });

  it('apart from account.lookup\'s per-minute limit; a run\'s refused rows spend the same daily budget', async () => {
    const lena = await b.signIn('lena_looker');
    // The per-minute allowance (1) is separate: one lookup still goes through, the next does not.
    expect((await lena.request('account.lookup', { account: accounts.jane })).displayName).toBe('Jane S.');
    await expect(lena.request('account.lookup', { account: accounts.jane })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // The day's budget is spent: a refused row to an account already looked up keeps its reason,
    // one to a new account is RATE_LIMITED, and the rows that pay go through.
    const rows = [payment(accounts.frozen, 10), payment(makeAccountNumber(987_652), 10), payment(accounts.jane, 10)];
    const r = await lena.request('transfer.batch', { transfers: rows });
    expect(r.results.map((x) => (x.ok ? 'ok' : x.error.code))).toEqual(['ACCOUNT_FROZEN', 'RATE_LIMITED', 'ok']);
  });
});

describe('a payment run across a restart of the relay', () => {
  it('pays every payee once when the run is sent again, whole, after the relay restarted mid-run', async () => {
    const dataDir = await tempDir();
    let b: Bank | undefined;
    try {
      b = await openBank({ dataDir, defaultLimits: { perTransfer: 1_000_000, perDay: 100_000_000 }, requestRate: { perSecond: 0, burst: 1 } });
      await b.customer('max_payroll', 'Max Payroll', 10_000_000);
      const staff = [await b.customer('sue_staff', 'Sue Staff'), await b.customer('tom_staff', 'Tom Staff'), await b.customer('uma_staff', 'Uma Staff')];
      const rows = Array.from({ length: 2_400 }, (_, i) => payment(staff[i % 3]!, 100 + (i % 7), `pay ${i}`));
      const total = rows.reduce((s, r) => s + r.amount, 0);
      const runId = randomUUID();
      let payroll = await b.signIn('max_payroll');
      await payroll.request('run.start', { runId, kind: 'payments', digest: DIGEST_A, rows: rows.length, total });
      const chunks = [rows.slice(0, 1_000), rows.slice(1_000, 2_000), rows.slice(2_000)];
      // The first chunk is answered; the second goes out and the relay stops under it.
      await payroll.request('transfer.batch', { transfers: chunks[0]!, runId });
      const inFlight = payroll.call('transfer.batch', { transfers: chunks[1]!, runId });
      await b.t.relay.close();
      await inFlight.catch(() => undefined);
      for (const c of b.clients) c.close();

      b = { ...(await openBank({ dataDir, defaultLimits: { perTransfer: 1_000_000, perDay: 100_000_000 }, requestRate: { perSecond: 0, burst: 1 } })) };
      payroll = await b.signIn('max_payroll');
      // Resumed as a client does: the same run, every chunk again with the same ids.
      expect((await payroll.request('run.start', { runId, kind: 'payments', digest: DIGEST_A, rows: rows.length, total })).run.runId).toBe(runId);
      for (const chunk of chunks) {
        const r = await payroll.request('transfer.batch', { transfers: chunk, runId });
        expect(r.results.every((x) => x.ok)).toBe(true);
      }
      const run = (await payroll.request('run.list', {})).runs[0]!;
      expect(run).toMatchObject({ runId, posted: rows.length, sent: total, failed: 0 });
      expect((await payroll.request('account.balance', {})).balance).toBe(10_000_000 - total);
      const paid = new Map<string, number>();
      for (const e of await fullHistory(payroll)) if (e.amount < 0) paid.set(e.transferId, (paid.get(e.transferId) ?? 0) + 1);
      expect(paid.size).toBe(rows.length);
      expect([...paid.values()].every((n) => n === 1)).toBe(true);
      expect(await b.admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
    } finally {
      await closeBank(b);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('counts a chunk sent on two connections at once exactly once', async () => {
    const b = await openBank({ defaultLimits: { perTransfer: 1_000_000, perDay: 100_000_000 } });
    try {
      await b.customer('vic_twice', 'Vic Twice', 1_000_000);
      const payee = await b.customer('wes_payee', 'Wes Payee');
      const [one, two] = [await b.signIn('vic_twice'), await b.signIn('vic_twice')];
      const runId = randomUUID();
      const rows = Array.from({ length: 150 }, (_, i) => payment(payee, 10 + i));
      const total = rows.reduce((s, r) => s + r.amount, 0);
      await one.request('run.start', { runId, kind: 'payments', digest: DIGEST_B, rows: rows.length, total });
      const answers = await Promise.all([one.request('transfer.batch', { transfers: rows, runId }), two.request('transfer.batch', { transfers: rows, runId })]);
      for (const a of answers) expect(a.results.every((r) => r.ok)).toBe(true);
      expect(answers[0]).toEqual(answers[1]);
      expect((await one.request('run.list', {})).runs[0]).toMatchObject({ posted: rows.length, sent: total, failed: 0 });
      expect((await one.request('account.balance', {})).balance).toBe(1_000_000 - total);
    } finally {
      await closeBank(b);
    }
  });
});
