import { randomUUID } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClient } from '../../relay/store/postgres/connect.js';
import type { BankClient } from '../../common/client/bank-client.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import { isBankError } from '../../common/errors.js';
import type { Transfer } from '../../common/schemas/models.js';
import { IDENTITY_FILE } from '../../relay/identity.js';
import { MAX_PAYLOAD } from '../../relay/store/postgres/event-hub.js';
import { allTransfers, allUsers, expectSameAnswers, prng } from '../helpers/ledger.js';
import { whileWriting } from '../helpers/load.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { ADMIN_PASSWORD, connect, startTestRelay, tempDir, type TestRelay, type TransportKind } from '../helpers/relay.js';

/*
 * At the relay level: two relays serving one bank from one PostgreSQL database, each
 * with its own data directory (it holds only the identity key, the same on both, as a load
 * balancer in front of them needs). Real relays, real sockets, a real PostgreSQL.
 */

const PASSWORD = 'two relays password';
let server: TestPostgres;
let relays: [TestRelay, TestRelay];
let url: string;
const dirs: string[] = [];
const open: BankClient[] = [];

async function client(t: TestRelay, kind: TransportKind): Promise<BankClient> {
  const c = await connect(t, kind, { pinnedFingerprint: relays[0].relay.fingerprint });
  open.push(c);
  return c;
}

async function signIn(t: TestRelay, kind: TransportKind, username: string, password = PASSWORD): Promise<{ client: BankClient; token: string }> {
  const c = await client(t, kind);
  const r = await c.request('auth.login', { username, password });
  return { client: c, token: r.token };
}

/** Two relays on a fresh database: B starts with A's identity key. */
async function startPair(database: string): Promise<[TestRelay, TestRelay]> {
  url = await server.createDatabase(database);
  const [dirA, dirB] = [await tempDir('bank-pg-a-'), await tempDir('bank-pg-b-')];
  dirs.push(dirA, dirB);
  const a = await startTestRelay({ store: url, dataDir: dirA });
  await copyFile(path.join(dirA, IDENTITY_FILE), path.join(dirB, IDENTITY_FILE));
  const b = await startTestRelay({ store: url, dataDir: dirB });
  return [a, b];
}

async function customers(admin: BankClient, prefix: string, n: number, openingDeposit: number): Promise<{ username: string; account: string }[]> {
  const out: { username: string; account: string }[] = [];
  for (let i = 0; i < n; i++) {
    const username = `${prefix}_${i}`;
    const r = await admin.request('admin.user.create', { username, password: PASSWORD, displayName: `${prefix} ${i}`, role: 'user', openingDeposit });
    out.push({ username, account: r.accounts[0]!.account });
  }
  return out;
}

/** Money conserved, none negative, every acknowledged transfer stored as acknowledged, both verifiers passing on both relays. */
async function expectSound(admins: BankClient[], acknowledged: Map<string, Transfer>): Promise<void> {
  for (const admin of admins) {
    const users = await allUsers(admin);
    const customerSum = users.flatMap((u) => u.accounts).reduce((s, a) => s + a.balance, 0);
    for (const a of users.flatMap((u) => u.accounts)) expect(a.balance, `${a.account} went negative`).toBeGreaterThanOrEqual(0);
    const cash = (await allTransfers(admin, CASH_ACCOUNT)).reduce((s, x) => s + (x.to === CASH_ACCOUNT ? x.amount : -x.amount), 0);
    expect(customerSum + cash, 'money is conserved').toBe(0);
    const stored = new Map((await allTransfers(admin)).map((t) => [t.id, t]));
    for (const [id, t] of acknowledged) expect(stored.get(id), `acknowledged transfer ${id}`).toEqual(t);
    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
    expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });
  }
}

beforeAll(async () => {
  server = await startPostgres();
  relays = await startPair('two_relays');
}, 120_000);

