import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { Entry, Transfer } from '../../common/schemas/models.js';
import { ADMIN_PASSWORD, connect, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';
import { allTransfers, balancesByAccount, chainProblems, fullHistory, prng } from '../helpers/ledger.js';

/*
 * "50 concurrent connections over TCP and WebSocket send random transfers among 20
 * accounts for a few seconds; afterwards balances match the entries, the sum is 0, no balance
 * is negative, and every acknowledged transfer is in the history." Real relay, real LevelDB.
 */

const CUSTOMERS = 20;
const CONNECTIONS = 50; // 25 TCP + 25 WebSocket, 2–3 per customer
const LOAD_MS = 3_000; // the load stops at this time...
const MAX_PER_CONNECTION = 160; // ...or at this many requests per connection, whichever comes first,
const MIN_PER_CONNECTION = 10; // but every connection sends at least this many, however slow the machine
const MAX_PIPELINE = 4; // requests a connection keeps in flight at once (1..4, chosen per connection)

interface Customer {
  username: string;
  password: string;
  account: string;
  opening: number;
}

interface Acked {
  id: string;
  from: string;
  to: string;
  amount: number;
  memo?: string;
  result: { transfer: Transfer; balance: number };
}

describe('50 connections moving money among 20 accounts at once', () => {
  let t: TestRelay;
  let admin: BankClient;
  const customers: Customer[] = [];
  const conns: { client: BankClient; customer: Customer; kind: TransportKind }[] = [];
  /** Per customer, one of their connections (for history and balance reads). */
  const reader = new Map<string, BankClient>();
  const acked: Acked[] = [];
  const refusals = new Map<string, number>();
  let sent = 0;
  /** Full passes through c00's history made by an observer while the load ran. */
  const observerPasses: Entry[][] = [];

  beforeAll(async () => {
    // Limits, the large-transfer alert and the request rate are not under test here: keep them
    // out of the way (the observer below pages as fast as the relay answers, past 50 a second
    // on a fast machine).
    t = await startTestRelay({
      defaultLimits: { perTransfer: 1_000_000_000, perDay: 1_000_000_000_000 },
      largeTransferAlert: 1_000_000_000_000,
      requestRate: { perSecond: 0, burst: 1 },
    });
    admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const rnd = prng(7);
    const made = await Promise.all(
      Array.from({ length: CUSTOMERS }, async (_, i) => {
        const username = `c${String(i).padStart(2, '0')}`;
        const password = `${username} password`;
        const opening = rnd.int(50_000, 200_000);
        const r = await admin.request('admin.user.create', { username, password, displayName: `Customer ${i}`, role: 'user', openingDeposit: opening });
        expect(r.accounts[0]!.balance).toBe(opening);
        return { username, password, account: r.accounts[0]!.account, opening };
      }),
    );
    customers.push(...made);
    const signedIn = await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, i) => {
        const customer = customers[i % CUSTOMERS]!;
        const kind: TransportKind = i < CONNECTIONS / 2 ? 'tcp' : 'ws';
        const client = await connect(t, kind);
        await client.request('auth.login', { username: customer.username, password: customer.password });
        return { client, customer, kind };
      }),
    );
    conns.push(...signedIn);
    for (const c of conns) if (!reader.has(c.customer.username)) reader.set(c.customer.username, c.client);
  });
  afterAll(async () => {
    for (const c of [admin, ...conns.map((x) => x.client)]) c?.close();
    await t?.stop();
  });

  it('runs the load: every answer is either an acknowledgement or INSUFFICIENT_FUNDS', async () => {
    expect(conns.filter((c) => c.kind === 'tcp')).toHaveLength(25);
    expect(conns.filter((c) => c.kind === 'ws')).toHaveLength(25);
    for (const cu of customers) {
      const kinds = new Set(conns.filter((c) => c.customer === cu).map((c) => c.kind));
      expect(kinds.size, `${cu.username} has connections over both transports`).toBe(2);
    }

    // An observer: c00 on a connection of its own, paging its history (small pages) again and
    // again while money keeps arriving and leaving between page reads.
    const observer = await connect(t, 'ws');
    await observer.request('auth.login', { username: customers[0]!.username, password: customers[0]!.password });
    const deadline = Date.now() + LOAD_MS;

    let loadDone = false;
    const observing = (async () => {
      while (!loadDone) observerPasses.push(await fullHistory(observer, undefined, 7));
    })();

    const workers = conns.map(async ({ client, customer }, index) => {
      const rnd = prng(1_000 + index);
      const pipeline = rnd.int(1, MAX_PIPELINE);
      let count = 0;
      const lane = async () => {
        while (count < MAX_PER_CONNECTION && (count < MIN_PER_CONNECTION || Date.now() < deadline)) {
          count++;
          let payee = customers[rnd.int(0, CUSTOMERS - 1)]!;
          if (payee === customer) payee = customers[(customers.indexOf(customer) + 1) % CUSTOMERS]!;
          // One in eight asks for more than anyone holds at the start: INSUFFICIENT_FUNDS, mostly.
          const amount = rnd.next() < 0.125 ? rnd.int(150_000, 900_000) : rnd.int(1, 9_000);
          const memo = rnd.next() < 0.3 ? `m${rnd.int(0, 99)}` : undefined;
          const id = randomUUID();
          const args = { transferId: id, to: payee.account, amount, ...(memo !== undefined && { memo }) };
          sent++;
          const r = await client.call('transfer.create', args);
          if (r.ok) {
            acked.push({ id, from: customer.account, to: payee.account, amount, ...(memo !== undefined && { memo }), result: r.result as Acked['result'] });
          } else {
            refusals.set(r.error.code, (refusals.get(r.error.code) ?? 0) + 1);
          }
        }
      };
      await Promise.all(Array.from({ length: pipeline }, lane));
    });
    await Promise.all(workers);
    loadDone = true;
    await observing;
    observer.close();

    expect([...refusals.keys()].filter((code) => code !== 'INSUFFICIENT_FUNDS'), JSON.stringify([...refusals])).toEqual([]);
    expect(acked.length + (refusals.get('INSUFFICIENT_FUNDS') ?? 0)).toBe(sent);
    // The load must have been a real one, with refusals among the acknowledgements.
    expect(sent).toBeGreaterThanOrEqual(CONNECTIONS * MIN_PER_CONNECTION);
    expect(acked.length).toBeGreaterThan(100);
    expect(refusals.get('INSUFFICIENT_FUNDS') ?? 0).toBeGreaterThan(5);
    for (const a of acked) {
      expect(a.result.transfer).toMatchObject({ id: a.id, from: a.from, to: a.to, amount: a.amount, status: 'posted' });
      expect(a.result.transfer.memo).toBe(a.memo);
      expect(a.result.balance).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(acked.map((a) => a.id)).size).toBe(acked.length);
  });

  it('keeps the books: verify passes, the sum is 0, and every balance is opening + acknowledged in − out', async () => {
    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0, accounts: CUSTOMERS + 1, transfers: CUSTOMERS + acked.length });
    const expected = new Map(customers.map((c) => [c.account, c.opening]));
    for (const a of acked) {
      expected.set(a.from, expected.get(a.from)! - a.amount);
      expected.set(a.to, expected.get(a.to)! + a.amount);
    }
    const listed = await balancesByAccount(admin);
    let customersTotal = 0;
    for (const c of customers) {
      const own = await reader.get(c.username)!.request('account.balance', {});
      expect(own.balance, `${c.username} (account.balance)`).toBe(expected.get(c.account));
      expect(listed.get(c.account), `${c.username} (admin.user.list)`).toBe(expected.get(c.account));
      expect(own.balance, `${c.username} is negative`).toBeGreaterThanOrEqual(0);
      customersTotal += own.balance;
    }
    // All the money there is came in through the opening deposits.
    expect(customersTotal).toBe(customers.reduce((s, c) => s + c.opening, 0));
  });

  it('has every acknowledged transfer exactly once in the payer\'s and the payee\'s history, and nothing else', async () => {
    const byId = new Map(acked.map((a) => [a.id, a]));
    for (const c of customers) {
      const history = await fullHistory(reader.get(c.username)!);
      expect(chainProblems(history, true), `${c.username}'s history`).toEqual([]);
      const mine = acked.filter((a) => a.from === c.account || a.to === c.account);
      // One opening deposit plus one entry per acknowledged transfer touching the account.
      expect(history).toHaveLength(1 + mine.length);
      const oldest = history[history.length - 1]!;
      expect(oldest).toMatchObject({ amount: c.opening, counterparty: CASH_ACCOUNT, balanceAfter: c.opening });
      const seen = new Map<string, number>();
      for (const e of history.slice(0, -1)) {
        seen.set(e.transferId, (seen.get(e.transferId) ?? 0) + 1);
        const a = byId.get(e.transferId);
        expect(a, `${c.username} has an entry for ${e.transferId}, which was never acknowledged`).toBeDefined();
        if (a!.from === c.account) expect(e).toMatchObject({ amount: -a!.amount, counterparty: a!.to, ts: a!.result.transfer.ts });
        else expect(e).toMatchObject({ amount: a!.amount, counterparty: a!.from, ts: a!.result.transfer.ts });
        expect(e.memo).toBe(a!.memo);
        if (a!.from === c.account) expect(e.balanceAfter).toBe(a!.result.balance);
      }
      for (const a of mine) expect(seen.get(a.id), `${a.id} in ${c.username}'s history`).toBe(1);
    }
  });

  it('lists every acknowledged transfer exactly once in admin.transfer.list, and nothing unacknowledged', async () => {
    const all = await allTransfers(admin, undefined, 313); // an odd page size, to page many times
    const customerTransfers = all.filter((x) => x.from !== CASH_ACCOUNT);
    expect(all.filter((x) => x.from === CASH_ACCOUNT)).toHaveLength(CUSTOMERS);
    expect(customerTransfers).toHaveLength(acked.length);
    expect(new Set(all.map((x) => x.id)).size).toBe(all.length);
    const byId = new Map(acked.map((a) => [a.id, a]));
    for (const x of customerTransfers) expect(x).toEqual(byId.get(x.id)?.result.transfer);
    // Per account, through the account filter, paging too.
    for (const c of customers.slice(0, 4)) {
      const ids = (await allTransfers(admin, c.account, 50)).map((x) => x.id);
      const expectedIds = acked.filter((a) => a.from === c.account || a.to === c.account).map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.filter((id) => byId.has(id)).sort()).toEqual(expectedIds.sort());
    }
    expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });
  });

  it('kept history paging exact while transfers arrived between page reads (observer under load)', () => {
    expect(observerPasses.length).toBeGreaterThan(0);
    for (const pass of observerPasses) expect(chainProblems(pass, true)).toEqual([]);
    // Each pass saw the history as it was when its first page was read: later passes only add on top.
    for (let i = 1; i < observerPasses.length; i++) {
      const older = observerPasses[i - 1]!;
      const newer = observerPasses[i]!;
      expect(newer.length).toBeGreaterThanOrEqual(older.length);
      expect(newer.slice(newer.length - older.length)).toEqual(older);
    }
  });

  it('keeps history paging exact while new transfers arrive between page reads (step by step)', async () => {
    const [x, y, z] = [customers[1]!, customers[2]!, customers[3]!];
    const xClient = reader.get(x.username)!;
    const yClient = reader.get(y.username)!;
    const zClient = reader.get(z.username)!;
    const snapshot = await fullHistory(xClient);
    const pages: Entry[][] = [];
    const added: string[] = [];
    const limit = Math.max(3, Math.ceil(snapshot.length / 8)); // about 8 pages
    let before: string | undefined;
    for (let i = 0; ; i++) {
      const page = await xClient.request('account.history', { limit, ...(before !== undefined && { before }) });
      pages.push(page.entries);
      // Between page reads: money in, money out, and a transfer not touching x at all.
      const idIn = randomUUID();
      await yClient.request('transfer.create', { transferId: idIn, to: x.account, amount: 10 + i });
      added.push(idIn);
      const balance = (await xClient.request('account.balance', {})).balance;
      if (balance > 0) {
        const idOut = randomUUID();
        await xClient.request('transfer.create', { transferId: idOut, to: z.account, amount: 1 });
        added.push(idOut);
      }
      await zClient.request('transfer.create', { transferId: randomUUID(), to: y.account, amount: 1 });
      if (page.next === undefined) break;
      before = page.next;
    }
    const paged = pages.flat();
    expect(pages.length).toBeGreaterThan(3);
    expect(paged).toEqual(snapshot); // no duplicates, no gaps, same order
    const after = await fullHistory(xClient);
    expect(after).toHaveLength(snapshot.length + added.length);
    expect(after.slice(added.length)).toEqual(snapshot);
    expect(after.slice(0, added.length).map((e) => e.transferId).sort()).toEqual([...added].sort());
    expect(chainProblems(after, true)).toEqual([]);
    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
  });
});
