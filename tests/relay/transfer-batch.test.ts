import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import type { BatchItemResult } from '../../common/schemas/ops.js';
import { events, expectValidEvents, record, settle } from '../helpers/events.js';
import { fullHistory } from '../helpers/ledger.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';

/*
 * `transfer.batch` over real sockets: its bounds, who may pay from what, what people are told,
 * what it costs of a connection's allowance, and that what it acknowledged survives a restart.
 * The rules item by item (order, refusals, replays, duplicates, atomic, audit) are in the
 * shared store suite, on both stores.
 */
const PASSWORD = 'batch test password';
const OPENING = 1_000_000;

describe('transfer.batch', () => {
  let t: TestRelay;
  let admin: BankClient;
  const open: BankClient[] = [];
  const accounts = new Map<string, string>();

  async function signIn(kind: 'tcp' | 'ws', username: string): Promise<BankClient> {
    const { client } = await loginAs(t, kind, username, PASSWORD);
    open.push(client);
    return client;
  }
  const item = (to: string, amount: number, extra: Record<string, unknown> = {}) => ({ transferId: randomUUID(), to: accounts.get(to)!, amount, ...extra });

  beforeAll(async () => {
    t = await startTestRelay({}, { keepData: true });
    admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    for (const u of ['payer', 'alice', 'bob', 'carol', 'dave', 'rich']) {
      const r = await admin.request('admin.user.create', { username: u, password: PASSWORD, displayName: u, role: 'user', openingDeposit: OPENING });
      accounts.set(u, r.accounts[0]!.account);
    }
  });
  afterAll(async () => {
    for (const c of [admin, ...open]) c?.close();
    await t?.stop();
  });

  it('takes 1 to 1,000 items: none or more is BAD_REQUEST naming the field, and a bad item is named by its place', async () => {
    const payer = await signIn('tcp', 'payer');
    const none = await payer.call('transfer.batch', { transfers: [] });
    expect(none).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^transfers: must hold at least one transfer/) } });
    const tooMany = await payer.call('transfer.batch', { transfers: Array.from({ length: 1001 }, () => item('alice', 1)) });
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^transfers: must hold at most 1000 transfers/) } });
    const badItem = await payer.call('transfer.batch', { transfers: [item('alice', 1), item('bob', 1.5)] });
    expect(badItem).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^transfers\[1\]\.amount: /) } });
    const badRun = await payer.call('transfer.batch', { transfers: [item('alice', 1)], runId: 'payroll-june' });
    expect(badRun).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^runId: must be a UUID/) } });
    // A full batch of 1,000 goes through with the default limits, in one answer.
    const full = await payer.request('transfer.batch', { transfers: Array.from({ length: 1000 }, (_, i) => item(['alice', 'bob', 'carol'][i % 3]!, 1)) });
    expect(full.results).toHaveLength(1000);
    expect(full.results.every((r) => r.ok)).toBe(true);
    expect((await payer.request('account.balance', {})).balance).toBe(OPENING - 1000);
  });

  it('refuses the whole batch, applying nothing, when an item pays from an account that is not the sender\'s', async () => {
    const payer = await signIn('ws', 'payer');
    const before = (await payer.request('account.balance', {})).balance;
    const r = await payer.call('transfer.batch', { transfers: [item('alice', 5), item('bob', 5, { from: accounts.get('carol') })] });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/^transfers\[1\]\.from: you have no account/) } });
    expect((await payer.request('account.balance', {})).balance).toBe(before);
  });

  it('tells each payee of each item, the payer\'s other sessions of each item, and everyone one balance per account, ending at the true one', async () => {
    const payer = await signIn('tcp', 'payer');
    const payerElsewhere = await signIn('ws', 'payer');
    const [alice, bob, carol] = [await signIn('ws', 'alice'), await signIn('tcp', 'bob'), await signIn('tcp', 'carol')];
    const logs = new Map([payer, payerElsewhere, alice, bob, carol].map((c) => [c, record(c)]));
    const items = [item('alice', 10), item('bob', 20), item('alice', 30), item('alice', 999_999_999), item('bob', 40)];
    const { results } = await payer.request('transfer.batch', { transfers: items });
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, true]);
    await settle(payer, payerElsewhere, alice, bob, carol);
    for (const log of logs.values()) expectValidEvents(log);
    const posted = (r: BatchItemResult) => (r.ok ? r.transfer.id : '');
    // Payees: one transfer.received per item they got, in order; one balance.updated, at the end, at their balance.
    const aliceLog = logs.get(alice)!;
    expect(events(aliceLog, 'transfer.received').map((e) => (e.data.transfer as { id: string }).id)).toEqual([posted(results[0]!), posted(results[2]!)]);
    expect(events(aliceLog, 'balance.updated').map((e) => e.data)).toEqual([{ account: accounts.get('alice'), balance: (await alice.request('account.balance', {})).balance, transferId: posted(results[2]!) }]);
    expect(events(aliceLog).at(-1)!.event).toBe('balance.updated');
    expect(events(logs.get(bob)!, 'transfer.received')).toHaveLength(2);
    expect(events(logs.get(bob)!, 'balance.updated').map((e) => e.data.balance)).toEqual([(await bob.request('account.balance', {})).balance]);
    // The sender has every item's answer already: no transfer.posted for them, only its final balance.
    const balance = (await payer.request('account.balance', {})).balance;
    expect(events(logs.get(payer)!).map((e) => e.event)).toEqual(['balance.updated']);
    expect(events(logs.get(payer)!)[0]!.data).toEqual({ account: accounts.get('payer'), balance, transferId: posted(results[4]!) });
    // The payer's other session is told of each posted item.
    expect(events(logs.get(payerElsewhere)!, 'transfer.posted').map((e) => (e.data.transfer as { id: string }).id)).toEqual(results.filter((r) => r.ok).map(posted));
    expect(events(logs.get(payerElsewhere)!, 'balance.updated').map((e) => e.data.balance)).toEqual([balance]);
    // A bystander hears nothing.
    expect(events(logs.get(carol)!)).toEqual([]);
    // Each payee's history holds the items, with running balances that agree.
    const history = await fullHistory(alice);
    expect(history.slice(0, 2).map((e) => e.transferId)).toEqual([posted(results[2]!), posted(results[0]!)]);
    expect(history[0]!.balanceAfter - history[0]!.amount).toBe(history[1]!.balanceAfter);
  });

  it('charges a batch more of the connection\'s allowance than one request: 1 + one per ten transfers', async () => {
    const limited = await startTestRelay({ requestRate: { perSecond: 1, burst: 30 } });
    try {
      const a = await connect(limited, 'tcp');
      await a.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
      const created = await a.request('admin.user.create', { username: 'payroll', password: PASSWORD, displayName: 'Payroll', role: 'user', openingDeposit: OPENING });
      const to = (await a.request('admin.user.create', { username: 'staff', password: PASSWORD, displayName: 'Staff', role: 'user' })).accounts[0]!.account;
      expect(created.accounts).toHaveLength(1);
      a.close();
      const c = await connect(limited, 'tcp');
      await c.request('auth.login', { username: 'payroll', password: PASSWORD });
      const batch = (n: number) => ({ transfers: Array.from({ length: n }, () => ({ transferId: randomUUID(), to, amount: 1 })) });
      // 29 requests' worth are left after the sign-in: a batch of 200 costs 21, a second one cannot be paid.
      expect((await c.call('transfer.batch', batch(200))).ok).toBe(true);
      const refused = await c.call('transfer.batch', batch(200));
      expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/a batch of 200 transfers costs 21 requests/) } });
      expect((await c.request('account.balance', {})).balance).toBe(OPENING - 200);
      c.close();
    } finally {
      await limited.stop();
    }
  });

  it('acknowledges only what is durable: after a restart every acknowledged item is there, once', async () => {
    const payer = await signIn('tcp', 'rich');
    const runId = randomUUID();
    const items = Array.from({ length: 300 }, (_, i) => item(['dave', 'alice'][i % 2]!, 1 + (i % 7)));
    const first = await payer.request('transfer.batch', { transfers: items, runId, atomic: true });
    expect(first.results.every((r) => r.ok)).toBe(true);
    const dataDir = t.dataDir;
    for (const c of [admin, ...open]) c.close();
    open.length = 0;
    await t.relay.close();
    t = await startTestRelay({ dataDir });
    admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const again = await signIn('ws', 'rich');
    // The same batch after the restart replays every item and moves nothing.
    const replayed = await again.request('transfer.batch', { transfers: items, runId, atomic: true });
    expect(replayed.results).toEqual(first.results);
    const sent = items.reduce((n, i) => n + i.amount, 0);
    expect((await again.request('account.balance', {})).balance).toBe(OPENING - sent);
    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
    expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });
  });
});
