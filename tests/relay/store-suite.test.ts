import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool } from '../../relay/store/postgres/connect.js';
import { CASH_ACCOUNT, makeAccountNumber } from '../../common/account-number.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import type { MoveRequest } from '../../relay/ledger/engine.js';
import { StaleUser, type ItemResult, type RecordWrite } from '../../relay/ledger/commands.js';
import type { CommitSink } from '../../relay/ledger/writer.js';
import type { SessionRecord, UserRecord } from '../../relay/auth/records.js';
import type { LedgerStore } from '../../relay/ledger/ledger-store.js';
import type { AuditEntry } from '../../common/schemas/models.js';
import type { LedgerRules, TransferRecord } from '../../relay/ledger/types.js';
import type { BankStore, RunFilter, RunPlace } from '../../relay/store/bank-store.js';
import type { RunDeclaration, RunRecord } from '../../relay/ledger/runs.js';
import { PgBank } from '../../relay/store/postgres/pg-bank.js';
import { openPgWriters } from '../../relay/store/postgres/pg-writers.js';
import { gatewayLegacyRecord } from '../../relay/legacy/record.js';
import { openLevelBank } from '../helpers/stores.js';
import { prng } from '../helpers/ledger.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/relay.js';

/*
 * One suite of the money path's rules, run against both stores (abstract-level's
 * pattern): the bank's one writer (LedgerWriter) and its Ledger over LevelDB (LevelLedger and
 * BankDb, opened by tests/helpers/stores.ts) and over PostgreSQL (PgLedgerStorage and PgBank,
 * opened by openPgWriters), each through the LedgerStore and BankStore interfaces the
 * relay uses. Same requests, same outcomes, same error codes; both verifiers pass after each case.
 */
/** A fixed clock: the daily limit must not reset if a run crosses midnight. */
const NOW = () => new Date('2026-06-01T12:00:00Z');
const RULES: LedgerRules = { currency: 'USD', largeTransferAlert: 1_000_000, defaultLimits: { perTransfer: 5_000, perDay: 8_000 } };

interface MoneyStore {
  /** Opens one account per owner with its opening deposit (and status); returns the account numbers. */
  open(owners: { owner: string; opening: number; status?: AccountStatus }[]): Promise<string[]>;
  move(req: MoveRequest): Promise<{ transfer: TransferRecord; balance: number; replay: boolean }>;
  /** A customer's `transfer.batch`: one answer per item, in order. */
  batch(items: MoveRequest[], opts?: { atomic?: boolean; runId?: string }): Promise<ItemResult[]>;
  /** The newest audit entry. */
  lastAudit(): Promise<AuditEntry>;
  balance(account: string): Promise<number>;
  /** An admin's limit change for an owner; answers the owner's effective limits. */
  setLimits(owner: string, limits: { perTransfer?: number; perDay?: number }): Promise<{ perTransfer: number; perDay: number }>;
  verify(): Promise<{ ledger: boolean; audit: boolean; sum: number }>;
  /** Users', sessions' and flags' writes, as the relay commits them. */
  records(writes: RecordWrite[]): Promise<void>;
  session(key: string): Promise<SessionRecord | undefined>;
  /** Declares a payment run (run.start). */
  startRun(run: RunDeclaration): Promise<{ run: RunRecord; created: boolean }>;
  /** Payment runs newest first, as run.list and run.find read them. */
  runs(filter: RunFilter, below?: RunPlace): Promise<RunRecord[]>;
  user(name: string): Promise<UserRecord | undefined>;
  close(): Promise<void>;
}

const audit = (req: MoveRequest) => ({ actor: req.actor, role: req.kind === 'transfer' ? ('user' as const) : ('admin' as const), action: req.kind === 'transfer' ? 'transfer.create' : `admin.account.${req.kind}` });

