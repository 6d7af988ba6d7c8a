import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { events, expectValidEvents, record, settle } from '../helpers/events.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';

/*
 * Every event of PROTOCOL §6 reaches exactly the sessions it names, over TCP and WebSocket
 * alike. "Got nothing" is checked after a settle period and then a ping round trip on that
 * same connection: the relay writes the events a request causes in the same step as (or before)
 * its answer, so once the cause has been answered and the watched connection's ping answer is
 * in, anything that was going to arrive there has arrived.
 */

const LARGE = 50_000;
const PASSWORD = 'event test password';

describe('events reach exactly the sessions they name', () => {
  let t: TestRelay;
  let admin: BankClient;
  let admin2: BankClient;
  const open: BankClient[] = [];
  const accounts = new Map<string, string>();

  async function signIn(kind: TransportKind, username: string): Promise<{ client: BankClient; token: string }> {
    const s = await loginAs(t, kind, username, PASSWORD);
    open.push(s.client);
    return s;
  }

  async function customer(username: string, displayName: string, openingDeposit?: number): Promise<string> {
    const { accounts: accts } = await admin.request('admin.user.create', {
      username,
      password: PASSWORD,
      displayName,
      role: 'user',
      ...(openingDeposit !== undefined && { openingDeposit }),
    });
    accounts.set(username, accts[0]!.account);
    return accts[0]!.account;
  }

  beforeAll(async () => {
    t = await startTestRelay({ largeTransferAlert: LARGE });
    admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    await admin.request('admin.user.create', { username: 'admin2', password: PASSWORD, displayName: 'Second Admin', role: 'admin' });
    admin2 = (await signIn('tcp', 'admin2')).client;
    await customer('alice', 'Alice Payer', 200_000);
    await customer('bob', 'Bob Payee');
    await customer('carol', 'Carol Bystander', 10_000);
  });
  afterAll(async () => {
    for (const c of [admin, ...open]) c?.close();
    await t?.stop();
  });

  it('a transfer: the payee\'s two sessions (TCP and WS) get transfer.received and balance.updated, the payer transfer.posted and balance.updated, nobody else anything', async () => {
    const bobTcp = (await signIn('tcp', 'bob')).client;
    const bobWs = (await signIn('ws', 'bob')).client;
    const alice = (await signIn('ws', 'alice')).client;
    const carol = (await signIn('tcp', 'carol')).client;
    const logs = new Map([bobTcp, bobWs, alice, carol, admin, admin2].map((c) => [c, record(c)]));
    const bobAcct = accounts.get('bob')!;
    const aliceAcct = accounts.get('alice')!;

    const id = randomUUID();
    const sent = await alice.request('transfer.create', { transferId: id, to: bobAcct, amount: 1_234, memo: 'for the tickets' });
    expect(sent.balance).toBe(200_000 - 1_234);
    await settle(bobTcp, bobWs, alice, carol, admin, admin2);

    for (const bob of [bobTcp, bobWs]) {
      const log = logs.get(bob)!;
      expectValidEvents(log);
      expect(events(log).map((e) => e.event).sort()).toEqual(['balance.updated', 'transfer.received']);
      expect(events(log, 'transfer.received')[0]!.data).toEqual({ transfer: sent.transfer });
      expect(events(log, 'balance.updated')[0]!.data).toEqual({ account: bobAcct, balance: 1_234, transferId: id });
    }
    const aliceLog = logs.get(alice)!;
    expectValidEvents(aliceLog);
    expect(events(aliceLog).map((e) => e.event).sort()).toEqual(['balance.updated', 'transfer.posted']);
    expect(events(aliceLog, 'transfer.posted')[0]!.data).toEqual({ transfer: sent.transfer });
    expect(events(aliceLog, 'balance.updated')[0]!.data).toEqual({ account: aliceAcct, balance: sent.balance, transferId: id });
    // A bystander and the admins (the amount is below the alert threshold) get nothing.
    for (const c of [carol, admin, admin2]) expect(logs.get(c), 'nothing for this connection').toEqual([]);
  });

  it('balance.updated events follow the ledger\'s order when transfers are pipelined, so the last one is the balance', async () => {
    const bob = (await signIn('ws', 'bob')).client;
    const alice = (await signIn('tcp', 'alice')).client;
    const bobLog = record(bob);
    const aliceLog = record(alice);
    const before = (await bob.request('account.balance', {})).balance;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => alice.request('transfer.create', { transferId: randomUUID(), to: accounts.get('bob')!, amount: 100 })),
    );
    await settle(bob, alice);
    const bobBalances = events(bobLog, 'balance.updated').map((e) => e.data.balance);
    expect(bobBalances).toEqual(Array.from({ length: 8 }, (_, i) => before + 100 * (i + 1)));
    const aliceBalances = events(aliceLog, 'balance.updated').map((e) => e.data.balance);
    expect(aliceBalances).toEqual([...results.map((r) => r.balance)].sort((a, b) => b - a));
    expect(aliceBalances.at(-1)).toBe((await alice.request('account.balance', {})).balance);
  });

  it('admin.alert registration reaches every admin session and no customer', async () => {
    const carol = (await signIn('ws', 'carol')).client;
    const logs = new Map([admin, admin2, carol].map((c) => [c, record(c)]));
    const anon = await connect(t, 'tcp');
    open.push(anon);
    expect(await anon.request('auth.register', { username: 'newbie', password: PASSWORD, displayName: 'New Bie' })).toEqual({ status: 'pending' });
    await settle(admin, admin2, carol, anon);
    for (const a of [admin, admin2]) {
      const alerts = events(logs.get(a)!, 'admin.alert');
      expectValidEvents(logs.get(a)!);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.data).toMatchObject({ kind: 'registration', data: { username: 'newbie' } });
      expect(alerts[0]!.data.message).toEqual(expect.any(String));
    }
    expect(logs.get(carol)).toEqual([]);
  });

  it('admin.alert lockout reaches every admin session once, when five bad passwords lock a user out', async () => {
    await customer('dora', 'Dora Forgetful');
    const carol = (await signIn('tcp', 'carol')).client;
    const logs = new Map([admin, admin2, carol].map((c) => [c, record(c)]));
    const anon = await connect(t, 'ws');
    open.push(anon);
    const codes: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const r = await anon.call('auth.login', { username: 'dora', password: `wrong guess ${i}` });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'LOCKED_OUT']);
    // While locked, even the right password is refused, and no second alert is raised.
    expect(await anon.call('auth.login', { username: 'dora', password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'LOCKED_OUT' } });
    await settle(admin, admin2, carol, anon);
    for (const a of [admin, admin2]) {
      expectValidEvents(logs.get(a)!);
      const alerts = events(logs.get(a)!, 'admin.alert');
      expect(alerts.map((e) => e.data.kind)).toEqual(['lockout']);
      expect(alerts[0]!.data).toMatchObject({ kind: 'lockout', data: { username: 'dora' } });
    }
    expect(logs.get(carol)).toEqual([]);
  });

  it('admin.alert large_transfer for a transfer, a deposit and a withdrawal at or above the threshold, and not below it', async () => {
    const alice = (await signIn('ws', 'alice')).client;
    const bob = (await signIn('tcp', 'bob')).client;
    const logs = new Map([admin, admin2, alice, bob].map((c) => [c, record(c)]));
    await alice.request('transfer.create', { transferId: randomUUID(), to: accounts.get('bob')!, amount: LARGE - 1 });
    const at = await alice.request('transfer.create', { transferId: randomUUID(), to: accounts.get('bob')!, amount: LARGE });
    const deposit = await admin.request('admin.account.deposit', { transferId: randomUUID(), account: accounts.get('carol')!, amount: LARGE });
    await admin.request('admin.account.deposit', { transferId: randomUUID(), account: accounts.get('carol')!, amount: LARGE - 1 });
    const withdrawal = await admin2.request('admin.account.withdraw', { transferId: randomUUID(), account: accounts.get('bob')!, amount: LARGE + 1 });
    await settle(admin, admin2, alice, bob);
    for (const a of [admin, admin2]) {
      const log = logs.get(a)!;
      expectValidEvents(log);
      const alerts = events(log, 'admin.alert');
      expect(alerts.map((e) => e.data.kind)).toEqual(['large_transfer', 'large_transfer', 'large_transfer']);
      expect(alerts.map((e) => (e.data.data as { transfer: { id: string } }).transfer.id)).toEqual([at.transfer.id, deposit.transfer.id, withdrawal.transfer.id]);
      expect(alerts[0]!.data.data).toMatchObject({ transfer: at.transfer });
      // Admins own no account: no money events for them.
      expect(events(log).filter((e) => e.event !== 'admin.alert')).toEqual([]);
    }
    for (const c of [alice, bob]) expect(events(logs.get(c)!, 'admin.alert')).toEqual([]);
  });

  it('freezing a user: admins get admin.alert frozen; each of the user\'s sessions gets account.status, then session.revoked, then is closed', async () => {
    const erinAcct = await customer('erin', 'Erin Frozen', 5_000);
    const erinTcp = await signIn('tcp', 'erin');
    const erinWs = await signIn('ws', 'erin');
    const carol = (await signIn('ws', 'carol')).client;
    const logs = new Map([erinTcp.client, erinWs.client, admin, admin2, carol].map((c) => [c, record(c)]));
    const closed = Promise.all([erinTcp.client.closedPromise(), erinWs.client.closedPromise()]);

    const { user } = await admin.request('admin.user.setStatus', { username: 'erin', status: 'frozen' });
    expect(user.status).toBe('frozen');
    await closed;
    await settle(admin, admin2, carol);

    for (const erin of [erinTcp.client, erinWs.client]) {
      const log = logs.get(erin)!;
      expectValidEvents(log);
      expect(log.map((l) => ('event' in l ? l.event : 'closed'))).toEqual(['account.status', 'session.revoked', 'closed']);
      expect(events(log, 'account.status')[0]!.data).toEqual({ account: erinAcct, username: 'erin', status: 'frozen' });
      expect(events(log, 'session.revoked')[0]!.data.reason).toEqual(expect.any(String));
    }
    expect(erinWs.client.closeReason).toContain('4002');
    for (const a of [admin, admin2]) {
      expectValidEvents(logs.get(a)!);
      const alerts = events(logs.get(a)!, 'admin.alert');
      expect(alerts.map((e) => e.data.kind)).toEqual(['frozen']);
      expect(alerts[0]!.data).toMatchObject({ kind: 'frozen', data: { username: 'erin' } });
    }
    expect(logs.get(carol)).toEqual([]);

    // The ended sessions cannot be resumed, and a frozen user cannot sign in.
    const c = await connect(t, 'tcp');
    open.push(c);
    for (const token of [erinTcp.token, erinWs.token]) {
      expect(await c.call('auth.resume', { token })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    }
    expect(await c.call('auth.login', { username: 'erin', password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'ACCOUNT_FROZEN' } });

    // Unfreezing: no admin alert; the user signs in again and finds the account active.
    const adminLog = record(admin);
    await admin.request('admin.user.setStatus', { username: 'erin', status: 'active' });
    const again = await signIn('ws', 'erin');
    const login = await again.client.request('account.list', {});
    expect(login.accounts).toEqual([expect.objectContaining({ account: erinAcct, status: 'active', balance: 5_000 })]);
    await settle(admin);
    expect(events(adminLog, 'admin.alert')).toEqual([]);
  });

  it('closing a user: each of their sessions gets account.status closed, then session.revoked, then is closed', async () => {
    const acct = await customer('hank', 'Hank Leaving');
    const hankTcp = await signIn('tcp', 'hank');
    const hankWs = await signIn('ws', 'hank');
    const logs = new Map([hankTcp.client, hankWs.client].map((c) => [c, record(c)]));
    const closed = Promise.all([hankTcp.client.closedPromise(), hankWs.client.closedPromise()]);
    expect((await admin.request('admin.user.setStatus', { username: 'hank', status: 'closed' })).user.status).toBe('closed');
    await closed;
    for (const hank of [hankTcp.client, hankWs.client]) {
      const log = logs.get(hank)!;
      expectValidEvents(log);
      expect(log.map((l) => ('event' in l ? l.event : 'closed'))).toEqual(['account.status', 'session.revoked', 'closed']);
      expect(events(log, 'account.status')[0]!.data).toEqual({ account: acct, username: 'hank', status: 'closed' });
    }
    expect(hankWs.client.closeReason).toContain('4002');
  });

  it('freezing a user who owns no account (an admin) still tells their sessions with account.status before session.revoked', async () => {
    // §6: account.status carries the user's status; `account` is optional for exactly this case.
    await admin.request('admin.user.create', { username: 'admin3', password: PASSWORD, displayName: 'Third Admin', role: 'admin' });
    const a3 = await signIn('ws', 'admin3');
    const log = record(a3.client);
    const closed = a3.client.closedPromise();
    await admin.request('admin.user.setStatus', { username: 'admin3', status: 'frozen' });
    await closed;
    expectValidEvents(log);
    expect(log.map((l) => ('event' in l ? l.event : 'closed'))).toEqual(['account.status', 'session.revoked', 'closed']);
    expect(events(log, 'account.status')[0]!.data).toEqual({ username: 'admin3', status: 'frozen' });
  });

  it('admin.session.revoke sends session.revoked to each of the user\'s connections, closes them, and their tokens no longer resume', async () => {
    await customer('frank', 'Frank Revoked');
    const frankTcp = await signIn('tcp', 'frank');
    const frankWs = await signIn('ws', 'frank');
    const detached = await signIn('tcp', 'frank');
    detached.client.close();
    const carol = await signIn('tcp', 'carol');
    const logs = new Map([frankTcp.client, frankWs.client, carol.client].map((c) => [c, record(c)]));
    const closed = Promise.all([frankTcp.client.closedPromise(), frankWs.client.closedPromise()]);

    expect(await admin.request('admin.session.revoke', { username: 'frank' })).toEqual({ revoked: 3 });
    await closed;
    for (const frank of [frankTcp.client, frankWs.client]) {
      const log = logs.get(frank)!;
      expectValidEvents(log);
      expect(log.map((l) => ('event' in l ? l.event : 'closed'))).toEqual(['session.revoked', 'closed']);
    }
    expect(frankWs.client.closeReason).toContain('4002');
    const c = await connect(t, 'ws');
    open.push(c);
    for (const token of [frankTcp.token, frankWs.token, detached.token]) {
      expect(await c.call('auth.resume', { token })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    }
    // Someone else's session is untouched.
    await settle(carol.client);
    expect(logs.get(carol.client)).toEqual([]);
    expect((await carol.client.call('account.balance', {})).ok).toBe(true);
    // Frank can still sign in again.
    expect((await c.call('auth.login', { username: 'frank', password: PASSWORD })).ok).toBe(true);
  });

  it('admin.monitor {on:true} streams monitor.request for other clients\' requests to that admin connection only; {on:false} stops it', async () => {
    const carol = (await signIn('tcp', 'carol')).client;
    const bob = (await signIn('ws', 'bob')).client;
    const anon = await connect(t, 'ws');
    open.push(anon);
    const watcher = record(admin);
    const bystander = record(admin2);
    expect(await admin.request('admin.monitor', { on: true })).toEqual({});

    await carol.request('account.balance', {});
    const refused = await bob.call('transfer.create', { transferId: randomUUID(), to: accounts.get('carol')!, amount: 4_000_000 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
    await anon.request('ping', {});
    await settle(admin, admin2);

    expectValidEvents(watcher);
    const seen = events(watcher, 'monitor.request').map((e) => e.data);
    expect(seen).toContainEqual({ op: 'account.balance', actor: 'carol', transport: 'tcp', ms: expect.any(Number), outcome: 'ok' });
    expect(seen).toContainEqual({ op: 'transfer.create', actor: 'bob', transport: 'ws', ms: expect.any(Number), outcome: 'INSUFFICIENT_FUNDS' });
    expect(seen).toContainEqual({ op: 'ping', actor: '', transport: 'ws', ms: expect.any(Number), outcome: 'ok' });
    for (const m of seen) expect(m.ms as number).toBeGreaterThanOrEqual(0);
    expect(events(bystander, 'monitor.request')).toEqual([]);

    expect(await admin.request('admin.monitor', { on: false })).toEqual({});
    const offAt = watcher.length;
    await carol.request('account.list', {});
    await bob.request('account.list', {});
    await settle(admin);
    expect(events(watcher.slice(offAt), 'monitor.request')).toEqual([]);
  });

  it('monitor.request names who acted: the user a sign-in signed in, the user for their sign-out, "" with no session', async () => {
    // docs/PROTOCOL.md §8: actor is the user the request acted as, or signed in as; "" when neither.
    expect(await admin.request('admin.monitor', { on: true })).toEqual({});
    try {
      const watcher = record(admin);
      const { client: carolTcp } = await signIn('tcp', 'carol');
      await carolTcp.request('account.list', {});
      await carolTcp.request('auth.logout', {});
      await settle(admin);
      const seen = events(watcher, 'monitor.request')
        .map((e) => e.data)
        .filter((d) => d.transport === 'tcp');
      expect(seen).toEqual([
        { op: 'auth.login', actor: 'carol', transport: 'tcp', ms: expect.any(Number), outcome: 'ok' },
        { op: 'account.list', actor: 'carol', transport: 'tcp', ms: expect.any(Number), outcome: 'ok' },
        { op: 'auth.logout', actor: 'carol', transport: 'tcp', ms: expect.any(Number), outcome: 'ok' },
      ]);
    } finally {
      await admin.request('admin.monitor', { on: false });
    }
  });
});

describe('admin.alert large_transfer in a currency without cents, and in one with three decimals', () => {
  it.each([
    ['JPY', 150_000, '150000 JPY'],
    ['BHD', 1_500_250, '1500.250 BHD'],
  ] as const)('%s: the amount in the currency\'s own decimals', async (currency, amount, shown) => {
    const t = await startTestRelay({ currency, largeTransferAlert: 1_000 });
    try {
      const admin = (await loginAs(t, 'ws', 'admin', ADMIN_PASSWORD)).client;
      const created = await admin.request('admin.user.create', { username: 'big_saver', password: 'big saver password', displayName: 'Big Saver', role: 'user' });
      const alert = admin.nextEvent('admin.alert', (e) => e.data.kind === 'large_transfer');
      await admin.request('admin.account.deposit', { transferId: randomUUID(), account: created.accounts[0]!.account, amount });
      expect((await alert).data.message).toContain(`large deposit of ${shown} from`);
      admin.close();
    } finally {
      await t.stop();
    }
  });
});