afterAll(async () => {
  for (const c of open) c.close();
  // A failed start leaves no relays, but its server must still stop.
  await Promise.all((relays ?? []).map((r) => r.stop()));
  await server?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('two relays on one PostgreSQL database', () => {
  it('serve one bank: the same identity, users, accounts and audit chain from either relay', async () => {
    const [a, b] = relays;
    expect(a.relay.fingerprint).toBe(b.relay.fingerprint);
    // The first relay created the admin and the cash account; the second found them.
    expect(a.relay.bootstrappedAdmin).toBeDefined();
    expect(b.relay.bootstrappedAdmin).toBeUndefined();
    const adminA = (await signIn(a, 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const adminB = (await signIn(b, 'ws', 'admin', ADMIN_PASSWORD)).client;
    const [made] = await customers(adminA, 'shared', 1, 5_000);
    const seenOnB = (await allUsers(adminB)).find((u) => u.username === made!.username);
    expect(seenOnB?.accounts).toEqual([{ account: made!.account, balance: 5_000, currency: 'USD', status: 'active' }]);
    const headA = (await adminA.request('admin.audit.query', { limit: 1 })).head;
    const headB = (await adminB.request('admin.audit.query', { limit: 1 })).head;
    expect(headB.seq).toBeGreaterThanOrEqual(headA.seq);
  });

  it('40 connections over both relays send random transfers: money conserved, none negative, every acknowledged one present', { timeout: 120_000 }, async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const adminB = (await signIn(relays[1], 'ws', 'admin', ADMIN_PASSWORD)).client;
    const people = await customers(adminA, 'load', 10, 200_000);
    const acknowledged = new Map<string, Transfer>();
    const refused = new Map<string, number>();
    const rand = prng(8);
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const me = people[i % people.length]!;
        const relay = relays[i % 2]!;
        const kind: TransportKind = Math.floor(i / 2) % 2 === 0 ? 'tcp' : 'ws';
        const { client: c } = await signIn(relay, kind, me.username);
        for (let n = 0; n < 25; n++) {
          let to = rand.pick(people);
          if (to.username === me.username) to = people[(people.indexOf(to) + 1) % people.length]!;
          try {
            const r = await c.request('transfer.create', { transferId: randomUUID(), to: to.account, amount: rand.int(1, 20_000) });
            acknowledged.set(r.transfer.id, r.transfer);
          } catch (err) {
            if (!isBankError(err)) throw err;
            refused.set(err.code, (refused.get(err.code) ?? 0) + 1);
          }
        }
      }),
    );
    // Only the bank's rules refuse: nothing in doubt, no deadlock, no INTERNAL.
    expect([...refused.keys()].filter((code) => code !== 'INSUFFICIENT_FUNDS' && code !== 'LIMIT_EXCEEDED')).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(500);
    await expectSound([adminA, adminB], acknowledged);
  });

  it('the payee on relay B gets transfer.received and balance.updated for a transfer made on relay A', async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const [payer, payee] = await customers(adminA, 'events', 2, 10_000);
    const onA = (await signIn(relays[0], 'tcp', payer!.username)).client;
    const onB = (await signIn(relays[1], 'ws', payee!.username)).client;
    const received = onB.nextEvent('transfer.received');
    const balance = onB.nextEvent('balance.updated');
    const posted = onA.nextEvent('transfer.posted');
    const r = await onA.request('transfer.create', { transferId: randomUUID(), to: payee!.account, amount: 1_234, memo: 'across relays' });
    expect((await received).data).toEqual({ transfer: r.transfer });
    expect((await balance).data).toEqual({ account: payee!.account, balance: 11_234, transferId: r.transfer.id });
    expect((await posted).data).toEqual({ transfer: r.transfer });
  });

  it('relay B tells its admin of a large transfer between people not connected there, and its payee of each item of a batch made on A', async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const adminB = (await signIn(relays[1], 'ws', 'admin', ADMIN_PASSWORD)).client;
    const [rich, other, payee] = await customers(adminA, 'ranges', 3, 3_000_000);
    const onA = (await signIn(relays[0], 'tcp', rich!.username)).client;
    const alert = adminB.nextEvent('admin.alert', (e) => (e.data as { kind?: string }).kind === 'large_transfer');
    const large = await onA.request('transfer.create', { transferId: randomUUID(), to: other!.account, amount: 1_500_000 });
    expect((await alert).data).toMatchObject({ kind: 'large_transfer', data: { transfer: large.transfer } });

    const onB = (await signIn(relays[1], 'tcp', payee!.username)).client;
    const received: Transfer[] = [];
    onB.onEvent((e) => {
      if (e.event === 'transfer.received') received.push((e.data as { transfer: Transfer }).transfer);
    });
    const balance = onB.nextEvent('balance.updated');
    const items = Array.from({ length: 5 }, (_, i) => ({ transferId: randomUUID(), to: payee!.account, amount: 100 + i }));
    const batch = await onA.request('transfer.batch', { transfers: items });
    const posted = batch.results.map((r) => (r.ok ? r.transfer : undefined));
    expect((await balance).data).toMatchObject({ account: payee!.account, balance: 3_000_000 + 510 });
    await expect.poll(() => received.length).toBe(5);
    expect(received).toEqual(posted);
  });

  it('relay B tells its payee of an item of a batch made on A that concerns more people than a notice can name, and nobody else', { timeout: 60_000 }, async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const payees = await customers(adminA, 'unnamed_xxxxxxxxxxxxxxxxxxx', 240, 1);
    expect(Buffer.byteLength(JSON.stringify(payees.map((p) => p.username))), 'the batch names too many people for one notice').toBeGreaterThan(MAX_PAYLOAD);
    const [payer, bystander] = await customers(adminA, 'unnamed_side', 2, 1_000_000);
    const onB = (await signIn(relays[1], 'ws', payees[7]!.username)).client;
    const otherOnB = (await signIn(relays[1], 'tcp', bystander!.username)).client;
    const heard: { event: string; data: unknown }[] = [];
    const stray: string[] = [];
    onB.onEvent((e) => heard.push({ event: e.event, data: e.data }));
    otherOnB.onEvent((e) => stray.push(e.event));
    const balance = onB.nextEvent('balance.updated');
    const onA = (await signIn(relays[0], 'tcp', payer!.username)).client;
    const batch = await onA.request('transfer.batch', { transfers: payees.map((p, i) => ({ transferId: randomUUID(), to: p.account, amount: 10 + i })) });
    expect((await balance).data).toMatchObject({ account: payees[7]!.account, balance: 18 });
    const mine = batch.results[7]!;
    expect(mine.ok).toBe(true);
    expect(heard).toEqual([
      { event: 'transfer.received', data: { transfer: mine.ok ? mine.transfer : undefined } },
      { event: 'balance.updated', data: { account: payees[7]!.account, balance: 18, transferId: mine.transferId } },
    ]);
    // A transfer after it reaches B too, so anything meant for the bystander would have come by now.
    const after = onB.nextEvent('transfer.received');
    await onA.request('transfer.create', { transferId: randomUUID(), to: payees[7]!.account, amount: 1 });
    await after;
    expect(stray).toEqual([]);
  });

  it('an admin on relay B hears a registration made on relay A', async () => {
    const adminB = (await signIn(relays[1], 'ws', 'admin', ADMIN_PASSWORD)).client;
    const alert = adminB.nextEvent('admin.alert', (e) => (e.data as { kind?: string }).kind === 'registration');
    const anonymous = await client(relays[0], 'tcp');
    await anonymous.request('auth.register', { username: 'newcomer', password: PASSWORD, displayName: 'New Comer' });
    expect((await alert).data).toMatchObject({ kind: 'registration', data: { username: 'newcomer' } });
  });

  it('a session made on relay A resumes on relay B with its token; ended on A, it is closed on B', async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const [me] = await customers(adminA, 'roaming', 1, 1_000);
    const { token } = await signIn(relays[0], 'tcp', me!.username);
    const onB = await client(relays[1], 'ws');
    const resumed = await onB.request('auth.resume', { token });
    expect(resumed.user.username).toBe(me!.username);
    expect(resumed.accounts).toEqual([{ account: me!.account, balance: 1_000, currency: 'USD', status: 'active' }]);
    // An admin on relay A freezes the user: their connection on relay B is told why and closed.
    const revoked = onB.nextEvent('session.revoked');
    const closed = onB.closedPromise();
    await adminA.request('admin.user.setStatus', { username: me!.username, status: 'frozen' });
    expect((await revoked).data).toEqual({ reason: 'this user was frozen by the bank' });
    await closed;
    const again = await client(relays[1], 'tcp');
    await expect(again.request('auth.resume', { token })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('a relay whose LISTEN connection is cut opens another, and events from the other relay reach its sessions again', { timeout: 60_000 }, async () => {
    const db = newClient(url);
    await db.connect();
    try {
      const listeners = async () => (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN bank_events' ORDER BY pid`)).rows.map((r) => r.pid);
      const before = await listeners();
      expect(before).toHaveLength(2);
      await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])', [before]);
      // Both relays listen again, on new connections, and say they serve.
      await expect.poll(async () => (await listeners()).filter((pid) => !before.includes(pid)).length, { timeout: 20_000 }).toBe(2);
      await expect.poll(() => relays.map((r) => r.relay.health().status), { timeout: 20_000 }).toEqual([200, 200]);
    } finally {
      await db.end();
    }
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const [payer, payee] = await customers(adminA, 'relisten', 2, 10_000);
    const onA = (await signIn(relays[0], 'tcp', payer!.username)).client;
    const onB = (await signIn(relays[1], 'ws', payee!.username)).client;
    const received = onB.nextEvent('transfer.received');
    const r = await onA.request('transfer.create', { transferId: randomUUID(), to: payee!.account, amount: 500 });
    expect((await received).data).toEqual({ transfer: r.transfer });
  });

  it('a session ended on relay A while relay B was not listening is closed on B once B listens again', { timeout: 60_000 }, async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const [me] = await customers(adminA, 'unheard', 1, 100);
    const { client: onA, token } = await signIn(relays[0], 'tcp', me!.username);
    const onB = await client(relays[1], 'ws');
    await onB.request('auth.resume', { token });
    const revoked = onB.nextEvent('session.revoked', undefined, 30_000);
    const db = newClient(url);
    await db.connect();
    try {
      const listeners = async () => (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN bank_events'`)).rows.map((r) => r.pid);
      const before = await listeners();
      await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])', [before]);
      // Gone, and the relays wait a second before they listen again: the sign-out's notice is heard by nobody.
      await expect.poll(async () => (await listeners()).length, { interval: 5 }).toBe(0);
      await onA.request('auth.logout', {});
      expect(await listeners()).toEqual([]);
    } finally {
      await db.end();
    }
    expect((await revoked).data).toEqual({ reason: 'this session was ended on another relay of the bank' });
    const again = await client(relays[1], 'tcp');
    await expect(again.request('auth.resume', { token })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('serves 10 hot accounts from both relays with no deadlock or in-doubt error reaching a client', { timeout: 120_000 }, async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const adminB = (await signIn(relays[1], 'ws', 'admin', ADMIN_PASSWORD)).client;
    const hot = await customers(adminA, 'hot', 10, 1_000_000);
    const acknowledged = new Map<string, Transfer>();
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const me = hot[i % hot.length]!;
        const { client: c } = await signIn(relays[i % 2]!, i % 4 < 2 ? 'tcp' : 'ws', me.username);
        const to = hot[(i + 1) % hot.length]!;
        // Each connection keeps 10 transfers in flight at once.
        for (let round = 0; round < 5; round++) {
          await Promise.all(
            Array.from({ length: 10 }, async () => {
              try {
                const r = await c.request('transfer.create', { transferId: randomUUID(), to: to.account, amount: 100 });
                acknowledged.set(r.transfer.id, r.transfer);
              } catch (err) {
                failures.push(isBankError(err) ? `${err.code}: ${err.message}` : String(err));
              }
            }),
          );
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(acknowledged.size).toBe(20 * 5 * 10);
    await expectSound([adminA, adminB], acknowledged);
  });

  it('copies of one transfer id (and of one batch) sent to both relays at once post once, warm and right after both restart', { timeout: 120_000 }, async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const [payer, payee] = await customers(adminA, 'dup', 2, 100_000);
    const balanceOf = async (admin: BankClient) => (await admin.request('admin.user.list', { query: payer!.username })).users[0]!.accounts[0]!.balance;
    let expected = 100_000;
    for (const when of ['warm', 'cold'] as const) {
      if (when === 'cold') {
        for (const c of open.splice(0)) c.close();
        const [dirA, dirB] = [relays[0].dataDir, relays[1].dataDir];
        await Promise.all(relays.map((r) => r.relay.close()));
        relays = [await startTestRelay({ store: url, dataDir: dirA }), await startTestRelay({ store: url, dataDir: dirB })];
      }
      const sessions = [
        (await signIn(relays[0], 'tcp', payer!.username)).client,
        (await signIn(relays[1], 'ws', payer!.username)).client,
        (await signIn(relays[0], 'ws', payer!.username)).client,
        (await signIn(relays[1], 'tcp', payer!.username)).client,
      ];
      const single = { transferId: randomUUID(), to: payee!.account, amount: 250 };
      expectSameAnswers(await Promise.all(sessions.flatMap((c) => Array.from({ length: 4 }, () => c.call('transfer.create', single)))));
      const batch = { transfers: Array.from({ length: 40 }, (_, i) => ({ transferId: randomUUID(), to: payee!.account, amount: 1 + i })) };
      expectSameAnswers(await Promise.all(sessions.flatMap((c) => Array.from({ length: 2 }, () => c.call('transfer.batch', batch)))));
      expected -= 250 + batch.transfers.reduce((n, x) => n + x.amount, 0);
      const admins = [(await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client, (await signIn(relays[1], 'ws', 'admin', ADMIN_PASSWORD)).client];
      for (const admin of admins) expect(await balanceOf(admin), `${when}: the payer's balance`).toBe(expected);
      await expectSound(admins, new Map());
    }
  });

  it('verify the bank while writers on both relays keep going, never raising a false alarm', { timeout: 120_000 }, async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const adminB = (await signIn(relays[1], 'ws', 'admin', ADMIN_PASSWORD)).client;
    const people = await customers(adminA, 'online', 8, 10_000_000);
    const writers = await Promise.all(people.map(async (p, i) => (await signIn(relays[i % 2]!, i % 4 < 2 ? 'tcp' : 'ws', p.username)).client));
    const { acknowledged, result } = await whileWriting(writers, people.map((p) => p.account), async () => {
      const verdicts: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        const admin = i % 2 === 0 ? adminA : adminB;
        verdicts.push(...(await Promise.all([admin.request('admin.audit.verify', {}), admin.request('admin.ledger.verify', {})])));
      }
      return verdicts;
    });
    expect(acknowledged).toBeGreaterThan(50);
    for (const v of result) expect(v).toMatchObject({ ok: true });
  });
});

