import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, loginAs, startTestRelay, type TestRelay } from '../../helpers/relay.js';
import type { BankClient } from '../../../common/client/bank-client.js';
import { events, record } from '../../helpers/events.js';
import { promValue, scrape } from '../../helpers/prom.js';
import { legacyConnect } from '../../helpers/legacy.js';

/*
 * The Qt client signs in on one connection and works on another (LEGACY-PROTOCOL §1.1): the
 * Login's grant binds the next connection from the same address. And a legacy request is an
 * ordinary request of the relay: a transfer reaches the payee over bankrelay/1, the monitor and
 * /metrics show transport `legacy`.
 */

let t: TestRelay;
let port: number;
let admin: BankClient;
const acct: Record<string, string> = {};
const DENIED = 'Permission Denied Only users who are logged in Have the privilege of such feature........';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await startTestRelay({ legacyPort: 0 });
  port = t.relay.legacyAddress!.port;
  admin = (await loginAs(t, 'tcp', 'admin', ADMIN_PASSWORD)).client;
  for (const [username, amount] of [['payer_one', 100000], ['payee_one', 0], ['other_one', 5000]] as const) {
    const { accounts } = await admin.request('admin.user.create', { username, password: `${username}-pass`, displayName: username, role: 'user' });
    acct[username] = accounts[0]!.account;
    if (amount > 0) await admin.request('admin.account.deposit', { transferId: crypto.randomUUID(), account: acct[username]!, amount });
  }
});

afterAll(async () => {
  admin?.close();
  await t?.stop();
});

/** The Qt client's way: Login on one connection, which it drops, then the dashboard on a new one. */
async function dashboardAfterLogin(name: string, password: string, from?: string) {
  const login = await legacyConnect(port, from);
  expect(JSON.parse(await login.send('Login', [name, password])).pass).toBe(true);
  login.close();
  await sleep(50);
  return legacyConnect(port, from);
}

describe('binding the dashboard to the Login', () => {
  it('the next connection from the same address takes the sign-in; the one after does not', async () => {
    const dash = await dashboardAfterLogin('payer_one', 'payer_one-pass', '127.0.0.2');
    expect(await dash.send('ViewAccountbalance', [acct.payer_one!])).toBe(`user Account : ${acct.payer_one}  - user Balance : 1000`);
    const third = await legacyConnect(port, '127.0.0.2');
    expect(await third.send('ViewAccountbalance', [acct.payer_one!])).toBe(DENIED);
    dash.close();
    third.close();
  });

  it('a connection from another address does not take it', async () => {
    const login = await legacyConnect(port, '127.0.0.3');
    expect(JSON.parse(await login.send('Login', ['payer_one', 'payer_one-pass'])).pass).toBe(true);
    login.close();
    const stranger = await legacyConnect(port, '127.0.0.4');
    expect(await stranger.send('ViewAccountbalance', [acct.payer_one!])).toBe(DENIED);
    const owner = await legacyConnect(port, '127.0.0.3');
    expect(await owner.send('ViewAccountbalance', [acct.payer_one!])).toBe(`user Account : ${acct.payer_one}  - user Balance : 1000`);
    stranger.close();
    owner.close();
  });

  it('two people signing in behind one address at once: neither grant binds', async () => {
    for (const [name, pw] of [['payer_one', 'payer_one-pass'], ['other_one', 'other_one-pass']]) {
      const login = await legacyConnect(port, '127.0.0.5');
      expect(JSON.parse(await login.send('Login', [name!, pw!])).pass).toBe(true);
      login.close();
    }
    const dash = await legacyConnect(port, '127.0.0.5');
    expect(await dash.send('ViewAccountbalance', [acct.payer_one!])).toBe(DENIED);
    expect(await dash.send('ViewAccountbalance', [acct.other_one!])).toBe(DENIED);
    dash.close();
    const audit = await admin.request('admin.audit.query', { action: 'legacy.grant', limit: 500 });
    expect(audit.entries.some((e) => e.outcome === 'ambiguous')).toBe(true);
    expect(audit.entries.some((e) => e.outcome === 'claimed' && (e.details as { legacy?: boolean }).legacy === true)).toBe(true);
  });

  it('the session ends when the dashboard disconnects', async () => {
    const before = (await admin.request('admin.session.list', {})).sessions.filter((s) => s.username === 'other_one').length;
    const dash = await dashboardAfterLogin('other_one', 'other_one-pass', '127.0.0.6');
    expect(await dash.send('GetAccountnumber', ['other_one'])).toBe(`User Name : other_one   -  Account Number -> ${acct.other_one}`);
    expect((await admin.request('admin.session.list', {})).sessions.filter((s) => s.username === 'other_one' && s.transport === 'legacy')).toHaveLength(1);
    dash.close();
    await sleep(200);
    expect((await admin.request('admin.session.list', {})).sessions.filter((s) => s.username === 'other_one').length).toBe(before);
  });

  it('with legacyBinding "connection", only a Login on the same connection signs it in', async () => {
    const strict = await startTestRelay({ legacyPort: 0, legacyBinding: 'connection' });
    try {
      const { accounts } = await (await loginAs(strict, 'tcp', 'admin', ADMIN_PASSWORD)).client.request('admin.user.create', { username: 'solo_user', password: 'solo-user-pass', displayName: 'solo', role: 'user' });
      const login = await legacyConnect(strict.relay.legacyAddress!.port);
      expect(JSON.parse(await login.send('Login', ['solo_user', 'solo-user-pass'])).pass).toBe(true);
      expect(await login.send('ViewAccountbalance', [accounts[0]!.account])).toBe(`user Account : ${accounts[0]!.account}  - user Balance : 0`);
      const next = await legacyConnect(strict.relay.legacyAddress!.port);
      expect(await next.send('ViewAccountbalance', [accounts[0]!.account])).toBe(DENIED);
      login.close();
      next.close();
    } finally {
      await strict.stop();
    }
  });
});