/** The suite's view of either store, through the interfaces the relay itself uses (LedgerStore, BankStore). */
function moneyStore(ledger: LedgerStore, bank: BankStore, commits: CommitSink, close: () => Promise<void>): MoneyStore {
  return {
    records: async (writes) => void (await commits.commit(writes)),
    session: async (key) => (await bank.getSessions([key]))[0],
    startRun: (run) => ledger.startRun(run, { actor: run.owner, role: 'user', action: 'run.start' }),
    async runs(filter, below) {
      const out: RunRecord[] = [];
      for await (const r of bank.runsNewestFirst(filter, below)) out.push(r);
      return out;
    },
    user: async (name) => (await bank.getUsers([name]))[0],
    async open(owners) {
      const out: string[] = [];
      for (const o of owners) {
        const a = await ledger.openAccount(o.owner, [], [{ actor: 'admin', role: 'admin', action: 'account.open', target: o.owner, outcome: 'ok' }]);
        if (o.opening > 0) await ledger.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: a.account, amount: o.opening, actor: 'admin' }, { actor: 'admin', role: 'admin', action: 'admin.account.deposit' });
        if (o.status && o.status !== 'active') await ledger.setOwnerStatus(o.owner, o.status, [], [{ actor: 'admin', role: 'admin', action: 'admin.user.setStatus', target: o.owner, outcome: o.status }]);
        out.push(a.account);
      }
      return out;
    },
    move: (req) => ledger.move(req, audit(req)),
    batch: (items, opts = {}) => ledger.moveBatch(items, { atomic: opts.atomic ?? false, ...(opts.runId !== undefined && { runId: opts.runId }), audit: { actor: items[0]!.actor, role: 'user', action: 'transfer.batch' } }),
    async lastAudit() {
      return (await bank.auditEntry((await bank.auditHead()).seq))!;
    },
    balance: async (account) => (await ledger.account(account))!.balance,
    setLimits: (owner, limits) => ledger.setLimits(owner, limits, [], [{ actor: 'admin', role: 'admin', action: 'admin.user.update', target: owner, outcome: 'ok' }]),
    async verify() {
      const [l, a] = await Promise.all([bank.verifyLedger(), bank.verifyAudit()]);
      return { ledger: l.ok, audit: a.ok, sum: l.sum };
    },
    close,
  };
}

async function levelStore(): Promise<MoneyStore> {
  const dir = await tempDir('bank-suite-');
  const opened = await openLevelBank(dir, RULES, NOW);
  return moneyStore(opened.ledger, opened.bank, opened.writer, async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });
}

let server: TestPostgres | undefined;
let databases = 0;

async function postgresStore(): Promise<MoneyStore> {
  const pool = openPool(await server!.createBank(`suite_${++databases}`), 3);
  const bank = new PgBank(pool);
  const { writer, ledger } = await openPgWriters(bank, RULES, { now: NOW });
  return moneyStore(ledger, bank, writer, async () => {
    await writer.drain();
    await bank.close();
  });
}