describe('one user changed on two relays at once', () => {
  /** A fresh connection from a loopback address of its own, so these guesses use their own per-address allowance. */
  async function guessFrom(t: TestRelay, from: string, username: string, password: string) {
    const c = await connect(t, 'tcp', { pinnedFingerprint: relays[0].relay.fingerprint, from });
    try {
      return await c.call('auth.login', { username, password });
    } finally {
      c.close();
    }
  }

  it('wrong passwords sent to both relays at once all count: the user is locked out after as many as on one relay', { timeout: 60_000 }, async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const people = await customers(adminA, 'guessed', 5, 100);
    // Three wrong passwords on each relay for each user, all at once: the fifth of the six locks.
    const answers = await Promise.all(people.flatMap((p) => relays.flatMap((t) => [1, 2, 3].map(() => guessFrom(t, '127.0.0.3', p.username, 'not the password')))));
    for (const a of answers) expect(a).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^(UNAUTHENTICATED|LOCKED_OUT)$/) } });
    for (const p of people) {
      for (const t of relays) expect(await guessFrom(t, '127.0.0.3', p.username, PASSWORD), `${p.username} is locked out`).toMatchObject({ ok: false, error: { code: 'LOCKED_OUT' } });
    }
  });

  it('a password reset on one relay survives sign-ins on the other that clear earlier failures', { timeout: 60_000 }, async () => {
    const adminA = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const adminB = (await signIn(relays[1], 'ws', 'admin', ADMIN_PASSWORD)).client;
    const people = await customers(adminA, 'reset', 8, 100);
    // One failure each, so that a correct sign-in writes the user's record (to forget it).
    for (const p of people) await guessFrom(relays[0], '127.0.0.4', p.username, 'not the password');
    const NEW = 'a brand new password';
    await Promise.all(
      people.flatMap((p) => [
        guessFrom(relays[0], '127.0.0.4', p.username, PASSWORD),
        adminB.request('admin.user.update', { username: p.username, password: NEW }),
      ]),
    );
    for (const p of people) {
      for (const t of relays) {
        expect(await guessFrom(t, '127.0.0.5', p.username, NEW), `${p.username}'s new password`).toMatchObject({ ok: true });
      }
    }
  });

  it('a registration approved on both relays at once is approved once, with one account', { timeout: 60_000 }, async () => {
    const admins = [(await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client, (await signIn(relays[1], 'ws', 'admin', ADMIN_PASSWORD)).client];
    for (let round = 0; round < 6; round++) {
      const username = `approved_${round}`;
      const anonymous = await connect(relays[round % 2]!, 'tcp', { pinnedFingerprint: relays[0].relay.fingerprint, from: '127.0.0.6' });
      await anonymous.request('auth.register', { username, password: PASSWORD, displayName: `Approved ${round}` });
      anonymous.close();
      const answers = await Promise.all(admins.map((a) => a.call('admin.registration.decide', { username, approve: true })));
      expect(answers.filter((a) => a.ok), `round ${round}`).toHaveLength(1);
      expect(answers.find((a) => !a.ok)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      const user = (await allUsers(admins[0]!)).find((u) => u.username === username);
      expect(user?.accounts, `round ${round}: ${username}'s accounts`).toHaveLength(1);
    }
  });

  it('one payment run sent to both relays at once, chunk by chunk: every payee paid once, the run counted exactly', { timeout: 60_000 }, async () => {
    const admin = (await signIn(relays[0], 'tcp', 'admin', ADMIN_PASSWORD)).client;
    const [payer, ...payees] = await customers(admin, 'run_pg', 4, 5_000_000);
    await admin.request('admin.user.update', { username: payer!.username, limits: { perTransfer: 1_000_000, perDay: 100_000_000 } });
    const on = [(await signIn(relays[0], 'tcp', payer!.username)).client, (await signIn(relays[1], 'ws', payer!.username)).client];
    const rows = Array.from({ length: 600 }, (_, i) => ({ transferId: randomUUID(), to: payees[i % payees.length]!.account, amount: 100 + i }));
    const total = rows.reduce((s, r) => s + r.amount, 0);
    const runId = randomUUID();
    const declared = { runId, kind: 'payments' as const, digest: 'd4'.repeat(32), rows: rows.length, total };
    // Both relays are asked to start it at once: one run.
    const starts = await Promise.all(on.map((c) => c.request('run.start', declared)));
    expect(starts[0]!.run).toEqual(starts[1]!.run);
    for (let at = 0; at < rows.length; at += 200) {
      const chunk = rows.slice(at, at + 200);
      const answers = await Promise.all(on.map((c) => c.request('transfer.batch', { transfers: chunk, runId })));
      for (const a of answers) expect(a.results.every((r) => r.ok)).toBe(true);
    }
    for (const c of on) expect((await c.request('run.list', {})).runs[0]).toMatchObject({ runId, posted: rows.length, sent: total, failed: 0 });
    expect((await on[1]!.request('account.balance', {})).balance).toBe(5_000_000 - total);
    for (const p of payees) {
      const owed = rows.filter((r) => r.to === p.account).reduce((s, r) => s + r.amount, 0);
      expect((await allUsers(admin)).find((u) => u.username === p.username)!.accounts[0]!.balance).toBe(5_000_000 + owed);
    }
    await expectSound([admin], new Map());
  });
});
