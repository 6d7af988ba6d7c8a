import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool } from '../../relay/store/postgres/connect.js';
import { CASH_ACCOUNT, makeAccountNumber } from '../../common/account-number.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import type { MoveRequest } from '../../relay/ledger/engine.js';
import type { LedgerStore } from '../../relay/ledger/ledger-store.js';
import type { LedgerRules, TransferRecord } from '../../relay/ledger/types.js';
import type { BankStore } from '../../relay/store/bank-store.js';
import { migrate } from '../../relay/store/postgres/migrations.js';
import { PgBank } from '../../relay/store/postgres/pg-bank.js';
import { openPgWriters } from '../../relay/store/postgres/pg-writers.js';
import { openLevelBank } from '../helpers/stores.js';
import { prng } from '../helpers/ledger.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/relay.js';

/*
 * Issue 8: one suite of the money path's rules, run against both stores (abstract-level's
 * pattern): the LevelDB single writer (Ledger + CommitQueue) and the PostgreSQL batch
 * (PgLedger over PgLedgerWriter), each through the LedgerStore and BankStore interfaces the
 * relay uses. Same requests, same outcomes, same error codes; both verifiers pass after each case.
 */
/** A fixed clock: the daily limit must not reset if a run crosses midnight. */
const NOW = () => new Date('2026-06-01T12:00:00Z');
const RULES: LedgerRules = { currency: 'USD', largeTransferAlert: 1_000_000, defaultLimits: { perTransfer: 5_000, perDay: 8_000 } };

interface MoneyStore {
  /** Opens one account per owner with its opening deposit (and status); returns the account numbers. */
  open(owners: { owner: string; opening: number; status?: AccountStatus }[]): Promise<string[]>;
  move(req: MoveRequest): Promise<{ transfer: TransferRecord; balance: number; replay: boolean }>;
  balance(account: string): Promise<number>;
  /** An admin's limit change for an owner; answers the owner's effective limits. */
  setLimits(owner: string, limits: { perTransfer?: number; perDay?: number }): Promise<{ perTransfer: number; perDay: number }>;
  verify(): Promise<{ ledger: boolean; audit: boolean; sum: number }>;
  close(): Promise<void>;
}

const audit = (req: MoveRequest) => ({ actor: req.actor, role: req.kind === 'transfer' ? ('user' as const) : ('admin' as const), action: req.kind === 'transfer' ? 'transfer.create' : `admin.account.${req.kind}` });

/** The suite's view of either store, through the interfaces the relay itself uses (LedgerStore, BankStore). */
function moneyStore(ledger: LedgerStore, bank: BankStore, close: () => Promise<void>): MoneyStore {
  return {
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
  return moneyStore(opened.ledger, opened.bank, async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });
}

let server: TestPostgres | undefined;
let databases = 0;

async function postgresStore(): Promise<MoneyStore> {
  const url = await server!.createDatabase(`suite_${++databases}`);
  const pool = openPool(url, 3);
  const c = await pool.connect();
  try {
    await migrate(c);
  } finally {
    c.release();
  }
  const bank = new PgBank(pool);
  const { writer, ledger } = await openPgWriters(bank, RULES, { now: NOW });
  return moneyStore(ledger, bank, async () => {
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
});