beforeAll(async () => {
  server = await startPostgres();
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

describe.each([
  ['LevelDB', levelStore],
  ['PostgreSQL', postgresStore],
] as const)('the money path on the %s store', (_name, make) => {
  let store: MoneyStore;
  let alice: string;
  let bob: string;
  let frozen: string;
  beforeAll(async () => {
    store = await make();
    const opened = await store.open([
      { owner: 'alice', opening: 20_000 },
      { owner: 'bob', opening: 1_000 },
      { owner: 'frozen_fay', opening: 500, status: 'frozen' },
    ]);
    [alice, bob, frozen] = [opened[0]!, opened[1]!, opened[2]!];
  });
  afterAll(async () => {
    const v = await store.verify();
    expect(v).toEqual({ ledger: true, audit: true, sum: 0 });
    await store.close();
  });

  const transfer = (from: string, to: string, amount: number, actor: string, transferId: string = randomUUID()): MoveRequest => ({ kind: 'transfer', transferId, from, to, amount, actor });

  it('moves money, answers with the payer\'s balance, and replays the same id without moving it twice', async () => {
    const req = transfer(alice!, bob!, 1_500, 'alice');
    const first = await store.move(req);
    expect(first).toMatchObject({ replay: false, balance: 18_500, transfer: { id: req.transferId, from: alice, to: bob, amount: 1_500, status: 'posted', kind: 'transfer' } });
    const again = await store.move(req);
    expect(again).toEqual({ ...first, replay: true });
    expect(await store.balance(alice!)).toBe(18_500);
    expect(await store.balance(bob!)).toBe(2_500);
    await expect(store.move({ ...req, amount: 1_501 })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses what the rules refuse, with the same codes, and moves nothing', async () => {
    const before = [await store.balance(alice!), await store.balance(bob!)];
    await expect(store.move(transfer(bob!, alice!, 99_999, 'bob'))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await expect(store.move(transfer(bob!, alice!, 4_000, 'bob'))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    await expect(store.move(transfer(alice!, bob!, 100, 'bob'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(store.move(transfer(alice!, frozen!, 100, 'alice'))).rejects.toMatchObject({ code: 'ACCOUNT_FROZEN' });
    await expect(store.move(transfer(alice!, makeAccountNumber(999_999), 100, 'alice'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.move(transfer(alice!, alice!, 100, 'alice'))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(store.move(transfer(alice!, CASH_ACCOUNT, 100, 'alice'))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect([await store.balance(alice!), await store.balance(bob!)]).toEqual(before);
  });

  it('counts the daily limit across transfers', async () => {
    // alice sent 1,500 today; the day's limit is 8,000.
    await store.move(transfer(alice!, bob!, 5_000, 'alice'));
    await expect(store.move(transfer(alice!, bob!, 1_501, 'alice'))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/daily limit of 8000 \(already sent today: 6500\)/) });
    await store.move(transfer(alice!, bob!, 1_500, 'alice'));
  });

  it('applies a limit an admin sets, over the defaults, to the next transfer', async () => {
    expect(await store.setLimits('bob', { perTransfer: 300 })).toEqual({ perTransfer: 300, perDay: 8_000 });
    await expect(store.move(transfer(bob!, alice!, 301, 'bob'))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/per-transfer limit of 300/) });
    await store.move(transfer(bob!, alice!, 300, 'bob'));
    expect(await store.setLimits('bob', { perTransfer: 5_000 })).toEqual({ perTransfer: 5_000, perDay: 8_000 });
  });

  it('applies deposits and withdrawals against the cash account, which alone may go below zero', async () => {
    const deposit = await store.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: bob!, amount: 10_000, actor: 'admin' });
    expect(deposit.balance).toBe(await store.balance(bob!));
    await expect(store.move({ kind: 'withdraw', transferId: randomUUID(), from: bob!, to: CASH_ACCOUNT, amount: 1_000_000, actor: 'admin' })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    const w = await store.move({ kind: 'withdraw', transferId: randomUUID(), from: bob!, to: CASH_ACCOUNT, amount: 500, actor: 'admin' });
    expect(w.balance).toBe(await store.balance(bob!));
  });

  it('keeps every rule under concurrent requests: money conserved, no balance negative, both verifiers pass', async () => {
    const owners = Array.from({ length: 8 }, (_, i) => ({ owner: `crowd_${i}`, opening: 3_000 }));
    const accounts = await store.open(owners);
    const rnd = prng(99);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 300 }, () => {
        const i = rnd.int(0, accounts.length - 1);
        const j = (i + rnd.int(1, accounts.length - 1)) % accounts.length;
        return store.move(transfer(accounts[i]!, accounts[j]!, rnd.int(1, 1_200), owners[i]!.owner));
      }),
    );
    const codes = new Set(outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { code: string }).code] : [])));
    for (const code of codes) expect(['INSUFFICIENT_FUNDS', 'LIMIT_EXCEEDED']).toContain(code);
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    let total = 0;
    for (const a of accounts) {
      const b = await store.balance(a);
      expect(b).toBeGreaterThanOrEqual(0);
      total += b;
    }
    expect(total).toBe(8 * 3_000);
    expect(await store.verify()).toEqual({ ledger: true, audit: true, sum: 0 });
  });

  it('writes a session\'s activity only over a session still stored: an ended one never comes back', async () => {
    const record = (lastSeenAt: number) => ({ username: 'alice', createdAt: 1, lastSeenAt, expiresAt: 10_000_000 });
    await store.records([{ type: 'session', key: 'k-live', session: record(1) }]);
    await store.records([{ type: 'touchSession', key: 'k-live', session: record(2) }]);
    expect((await store.session('k-live'))?.lastSeenAt).toBe(2);
    // Ended, then touched by a request that was already under way: still ended.
    await store.records([{ type: 'endSession', key: 'k-live' }]);
    await store.records([{ type: 'touchSession', key: 'k-live', session: record(3) }]);
    expect(await store.session('k-live')).toBeUndefined();
    // The same within one batch, and a touch of a session nobody stored makes none.
    await store.records([{ type: 'session', key: 'k-batch', session: record(1) }]);
    await store.records([
      { type: 'endSession', key: 'k-batch' },
      { type: 'touchSession', key: 'k-batch', session: record(4) },
      { type: 'touchSession', key: 'k-never', session: record(4) },
    ]);
    expect(await store.session('k-batch')).toBeUndefined();
    expect(await store.session('k-never')).toBeUndefined();
  });

  it('writes a user only over the version the change was made from: nothing of a change made from an older one is written', async () => {
    const carol: UserRecord = { username: 'carol', displayName: 'Carol', role: 'user', status: 'active', createdAt: 'x', passwordHash: 'h0', failedLogins: [], accounts: [], version: 0 };
    await store.records([{ type: 'user', user: carol, from: null }]);
    // A second creation of the name is refused, as is a change made from a version that is not stored.
    await expect(store.records([{ type: 'user', user: { ...carol, displayName: 'Other' }, from: null }])).rejects.toBeInstanceOf(StaleUser);
    await expect(store.records([{ type: 'user', user: { ...carol, passwordHash: 'h1' }, from: 1 }])).rejects.toBeInstanceOf(StaleUser);
    const changed = { ...carol, passwordHash: 'h1' };
    await store.records([{ type: 'user', user: changed, from: 0 }]);
    expect(await store.user('carol')).toMatchObject({ passwordHash: 'h1', version: 1 });
    // Two changes made from version 1 (two relays, say): the first is written, the second refused whole.
    const seqBefore = (await store.lastAudit()).seq;
    await store.records([{ type: 'user', user: { ...changed, status: 'frozen' }, from: 1 }]);
    const late = store.records([{ type: 'user', user: { ...changed, passwordHash: 'h-stale' }, from: 1 }, { type: 'session', key: 'k-stale', session: { username: 'carol', createdAt: 1, lastSeenAt: 1, expiresAt: 10_000_000 } }]);
    await expect(late).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.user('carol')).toMatchObject({ passwordHash: 'h1', status: 'frozen', version: 2 });
    expect(await store.session('k-stale')).toBeUndefined();
    expect((await store.lastAudit()).seq).toBe(seqBefore);
    // Changes in one batch follow each other.
    await store.records([
      { type: 'user', user: { ...changed, status: 'active' }, from: 2 },
      { type: 'user', user: { ...changed, displayName: 'Carol C.' }, from: 3 },
    ]);
    expect(await store.user('carol')).toMatchObject({ displayName: 'Carol C.', version: 4 });
  });

  it('gives an old Qt-bank account number to one user only: a write giving another user\'s is refused whole, in one batch or racing', async () => {
    const user = (username: string): UserRecord => ({ username, displayName: username, role: 'user', status: 'active', createdAt: 'x', passwordHash: 'h', failedLogins: [], accounts: [], version: 0 });
    const dave = { ...user('dave'), legacy: gatewayLegacyRecord('Dave', 'ACC7001', NOW()) };
    await store.records([{ type: 'user', user: dave, from: null }]);
    // Dave's own later changes keep his number.
    await store.records([{ type: 'user', user: { ...dave, displayName: 'Dave D.' }, from: 0 }]);
    await expect(store.records([{ type: 'user', user: { ...user('erin'), legacy: gatewayLegacyRecord('Erin', 'ACC7001', NOW()) }, from: null }])).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.user('erin')).toBeUndefined();
    // Two users given one number in one commit: the second write is refused, and the first with it.
    const both = store.records([
      { type: 'user', user: { ...user('fred'), legacy: gatewayLegacyRecord('Fred', 'ACC7002', NOW()) }, from: null },
      { type: 'user', user: { ...user('gina'), legacy: gatewayLegacyRecord('Gina', 'ACC7002', NOW()) }, from: null },
    ]);
    await expect(both).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.user('fred')).toBeUndefined();
    // Racing commits: exactly one takes the number.
    const racing = await Promise.allSettled(
      ['hana', 'ivan', 'jude', 'kofi'].map((name) => store.records([{ type: 'user', user: { ...user(name), legacy: gatewayLegacyRecord(name, 'ACC7003', NOW()) }, from: null }])),
    );
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(racing.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
  });

  describe('transfer.batch', () => {
    /** Items' codes and replays, in order: what a client reads off a batch's answer. */
    const outcomes = (results: ItemResult[]) => results.map((r) => (r.ok ? (r.replay ? 'replay' : 'ok') : r.error.code));
    let serial = 0;
    const fresh = async (opening: number, n = 2) => {
      const owners = Array.from({ length: n }, () => ({ owner: `batch_${++serial}`, opening }));
      return { owners: owners.map((o) => o.owner), accounts: await store.open(owners) };
    };

    it('applies items in order, each balance check seeing the items before it, each answer the payer\'s balance after it', async () => {
      const { owners: [payer], accounts: [from, to] } = await fresh(1_000);
      const items = [600, 500, 300].map((amount) => transfer(from!, to!, amount, payer!));
      const results = await store.batch(items);
      expect(outcomes(results)).toEqual(['ok', 'INSUFFICIENT_FUNDS', 'ok']);
      expect(results.map((r) => (r.ok ? r.balance : null))).toEqual([400, null, 100]);
      expect(await store.balance(from!)).toBe(100);
      expect(await store.balance(to!)).toBe(1_900);
      // Transfers keep the ledger's order: the posted ones hold consecutive seqs.
      const [a, , c] = results as { ok: true; transfer: TransferRecord }[];
      expect(c!.transfer.seq).toBe(a!.transfer.seq + 1);
    });

    it('refuses an item for its own reason and posts the others: limits, funds, frozen, unknown accounts, per item', async () => {
      const { owners: [payer], accounts: [from, to] } = await fresh(20_000);
      const results = await store.batch([
        transfer(from!, to!, 4_000, payer!),
        transfer(from!, to!, 6_000, payer!), // over the per-transfer limit (5,000)
        transfer(from!, frozen!, 10, payer!),
        transfer(from!, makeAccountNumber(999_998), 10, payer!),
        transfer(from!, to!, 4_000, payer!),
        transfer(from!, to!, 1, payer!), // the day's 8,000 are spent by the items before it
      ]);
      expect(outcomes(results)).toEqual(['ok', 'LIMIT_EXCEEDED', 'ACCOUNT_FROZEN', 'NOT_FOUND', 'ok', 'LIMIT_EXCEEDED']);
      expect(await store.balance(from!)).toBe(12_000);
    });

    it('replays a batch sent again item by item, moving nothing; an item that failed is tried again', async () => {
      const { owners: [payer], accounts: [from, to] } = await fresh(1_000);
      const items = [transfer(from!, to!, 700, payer!), transfer(from!, to!, 700, payer!)];
      const first = await store.batch(items);
      expect(outcomes(first)).toEqual(['ok', 'INSUFFICIENT_FUNDS']);
      await store.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: from!, amount: 1_000, actor: 'admin' });
      const again = await store.batch(items);
      expect(outcomes(again)).toEqual(['replay', 'ok']);
      expect(again[0]).toEqual({ ...first[0], replay: true });
      expect(await store.balance(from!)).toBe(600);
      expect(outcomes(await store.batch(items))).toEqual(['replay', 'replay']);
      expect(await store.balance(from!)).toBe(600);
    });

    it('answers the same id twice in one batch as a replay of the first, or CONFLICT when its arguments differ', async () => {
      const { owners: [payer], accounts: [from, to] } = await fresh(1_000);
      const item = transfer(from!, to!, 100, payer!);
      const results = await store.batch([item, item, { ...item, amount: 101 }, transfer(from!, to!, 1, payer!)]);
      expect(outcomes(results)).toEqual(['ok', 'replay', 'CONFLICT', 'ok']);
      expect(results[1]).toEqual({ ...results[0], replay: true });
      expect(await store.balance(from!)).toBe(899);
    });

    it('atomic: all or none; the failing item says why, the others BATCH_ABORTED naming it; once fixed it all posts', async () => {
      const { owners: [payer], accounts: [from, to] } = await fresh(1_000);
      const items = [transfer(from!, to!, 400, payer!), transfer(from!, to!, 400, payer!), transfer(from!, to!, 400, payer!)];
      const seqBefore = (await store.lastAudit()).seq;
      const refused = await store.batch(items, { atomic: true });
      expect(outcomes(refused)).toEqual(['BATCH_ABORTED', 'BATCH_ABORTED', 'INSUFFICIENT_FUNDS']);
      for (const r of refused.slice(0, 2)) expect(!r.ok && r.error.message).toMatch(new RegExp(`item 3 \\(${items[2]!.transferId}\\) failed with INSUFFICIENT_FUNDS`));
      expect(await store.balance(from!)).toBe(1_000);
      expect(await store.balance(to!)).toBe(1_000);
      // The refusal is on record, with nothing posted.
      const record = await store.lastAudit();
      expect(record).toMatchObject({ seq: seqBefore + 1, action: 'transfer.batch', outcome: 'aborted', details: { atomic: true, items: 3, posted: [], failed: [[items[2]!.transferId, 'INSUFFICIENT_FUNDS']] } });
      // Nothing of it was recorded: with the money there, the same ids all post.
      await store.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: from!, amount: 200, actor: 'admin' });
      const posted = await store.batch(items, { atomic: true });
      expect(outcomes(posted)).toEqual(['ok', 'ok', 'ok']);
      expect(await store.balance(from!)).toBe(0);
      expect(await store.balance(to!)).toBe(2_200);
    });

    it('puts one audit entry on record per batch, listing what it posted (and what it refused) under its run id', async () => {
      const { owners: [payer], accounts: [from, to] } = await fresh(5_000);
      const runId = randomUUID();
      const items = [transfer(from!, to!, 100, payer!), transfer(from!, to!, 9_000, payer!), transfer(from!, to!, 200, payer!)];
      const results = await store.batch(items, { runId });
      const record = await store.lastAudit();
      expect(record).toMatchObject({
        actor: payer,
        action: 'transfer.batch',
        target: runId,
        outcome: 'partial',
        details: {
          items: 3,
          atomic: false,
          posted: [
            [items[0]!.transferId, from, to, 100],
            [items[2]!.transferId, from, to, 200],
          ],
          failed: [[items[1]!.transferId, 'LIMIT_EXCEEDED']],
        },
      });
      expect(outcomes(results)).toEqual(['ok', 'LIMIT_EXCEEDED', 'ok']);
      expect(await store.verify()).toEqual({ ledger: true, audit: true, sum: 0 });
    });

    it('counts a payment run\'s batches into it in the same write: each row once, replays not again, a refused row failed until it posts', async () => {
      const { owners: [payer], accounts: [from, to] } = await fresh(5_000);
      const runId = randomUUID();
      const declared = { runId, owner: payer!, kind: 'payments' as const, digest: 'a'.repeat(64), rows: 3, total: 1_300, atomic: false };
      expect(await store.startRun(declared)).toMatchObject({ created: true, run: { posted: 0, sent: 0, failedIds: [] } });
      expect(await store.startRun(declared)).toMatchObject({ created: false });
      await expect(store.startRun({ ...declared, rows: 4 })).rejects.toMatchObject({ code: 'CONFLICT' });
      const items = [transfer(from!, to!, 300, payer!), transfer(from!, frozen!, 400, payer!), transfer(from!, to!, 600, payer!)];
      await store.batch(items, { runId });
      await store.batch(items, { runId });
      const [run] = (await store.runs({ owner: payer! })).filter((r) => r.runId === runId);
      expect(run).toMatchObject({ posted: 2, sent: 900, failedIds: [items[1]!.transferId] });
      // Another person's batch naming the run is refused whole, before anything moves.
      const { owners: [stranger], accounts: [theirs] } = await fresh(1_000, 1);
      await expect(store.batch([transfer(theirs!, to!, 10, stranger!)], { runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await store.balance(theirs!)).toBe(1_000);
    });

    it('lists payment runs newest first, by owner and by digest, from any place in the order', async () => {
      const owners = ['runs_ann', 'runs_bo'];
      const made: RunRecord[] = [];
      for (let i = 0; i < 5; i++) {
        const { run } = await store.startRun({ runId: randomUUID(), owner: owners[i % 2]!, kind: 'payments', digest: (i < 3 ? 'b' : 'c').repeat(64), rows: 1 + i, total: 100, atomic: false });
        made.push(run);
      }
      const newestFirst = (runs: RunRecord[]) => [...runs].sort((x, y) => (x.createdAt === y.createdAt ? (x.runId < y.runId ? 1 : -1) : x.createdAt < y.createdAt ? 1 : -1)).map((r) => r.runId);
      const ann = made.filter((r) => r.owner === 'runs_ann');
      expect((await store.runs({ owner: 'runs_ann' })).map((r) => r.runId)).toEqual(newestFirst(ann));
      expect((await store.runs({ owner: 'runs_ann', digest: 'b'.repeat(64) })).map((r) => r.runId)).toEqual(newestFirst(ann.filter((r) => r.digest === 'b'.repeat(64))));
      const all = (await store.runs({})).filter((r) => r.owner.startsWith('runs_'));
      expect(all.map((r) => r.runId)).toEqual(newestFirst(made));
      const second = all[1]!;
      const after = (await store.runs({ owner: second.owner }, { createdAt: second.createdAt, runId: second.runId })).map((r) => r.runId);
      const theirs = newestFirst(made.filter((r) => r.owner === second.owner));
      expect(after).toEqual(theirs.slice(theirs.indexOf(second.runId) + 1));
    });

    it('keeps every rule when batches and single transfers race on the same accounts', async () => {
      const { owners, accounts } = await fresh(3_000, 6);
      const rnd = prng(7);
      const pick = () => rnd.int(0, accounts.length - 1);
      const work: Promise<unknown>[] = [];
      for (let k = 0; k < 30; k++) {
        const i = pick();
        const items = Array.from({ length: rnd.int(1, 20) }, () => {
          const j = (i + rnd.int(1, accounts.length - 1)) % accounts.length;
          return transfer(accounts[i]!, accounts[j]!, rnd.int(1, 400), owners[i]!);
        });
        work.push(store.batch(items, { atomic: rnd.chance(0.3) }));
        const j = (i + 1) % accounts.length;
        work.push(store.move(transfer(accounts[i]!, accounts[j]!, rnd.int(1, 400), owners[i]!)).catch(() => undefined));
      }
      await Promise.all(work);
      let total = 0;
      for (const a of accounts) {
        const b = await store.balance(a);
        expect(b).toBeGreaterThanOrEqual(0);
        total += b;
      }
      expect(total).toBe(6 * 3_000);
      expect(await store.verify()).toEqual({ ledger: true, audit: true, sum: 0 });
    });
  });
});
