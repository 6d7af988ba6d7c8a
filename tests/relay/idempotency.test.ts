import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient, RawResponse } from '../../common/client/bank-client.js';
import { CASH_ACCOUNT, makeAccountNumber } from '../../common/account-number.js';
import { EMPTY_HEAD } from '../../relay/audit/chain.js';
import type { BatchEffects, BatchNeeds } from '../../relay/ledger/commands.js';
import { LedgerEngine } from '../../relay/ledger/engine.js';
import { Ledger } from '../../relay/ledger/ledger.js';
import type { BatchTransaction, LedgerReads, LedgerStorage } from '../../relay/ledger/storage.js';
import type { TransferRecord } from '../../relay/ledger/types.js';
import { LedgerWriter } from '../../relay/ledger/writer.js';
import { ADMIN_PASSWORD, connect, startTestRelay, tempDir, type TestRelay, type TransportKind } from '../helpers/relay.js';
import { allTransfers, fullHistory } from '../helpers/ledger.js';

/*
 * PROTOCOL §5: "The same id with the same arguments returns the original result and moves no
 * money twice; the same id with other arguments is CONFLICT." Real relay, real sockets, real
 * LevelDB; the deterministic tests at the end script the store's timing instead.
 */

const OPENING = 1_000_000;

async function signIn(t: TestRelay, kind: TransportKind, username: string, password: string): Promise<{ client: BankClient; token: string; account: string }> {
  const client = await connect(t, kind);
  const r = await client.request('auth.login', { username, password });
  return { client, token: r.token, account: r.accounts[0]!.account };
}