describe('a legacy request is an ordinary request of the relay', () => {
  it('a TransferAmount reaches the payee over bankrelay/1 as a normal transfer, with history and audit', async () => {
    const payee = (await loginAs(t, 'ws', 'payee_one', 'payee_one-pass')).client;
    const log = record(payee);
    await admin.request('admin.monitor', { on: true });
    const seen = record(admin);
    const dash = await dashboardAfterLogin('payer_one', 'payer_one-pass');
    expect(await dash.send('TransferAmount', [acct.payer_one!, acct.payee_one!, '12.50'])).toBe(
      `Money transferred from account: ${acct.payer_one} to account: ${acct.payee_one} successfully.`,
    );
    await sleep(100);
    const received = events(log, 'transfer.received');
    expect(received).toHaveLength(1);
    const transfer = (received[0]!.data as { transfer: { id: string; from: string; to: string; amount: number } }).transfer;
    expect(transfer).toMatchObject({ from: acct.payer_one, to: acct.payee_one, amount: 1250 });
    expect(events(log, 'balance.updated')[0]!.data).toMatchObject({ account: acct.payee_one, balance: 1250 });
    const history = await payee.request('account.history', {});
    expect(history.entries[0]).toMatchObject({ transferId: transfer.id, amount: 1250, counterparty: acct.payer_one });
    const audit = await admin.request('admin.audit.query', { action: 'transfer.create', limit: 500 });
    expect(audit.entries.find((e) => e.target === transfer.id)).toMatchObject({ actor: 'payer_one', outcome: 'posted' });
    const monitored = events(seen, 'monitor.request').map((e) => e.data as { op: string; transport: string; actor: string });
    expect(monitored).toContainEqual(expect.objectContaining({ op: 'transfer.create', transport: 'legacy', actor: 'payer_one' }));

    const stats = await admin.request('admin.stats', {});
    expect((stats.connections as { legacy?: number }).legacy).toBeGreaterThanOrEqual(1);
    const { samples } = await scrape(t.wsPort);
    expect(promValue(samples, 'bankrelay_connections', { transport: 'legacy' })).toBeGreaterThanOrEqual(1);
    expect(promValue(samples, 'bankrelay_legacy_commands_total', { command: 'TransferAmount', outcome: 'answered' })).toBe(1);
    dash.close();
    payee.close();
    await admin.request('admin.monitor', { on: false });
  });

  it('sign-in throttling applies: repeated failures lock the user out', async () => {
    const s = await legacyConnect(port, '127.0.0.7');
    for (let i = 0; i < 4; i++) expect(JSON.parse(await s.send('Login', ['other_one', 'wrong'])).message).toBe('Incorrect password for user other_one.');
    expect(JSON.parse(await s.send('Login', ['other_one', 'wrong'])).message).toBe('User other_one is locked out after too many failed sign-ins; try again later.');
    expect(JSON.parse(await s.send('Login', ['other_one', 'other_one-pass'])).pass).toBe(false);
    s.close();
  });
});