describe('transfer ids make money-moving ops idempotent', () => {
  let t: TestRelay;
  let admin: BankClient;
  const accounts = new Map<string, string>();
  const clients: BankClient[] = [];
  const pw = (u: string) => `${u} password!`;

  beforeAll(async () => {
    t = await startTestRelay();
    admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    for (const u of ['alice', 'bob', 'carol', 'dave']) {
      const r = await admin.request('admin.user.create', { username: u, password: pw(u), displayName: u, role: 'user', openingDeposit: OPENING });
      accounts.set(u, r.accounts[0]!.account);
    }
  });
  afterAll(async () => {
    for (const c of [admin, ...clients]) c.close();
    await t.stop();
  });

  const acct = (u: string) => accounts.get(u)!;
  async function balance(u: string): Promise<number> {
    const { users } = await admin.request('admin.user.list', { query: u });
    return users.find((x) => x.username === u)!.accounts[0]!.balance;
  }
  async function balances(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const u of accounts.keys()) out[u] = await balance(u);
    return out;
  }
  async function user(kind: TransportKind, u: string) {
    const s = await signIn(t, kind, u, pw(u));
    clients.push(s.client);
    return s;
  }
  /** How often `id` appears in the admin's list of the account's transfers. */
  async function listed(account: string, id: string): Promise<number> {
    return (await allTransfers(admin, account)).filter((x) => x.id === id).length;
  }

  it('(a) a sequential retry on the same connection returns the identical result and moves money once', async () => {
    const { client: alice } = await user('tcp', 'alice');
    const before = await balances();
    const id = randomUUID();
    const args = { transferId: id, to: acct('bob'), amount: 12_345, memo: 'lunch' };
    const first = await alice.request('transfer.create', args);
    expect(first.transfer).toMatchObject({ id, from: acct('alice'), to: acct('bob'), amount: 12_345, memo: 'lunch', status: 'posted' });
    expect(first.balance).toBe(before.alice! - 12_345);
    for (let i = 0; i < 3; i++) expect(await alice.request('transfer.create', args)).toEqual(first);
    // The id is a UUID in any case: an upper-case retry is the same transfer.
    expect(await alice.request('transfer.create', { ...args, transferId: id.toUpperCase() })).toEqual(first);
    // Naming the payer's own account explicitly is the same request too.
    expect(await alice.request('transfer.create', { ...args, from: acct('alice') })).toEqual(first);
    expect(await balances()).toEqual({ ...before, alice: before.alice! - 12_345, bob: before.bob! + 12_345 });
    expect((await fullHistory(alice)).filter((e) => e.transferId === id)).toHaveLength(1);
    expect(await listed(acct('bob'), id)).toBe(1);
    expect(await listed(acct('alice'), id)).toBe(1);
  });

  it('(b) 20 concurrent sends of one id from 20 connections (TCP and WS) all get the same result; money moves once', async () => {
    const conns = await Promise.all(Array.from({ length: 20 }, (_, i) => user(i % 2 === 0 ? 'tcp' : 'ws', 'bob')));
    const before = await balances();
    let moved = 0;
    // Several rounds, each one id fired from every connection in the same tick.
    for (let round = 0; round < 5; round++) {
      const id = randomUUID();
      const amount = 1_000 + round;
      const args = { transferId: id, to: acct('carol'), amount, memo: `round ${round}` };
      const results: RawResponse[] = await Promise.all(conns.map((c) => c.client.call('transfer.create', args)));
      for (const r of results) expect(r).toMatchObject({ ok: true });
      const [first, ...rest] = results.map((r) => (r.ok ? r.result : undefined));
      for (const r of rest) expect(r).toEqual(first);
      expect(first).toMatchObject({ transfer: { id, amount }, balance: before.bob! - moved - amount });
      moved += amount;
      expect(await listed(acct('carol'), id)).toBe(1);
      expect((await fullHistory(conns[1]!.client)).filter((e) => e.transferId === id)).toHaveLength(1);
    }
    expect(await balances()).toEqual({ ...before, bob: before.bob! - moved, carol: before.carol! + moved });
    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
    for (const c of conns) c.client.close();
  });

  for (const kind of ['tcp', 'ws'] as const) {
    it(`(c) a request whose connection (${kind}) closed before the answer is retried after auth.resume: one transfer`, async () => {
      const first = await user(kind, 'carol');
      const before = await balances();
      const id = randomUUID();
      const args = { transferId: id, to: acct('dave'), amount: 7_777, memo: `lost answer ${kind}` };
      // Send, then hang up without reading the answer.
      await first.client.sendMessage({ id: 4242, op: 'transfer.create', args });
      first.client.close();

      const second = await connect(t, kind === 'tcp' ? 'ws' : 'tcp');
      clients.push(second);
      const resumed = await second.request('auth.resume', { token: first.token });
      expect(resumed.user.username).toBe('carol');
      const retry = await second.request('transfer.create', args);
      expect(retry.transfer).toMatchObject({ id, from: acct('carol'), to: acct('dave'), amount: 7_777 });
      expect(retry.balance).toBe(before.carol! - 7_777);
      // And again: still the same.
      expect(await second.request('transfer.create', args)).toEqual(retry);

      const history = await fullHistory(second);
      expect(history.filter((e) => e.transferId === id)).toEqual([
        { transferId: id, ts: retry.transfer.ts, amount: -7_777, counterparty: acct('dave'), memo: `lost answer ${kind}`, balanceAfter: before.carol! - 7_777 },
      ]);
      expect(await listed(acct('dave'), id)).toBe(1);
      expect(await balances()).toEqual({ ...before, carol: before.carol! - 7_777, dave: before.dave! + 7_777 });
    });
  }

  it('(d) the same id with another amount, payee or memo is CONFLICT and moves nothing', async () => {
    const { client: dave } = await user('ws', 'dave');
    const id = randomUUID();
    const args = { transferId: id, to: acct('alice'), amount: 500, memo: 'tickets' };
    const original = await dave.request('transfer.create', args);
    const before = await balances();
    const historyBefore = await fullHistory(dave);
    const variants = [
      { ...args, amount: 501 },
      { ...args, to: acct('bob') },
      { ...args, memo: 'tickets!' },
      { transferId: id, to: acct('alice'), amount: 500 }, // memo dropped
    ];
    for (const v of variants) {
      const r = await dave.call('transfer.create', v);
      expect(r, JSON.stringify(v)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    }
    // Someone else using the id is a conflict too (and learns nothing of the original).
    const { client: alice } = await user('tcp', 'alice');
    const stolen = await alice.call('transfer.create', { transferId: id, to: acct('dave'), amount: 500, memo: 'tickets' });
    expect(stolen).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await balances()).toEqual(before);
    expect(await fullHistory(dave)).toEqual(historyBefore);
    expect(await listed(acct('dave'), id)).toBe(1);
    // The original still answers with the original.
    expect(await dave.request('transfer.create', args)).toEqual(original);
  });

  it('(e) deposits, withdrawals and transfers share one id space', async () => {
    const { client: alice } = await user('ws', 'alice');
    const depositId = randomUUID();
    const deposit = await admin.request('admin.account.deposit', { transferId: depositId, account: acct('alice'), amount: 3_000, memo: 'bonus' });
    const before = await balances();
    // A customer reusing a deposit's id, even with matching amount and memo: CONFLICT.
    expect(await alice.call('transfer.create', { transferId: depositId, to: acct('bob'), amount: 3_000, memo: 'bonus' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // A withdrawal with the deposit's id, and a deposit with a transfer's id: CONFLICT.
    expect(await admin.call('admin.account.withdraw', { transferId: depositId, account: acct('alice'), amount: 3_000, memo: 'bonus' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const transferId = randomUUID();
    const sent = await alice.request('transfer.create', { transferId, to: acct('bob'), amount: 100 });
    expect(await admin.call('admin.account.deposit', { transferId, account: acct('bob'), amount: 100 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await admin.call('admin.account.deposit', { transferId, account: acct('alice'), amount: 100 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // Retrying each with its own arguments still answers the original.
    expect(await admin.request('admin.account.deposit', { transferId: depositId, account: acct('alice'), amount: 3_000, memo: 'bonus' })).toEqual(deposit);
    expect(await alice.request('transfer.create', { transferId, to: acct('bob'), amount: 100 })).toEqual(sent);
    expect(await balances()).toEqual({ ...before, alice: before.alice! - 100, bob: before.bob! + 100 });
    const withdrawId = randomUUID();
    const w = await admin.request('admin.account.withdraw', { transferId: withdrawId, account: acct('bob'), amount: 50 });
    expect(await admin.call('admin.account.deposit', { transferId: withdrawId, account: acct('bob'), amount: 50 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await admin.request('admin.account.withdraw', { transferId: withdrawId, account: acct('bob'), amount: 50 })).toEqual(w);
    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
    expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });
  });
});

describe('idempotency survives a restart', () => {
  it('a retry after the relay restarted (the id now only on disk) returns the original result', async () => {
    const dataDir = await tempDir();
    try {
      let t = await startTestRelay({ dataDir });
      let admin = await connect(t, 'ws');
      await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
      const { accounts: [erin] } = await admin.request('admin.user.create', { username: 'erin', password: 'erin password', displayName: 'Erin', role: 'user', openingDeposit: 10_000 });
      const { accounts: [finn] } = await admin.request('admin.user.create', { username: 'finn', password: 'finn password', displayName: 'Finn', role: 'user' });
      let client = await connect(t, 'tcp');
      await client.request('auth.login', { username: 'erin', password: 'erin password' });
      const id = randomUUID();
      const args = { transferId: id, to: finn!.account, amount: 2_500, memo: 'before restart' };
      const original = await client.request('transfer.create', args);
      const depositId = randomUUID();
      const deposit = await admin.request('admin.account.deposit', { transferId: depositId, account: finn!.account, amount: 1 });
      client.close();
      admin.close();
      await t.stop();

      t = await startTestRelay({ dataDir });
      client = await connect(t, 'ws');
      await client.request('auth.login', { username: 'erin', password: 'erin password' });
      expect(await client.request('transfer.create', args)).toEqual(original);
      expect(await client.call('transfer.create', { ...args, amount: 2_501 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(await client.call('transfer.create', { ...args, transferId: depositId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      admin = await connect(t, 'tcp');
      await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
      expect(await admin.request('admin.account.deposit', { transferId: depositId, account: finn!.account, amount: 1 })).toEqual(deposit);
      expect((await client.request('account.balance', {})).balance).toBe(7_500);
      expect((await fullHistory(client)).filter((e) => e.transferId === id)).toHaveLength(1);
      expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0, transfers: 3 });
      expect(erin!.account).not.toBe(finn!.account);
      client.close();
      admin.close();
      await t.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/*
 * The bank's one writer (relay/ledger/writer.ts) decides idempotency inside each batch, on what
 * the store prefetched for it; it prefetches a batch only once the batch before it is durable.
 * Real stores cannot be made to answer in a chosen order, so these tests give the writer a
 * store whose prefetches and writes complete exactly when the test says, and which answers
 * each prefetch from what it durably holds, as a real one does.
 */
describe('the writer\'s idempotency decision, with the store\'s timing scripted', () => {
  function deferred<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  }
  const tick = () => new Promise<void>((r) => setImmediate(r));
  const rules = { currency: 'USD', largeTransferAlert: 1e12, defaultLimits: { perTransfer: 1e12, perDay: 1e12 } };

  function scriptedBank() {
    const now = new Date('2026-03-10T12:00:00.000Z');
    const alice = makeAccountNumber(1);
    const bob = makeAccountNumber(2);
    const at = now.toISOString();
    const engine = new LedgerEngine(rules);
    engine.load(
      [
        { account: CASH_ACCOUNT, owner: null, status: 'active', balance: -1_000, entrySeq: 1, createdAt: at },
        { account: alice, owner: 'alice', status: 'active', balance: 1_000, entrySeq: 1, createdAt: at },
        { account: bob, owner: 'bob', status: 'active', balance: 0, entrySeq: 0, createdAt: at },
      ],
      [],
      3,
      1,
    );
    /** What the store holds durably: a prefetch answers from it. */
    const durable = new Map<string, TransferRecord>();
    const prefetches: { needs: BatchNeeds; answer(): void }[] = [];
    const writes: { effects: BatchEffects; done(): void }[] = [];
    let head = EMPTY_HEAD;
    const storage: LedgerStorage = {
      maxBatch: 100,
      begin(needs) {
        const ready = deferred<BatchTransaction>();
        prefetches.push({
          needs,
          answer: () =>
            ready.resolve({
              engine,
              stored: new Map([...needs.transferIds].flatMap((id) => (durable.has(id) ? [[id, durable.get(id)!] as const] : []))),
              users: new Map(),
              legacyHolders: new Map(),
              runs: new Map(),
              head,
              commit: (effects) => {
                const written = deferred<void>();
                writes.push({
                  effects,
                  done: () => {
                    for (const p of effects.posted) durable.set(p.transfer.id, p.transfer);
                    head = effects.head;
                    written.resolve();
                  },
                });
                return written.promise;
              },
              release: async () => {},
            }),
        });
        return ready.promise;
      },
    };
    const writer = new LedgerWriter(storage, () => now, EMPTY_HEAD);
    const reads: LedgerReads = {
      account: async (n) => engine.accounts.get(n),
      accountsOf: async (o) => engine.accountsOf(o),
      ownerState: async (o) => engine.owners.get(o),
      counts: () => ({ accounts: engine.accounts.size, transfers: engine.transferSeq }),
    };
    const ledger = new Ledger(writer, reads, rules);
    const transfer = (transferId: string, amount = 100) =>
      ledger.move({ kind: 'transfer', transferId, from: alice, to: bob, amount, actor: 'alice' }, { actor: 'alice', role: 'user', action: 'transfer.create' });
    return { engine, alice, prefetches, writes, transfer };
  }

  it('a retry sent while the first copy is being written is prefetched only after that write is durable, and replays', async () => {
    const transferId = randomUUID();
    const { engine, alice, prefetches, writes, transfer } = scriptedBank();
    const a = transfer(transferId);
    await tick();
    prefetches[0]!.answer(); // not stored: applied, and its batch is being written
    await tick();
    expect(writes).toHaveLength(1);
    let bDone = false;
    const b = transfer(transferId).then((r) => ((bDone = true), r));
    await tick();
    expect(prefetches, 'no batch is prefetched while the one before it is being written').toHaveLength(1);
    expect(bDone, 'the retry must not be answered before the original is durable').toBe(false);
    writes[0]!.done();
    const first = await a;
    expect(first.replay).toBe(false);
    await tick();
    expect(prefetches).toHaveLength(2);
    expect([...prefetches[1]!.needs.transferIds]).toEqual([transferId]);
    prefetches[1]!.answer(); // the store now holds it
    const second = await b;
    expect(second).toEqual({ ...first, replay: true });
    expect(writes, 'a replay writes nothing').toHaveLength(1);
    expect(engine.accounts.get(alice)!.balance).toBe(900);
    expect(engine.sum()).toBe(0);
  });

  it('the same id twice in one batch posts once: the second answers as a replay of the first, in the same write', async () => {
    const transferId = randomUUID();
    const { engine, alice, prefetches, writes, transfer } = scriptedBank();
    const other = transfer(randomUUID(), 1);
    await tick();
    // While that batch waits for its prefetch, both copies queue and go in the next batch together.
    const a = transfer(transferId);
    const b = transfer(transferId);
    const c = transfer(transferId, 101);
    prefetches[0]!.answer();
    await tick();
    writes[0]!.done();
    await other;
    await tick();
    expect(prefetches).toHaveLength(2);
    prefetches[1]!.answer();
    await tick();
    expect(writes).toHaveLength(2);
    expect(writes[1]!.effects.posted.map((p) => p.transfer.id)).toEqual([transferId]);
    writes[1]!.done();
    const [first, second] = await Promise.all([a, b]);
    expect(second).toEqual({ ...first, replay: true });
    await expect(c).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(engine.accounts.get(alice)!.balance).toBe(1_000 - 1 - 100);
    expect(engine.sum()).toBe(0);
  });
});
