import { describe, expect, it } from 'vitest';
import { BankError } from '../../common/errors.js';
import { CASH_ACCOUNT, isValidAccountNumber, makeAccountNumber } from '../../common/account-number.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import { LedgerEngine, type MoveOutcome, type MoveRequest } from '../../relay/ledger/engine.js';
import { accountSerial } from '../../relay/ledger/serial.js';
import type { LedgerRules, TransferKind, TransferRecord } from '../../relay/ledger/types.js';
import { prng } from '../helpers/ledger.js';

/*
 * The ledger's rules (relay/ledger/engine.ts) as a pure state machine: no sockets, no disk, no
 * clock of its own. Transfer records are kept by the caller in real life (LevelDB); here a Map
 * plays that part, so idempotency is exercised exactly as the single writer does it.
 */

const RULES: LedgerRules = {
  currency: 'USD',
  largeTransferAlert: 1_000_000,
  defaultLimits: { perTransfer: 5_000_000, perDay: 20_000_000 },
};
const T0 = new Date('2026-03-10T12:00:00.000Z');

let idCounter = 0;
/** A fresh UUID-shaped id (the engine does not check the shape; the op schemas do). */
function newId(): string {
  idCounter++;
  return `00000000-0000-4000-8000-${String(idCounter).padStart(12, '0')}`;
}

/** An engine plus the transfer records a real ledger would have stored. */
class Bank {
  readonly engine: LedgerEngine;
  readonly stored = new Map<string, TransferRecord>();
  constructor(rules: LedgerRules = RULES) {
    this.engine = new LedgerEngine(rules);
    this.engine.ensureCash(T0);
  }
  open(owner: string): string {
    return this.engine.openAccount(owner, T0).account;
  }
  move(req: MoveRequest, now: Date = T0): MoveOutcome {
    const outcome = this.engine.move(req, this.stored.get(req.transferId), now);
    if (outcome.kind === 'applied') this.stored.set(outcome.effect.transfer.id, outcome.effect.transfer);
    return outcome;
  }
  deposit(to: string, amount: number, opts: { id?: string; memo?: string; now?: Date } = {}): MoveOutcome {
    return this.move({ kind: 'deposit', transferId: opts.id ?? newId(), from: CASH_ACCOUNT, to, amount, actor: 'admin', ...(opts.memo !== undefined && { memo: opts.memo }) }, opts.now);
  }
  withdraw(from: string, amount: number, opts: { id?: string; now?: Date } = {}): MoveOutcome {
    return this.move({ kind: 'withdraw', transferId: opts.id ?? newId(), from, to: CASH_ACCOUNT, amount, actor: 'admin' }, opts.now);
  }
  transfer(actor: string, from: string, to: string, amount: number, opts: { id?: string; memo?: string; now?: Date } = {}): MoveOutcome {
    return this.move({ kind: 'transfer', transferId: opts.id ?? newId(), from, to, amount, actor, ...(opts.memo !== undefined && { memo: opts.memo }) }, opts.now);
  }
  balance(account: string): number {
    return this.engine.accounts.get(account)!.balance;
  }
  /** Everything a refused move must leave untouched (as text: cheap to take and compare). */
  snapshot(): string {
    return JSON.stringify({
      accounts: [...this.engine.accounts.values()],
      owners: [...this.engine.owners.entries()],
      transferSeq: this.engine.transferSeq,
      nextSerial: this.engine.nextSerial,
    });
  }
}

function applied(outcome: MoveOutcome) {
  if (outcome.kind !== 'applied') throw new Error(`expected an applied move, got ${outcome.kind}`);
  return outcome.effect;
}

/**
 * Runs `fn`, expects a BankError with `code` (or one of several, where more than one rule is
 * broken at once and the order the engine checks them in is not the point), and checks that
 * nothing in the engine changed.
 */
function expectRefused(bank: Bank, code: BankError['code'] | BankError['code'][], fn: () => unknown): BankError {
  const before = bank.snapshot();
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(BankError);
  expect(Array.isArray(code) ? code : [code]).toContain((caught as BankError).code);
  expect(bank.snapshot(), `a refused ${code} must change nothing`).toEqual(before);
  return caught as BankError;
}

describe('LedgerEngine: accounts', () => {
  it('opens the cash account once, as serial 0 with valid check digits', () => {
    const engine = new LedgerEngine(RULES);
    const cash = engine.ensureCash(T0);
    expect(cash).toMatchObject({ account: CASH_ACCOUNT, owner: null, status: 'active', balance: 0, entrySeq: 0 });
    expect(CASH_ACCOUNT).toBe(makeAccountNumber(0));
    expect(accountSerial(CASH_ACCOUNT)).toBe(0);
    expect(isValidAccountNumber(CASH_ACCOUNT)).toBe(true);
    expect(engine.ensureCash(T0)).toBeUndefined();
    expect(engine.accounts.size).toBe(1);
  });

  it('gives customers distinct numbers with valid check digits, serials counting from 1', () => {
    const bank = new Bank();
    const numbers = ['alice', 'bob', 'carol', 'alice'].map((o) => bank.open(o));
    expect(new Set(numbers).size).toBe(4);
    expect(numbers.map(accountSerial)).toEqual([1, 2, 3, 4]);
    for (const n of numbers) {
      expect(n).toMatch(/^DB\d{12}$/);
      expect(isValidAccountNumber(n)).toBe(true);
      // Any single mistyped digit of the serial is caught by the check digits.
      for (let i = 4; i < n.length; i++) {
        const typo = n.slice(0, i) + String((Number(n[i]) + 1) % 10) + n.slice(i + 1);
        expect(isValidAccountNumber(typo), typo).toBe(false);
      }
    }
    expect(bank.engine.accountsOf('alice').map((a) => a.account)).toEqual([numbers[0], numbers[3]]);
    expect(bank.engine.accountsOf('nobody')).toEqual([]);
    expect(bank.engine.accounts.get(numbers[1]!)).toMatchObject({ owner: 'bob', status: 'active', balance: 0, entrySeq: 0 });
  });

  it('continues numbering after a load from disk', () => {
    const engine = new LedgerEngine(RULES);
    const a = { account: makeAccountNumber(7), owner: 'alice', status: 'active' as const, balance: 0, entrySeq: 0, createdAt: T0.toISOString() };
    engine.load([a], [['alice', { limits: {}, day: '', spent: 0 }]], 8, 42);
    expect(engine.transferSeq).toBe(42);
    expect(engine.openAccount('bob', T0).account).toBe(makeAccountNumber(8));
    expect(engine.accountsOf('alice')).toEqual([a]);
  });
});

describe('LedgerEngine: moving money', () => {
  it('moves money with two legs, counts entries and keeps the sum at 0', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    const dep = applied(bank.deposit(alice, 10_000, { memo: 'salary' }));
    expect(dep.transfer).toMatchObject({ from: CASH_ACCOUNT, to: alice, amount: 10_000, kind: 'deposit', seq: 1, fromBalanceAfter: -10_000, toBalanceAfter: 10_000, status: 'posted', memo: 'salary' });
    expect(bank.engine.sum()).toBe(0);

    const id = newId();
    const t = applied(bank.transfer('alice', alice, bob, 2_500, { id, memo: 'rent' }));
    expect(t.transfer).toEqual({
      id,
      from: alice,
      to: bob,
      amount: 2_500,
      memo: 'rent',
      ts: T0.toISOString(),
      status: 'posted',
      kind: 'transfer',
      seq: 2,
      fromEntry: 2,
      toEntry: 1,
      fromBalanceAfter: 7_500,
      toBalanceAfter: 2_500,
      actor: 'alice',
    });
    expect(t.fromEntry).toEqual({ transferId: id, ts: T0.toISOString(), amount: -2_500, counterparty: bob, memo: 'rent', balanceAfter: 7_500 });
    expect(t.toEntry).toEqual({ transferId: id, ts: T0.toISOString(), amount: 2_500, counterparty: alice, memo: 'rent', balanceAfter: 2_500 });
    expect(t.owner).toEqual({ username: 'alice', state: { limits: {}, day: '2026-03-10', spent: 2_500 } });
    expect(bank.balance(alice)).toBe(7_500);
    expect(bank.balance(bob)).toBe(2_500);
    expect(bank.balance(CASH_ACCOUNT)).toBe(-10_000);
    expect(bank.engine.accounts.get(alice)!.entrySeq).toBe(2);
    expect(bank.engine.accounts.get(bob)!.entrySeq).toBe(1);
    expect(bank.engine.transferSeq).toBe(2);
    expect(bank.engine.sum()).toBe(0);
  });

  it('lets a customer spend exactly their balance, never more', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    bank.deposit(alice, 1_000);
    expectRefused(bank, 'INSUFFICIENT_FUNDS', () => bank.transfer('alice', alice, bob, 1_001));
    applied(bank.transfer('alice', alice, bob, 1_000));
    expect(bank.balance(alice)).toBe(0);
    expectRefused(bank, 'INSUFFICIENT_FUNDS', () => bank.transfer('alice', alice, bob, 1));
    expect(bank.engine.sum()).toBe(0);
  });

  it('refuses unknown accounts as NOT_FOUND', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    bank.deposit(alice, 1_000);
    const ghost = makeAccountNumber(999);
    expectRefused(bank, 'NOT_FOUND', () => bank.transfer('alice', alice, ghost, 10));
    expectRefused(bank, 'NOT_FOUND', () => bank.transfer('alice', ghost, alice, 10));
    expectRefused(bank, 'NOT_FOUND', () => bank.deposit(ghost, 10));
    expectRefused(bank, 'NOT_FOUND', () => bank.withdraw(ghost, 10));
  });

  it('refuses paying from an account that is not the actor\'s as FORBIDDEN', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    bank.deposit(alice, 1_000);
    expectRefused(bank, 'FORBIDDEN', () => bank.transfer('bob', alice, bob, 10));
    expectRefused(bank, 'FORBIDDEN', () => bank.transfer('mallory', alice, bob, 10));
    // A customer cannot move money out of the bank's cash account either.
    expectRefused(bank, 'FORBIDDEN', () => bank.transfer('alice', CASH_ACCOUNT, alice, 10));
  });

  it('refuses paying oneself and paying the cash account as BAD_REQUEST', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    bank.deposit(alice, 1_000);
    expectRefused(bank, 'BAD_REQUEST', () => bank.transfer('alice', alice, alice, 10));
    expectRefused(bank, 'BAD_REQUEST', () => bank.transfer('alice', alice, CASH_ACCOUNT, 10));
  });

  it('refuses every move touching a frozen or closed account as ACCOUNT_FROZEN, both ways (a customer paying a closed account: NOT_FOUND)', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    const carol = bank.open('carol');
    bank.deposit(alice, 10_000);
    bank.deposit(bob, 10_000);

    bank.engine.setOwnerStatus('bob', 'frozen');
    expect(bank.engine.accounts.get(bob)!.status).toBe('frozen');
    expectRefused(bank, 'ACCOUNT_FROZEN', () => bank.transfer('alice', alice, bob, 10)); // payee frozen
    expectRefused(bank, 'ACCOUNT_FROZEN', () => bank.transfer('bob', bob, alice, 10)); // payer frozen
    expectRefused(bank, 'ACCOUNT_FROZEN', () => bank.deposit(bob, 10));
    expectRefused(bank, 'ACCOUNT_FROZEN', () => bank.withdraw(bob, 10));

    bank.engine.setOwnerStatus('bob', 'active');
    applied(bank.transfer('alice', alice, bob, 10));
    applied(bank.transfer('bob', bob, alice, 10));

    // Closing: carol has nothing, so her account can be closed; then it neither sends nor receives.
    bank.engine.setOwnerStatus('carol', 'closed');
    // To a customer paying it, a closed account is one that does not exist (as account.lookup says).
    expectRefused(bank, 'NOT_FOUND', () => bank.transfer('alice', alice, carol, 10));
    expectRefused(bank, 'ACCOUNT_FROZEN', () => bank.deposit(carol, 10));
    // (A closed account holds 0, so sending from it breaks two rules at once.)
    expectRefused(bank, ['ACCOUNT_FROZEN', 'INSUFFICIENT_FUNDS'], () => bank.transfer('carol', carol, alice, 1));
    expect(bank.engine.sum()).toBe(0);
  });

  it('closes only accounts with a zero balance (CONFLICT otherwise, nothing changed)', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const alice2 = bank.open('alice');
    bank.deposit(alice2, 500);
    expectRefused(bank, 'CONFLICT', () => bank.engine.setOwnerStatus('alice', 'closed'));
    expect(bank.engine.accountsOf('alice').map((a) => a.status)).toEqual(['active', 'active']);
    // Freezing does not need a zero balance.
    expect(bank.engine.setOwnerStatus('alice', 'frozen').map((a) => a.status)).toEqual(['frozen', 'frozen']);
    bank.engine.setOwnerStatus('alice', 'active');
    applied(bank.withdraw(alice2, 500));
    expect(bank.engine.setOwnerStatus('alice', 'closed').map((a) => a.account)).toEqual([alice, alice2]);
    expect(bank.engine.accountsOf('alice').every((a) => a.status === 'closed')).toBe(true);
    // A customer with a negative balance cannot exist, so only the funded case is refused.
    expect(bank.engine.sum()).toBe(0);
  });

  it('deposits and withdraws against the cash account: cash may go negative, customers never', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    applied(bank.deposit(alice, 7_000_000)); // over the per-transfer limit: limits are for customers only
    expect(bank.balance(CASH_ACCOUNT)).toBe(-7_000_000);
    const w = applied(bank.withdraw(alice, 2_000_000));
    expect(w.transfer).toMatchObject({ kind: 'withdraw', from: alice, to: CASH_ACCOUNT, fromBalanceAfter: 5_000_000, toBalanceAfter: -5_000_000 });
    expect(w.owner).toBeUndefined();
    expectRefused(bank, 'INSUFFICIENT_FUNDS', () => bank.withdraw(alice, 5_000_001));
    applied(bank.withdraw(alice, 5_000_000));
    expect(bank.balance(alice)).toBe(0);
    expect(bank.balance(CASH_ACCOUNT)).toBe(0);
    expect(bank.engine.sum()).toBe(0);
    // Withdrawing more than the bank holds in cash is fine for the cash account (it may go
    // negative); depositing makes it negative in the first place.
    bank.deposit(alice, 1);
    expect(bank.balance(CASH_ACCOUNT)).toBe(-1);
  });

  // Both sides stay within the safe-integer range (the cash account's negative side too).
  it('keeps every balance a safe integer and the sum at 0 even at the edge of the number range', () => {
    // Deposits have no limits, so the cash account's balance is what absorbs huge amounts.
    // The engine refuses a payee overflow; the cash account's side must not silently lose
    // precision either (that would invent money).
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    applied(bank.deposit(alice, Number.MAX_SAFE_INTEGER));
    expectRefused(bank, 'BAD_REQUEST', () => bank.deposit(alice, 1)); // the payee would overflow
    const before = bank.snapshot();
    try {
      bank.deposit(bob, 2); // the cash account would go to −(2^53 + 1)
    } catch (err) {
      // Refusing is fine, as long as it changes nothing.
      expect(err).toBeInstanceOf(BankError);
      expect(bank.snapshot()).toEqual(before);
    }
    for (const a of bank.engine.accounts.values()) expect(Number.isSafeInteger(a.balance), `${a.account} balance ${a.balance}`).toBe(true);
    expect(bank.engine.sum()).toBe(0);
  });

  it('flags transfers, deposits and withdrawals at or above the threshold as large', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    expect(applied(bank.deposit(alice, RULES.largeTransferAlert - 1)).large).toBe(false);
    expect(applied(bank.deposit(alice, RULES.largeTransferAlert)).large).toBe(true);
    expect(applied(bank.transfer('alice', alice, bob, RULES.largeTransferAlert - 1)).large).toBe(false);
    expect(applied(bank.transfer('alice', alice, bob, RULES.largeTransferAlert)).large).toBe(true);
    expect(applied(bank.withdraw(bob, RULES.largeTransferAlert)).large).toBe(true);
    expect(applied(bank.withdraw(bob, RULES.largeTransferAlert - 1)).large).toBe(false);
  });
});

describe('LedgerEngine: limits', () => {
  it('refuses a transfer over the per-transfer limit; exactly the limit passes', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    bank.deposit(alice, 20_000_000);
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, RULES.defaultLimits.perTransfer + 1));
    applied(bank.transfer('alice', alice, bob, RULES.defaultLimits.perTransfer));
    bank.engine.setLimits('alice', { perTransfer: 100 });
    expect(bank.engine.limitsOf('alice')).toEqual({ perTransfer: 100, perDay: RULES.defaultLimits.perDay });
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, 101));
    applied(bank.transfer('alice', alice, bob, 100));
    // Limits belong to the payer: bob still has the defaults.
    applied(bank.transfer('bob', bob, alice, 5_000));
    // A limit of 0 blocks the user entirely.
    bank.engine.setLimits('alice', { perTransfer: 0 });
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, 1));
  });

  it('refuses what would take a customer over the daily limit, and a refusal spends nothing', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    bank.deposit(alice, 10_000);
    bank.engine.setLimits('alice', { perDay: 1_000 });
    applied(bank.transfer('alice', alice, bob, 600));
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, 401));
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, 401)); // still 600 spent, not 1001
    applied(bank.transfer('alice', alice, bob, 400)); // exactly the limit
    expect(bank.engine.owners.get('alice')).toMatchObject({ day: '2026-03-10', spent: 1_000 });
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, 1));
    // Money received and deposits do not count against the limit; the limit is the payer's.
    applied(bank.transfer('bob', bob, alice, 1_000));
    applied(bank.deposit(alice, 1_000));
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, 1));
    // An insufficient-funds refusal does not spend the allowance either.
    const carol = bank.open('carol');
    bank.engine.setLimits('carol', { perDay: 10_000 });
    bank.deposit(carol, 100);
    expectRefused(bank, 'INSUFFICIENT_FUNDS', () => bank.transfer('carol', carol, bob, 5_000));
    bank.deposit(carol, 9_900);
    applied(bank.transfer('carol', carol, bob, 10_000));
  });

  it('starts a new day at UTC midnight', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    bank.deposit(alice, 10_000);
    bank.engine.setLimits('alice', { perDay: 1_000 });
    const lastMs = new Date('2026-03-10T23:59:59.999Z');
    const midnight = new Date('2026-03-11T00:00:00.000Z');
    applied(bank.transfer('alice', alice, bob, 600, { now: new Date('2026-03-10T00:00:00.000Z') }));
    applied(bank.transfer('alice', alice, bob, 300, { now: lastMs }));
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, 101, { now: lastMs }));
    // One millisecond later it is another day: the whole allowance is back.
    applied(bank.transfer('alice', alice, bob, 1_000, { now: midnight }));
    expect(bank.engine.owners.get('alice')).toMatchObject({ day: '2026-03-11', spent: 1_000 });
    expectRefused(bank, 'LIMIT_EXCEEDED', () => bank.transfer('alice', alice, bob, 1, { now: new Date('2026-03-11T23:59:59.999Z') }));
    // A day that is skipped entirely resets too.
    applied(bank.transfer('alice', alice, bob, 1_000, { now: new Date('2026-03-13T08:00:00.000Z') }));
    expect(bank.engine.owners.get('alice')).toMatchObject({ day: '2026-03-13', spent: 1_000 });
  });
});

describe('LedgerEngine: idempotency', () => {
  it('replays the stored record for the same id and arguments, moving nothing', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    bank.deposit(alice, 5_000);
    const id = newId();
    const first = applied(bank.transfer('alice', alice, bob, 1_000, { id, memo: 'books' })).transfer;
    const before = bank.snapshot();
    const again = bank.transfer('alice', alice, bob, 1_000, { id, memo: 'books', now: new Date('2026-03-12T00:00:00Z') });
    expect(again).toEqual({ kind: 'replay', transfer: first });
    expect(again.kind === 'replay' && again.transfer).toBe(bank.stored.get(id));
    expect(bank.snapshot()).toEqual(before);
    // The original result stands even when the rules would now refuse the move.
    bank.engine.setOwnerStatus('bob', 'frozen');
    expect(bank.transfer('alice', alice, bob, 1_000, { id, memo: 'books' })).toEqual({ kind: 'replay', transfer: first });
    // No memo and an empty memo are the same request.
    const id2 = newId();
    bank.engine.setOwnerStatus('bob', 'active');
    const plain = applied(bank.transfer('alice', alice, bob, 10, { id: id2 })).transfer;
    expect(plain.memo).toBeUndefined();
    expect(bank.transfer('alice', alice, bob, 10, { id: id2, memo: '' })).toEqual({ kind: 'replay', transfer: plain });
  });

  it('refuses the same id with other arguments as CONFLICT, moving nothing', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    const carol = bank.open('carol');
    bank.deposit(alice, 5_000);
    bank.deposit(carol, 5_000);
    const id = newId();
    applied(bank.transfer('alice', alice, bob, 1_000, { id, memo: 'books' }));
    expectRefused(bank, 'CONFLICT', () => bank.transfer('alice', alice, bob, 1_001, { id, memo: 'books' }));
    expectRefused(bank, 'CONFLICT', () => bank.transfer('alice', alice, carol, 1_000, { id, memo: 'books' }));
    expectRefused(bank, 'CONFLICT', () => bank.transfer('alice', alice, bob, 1_000, { id, memo: 'Books' }));
    expectRefused(bank, 'CONFLICT', () => bank.transfer('alice', alice, bob, 1_000, { id }));
    expectRefused(bank, 'CONFLICT', () => bank.transfer('carol', carol, bob, 1_000, { id, memo: 'books' }));
    // Deposits, withdrawals and transfers share one id space.
    expectRefused(bank, 'CONFLICT', () => bank.deposit(bob, 1_000, { id, memo: 'books' }));
    const depId = newId();
    applied(bank.deposit(bob, 300, { id: depId }));
    expectRefused(bank, 'CONFLICT', () => bank.transfer('bob', bob, alice, 300, { id: depId }));
    expectRefused(bank, 'CONFLICT', () => bank.withdraw(bob, 300, { id: depId }));
    expect(bank.deposit(bob, 300, { id: depId }).kind).toBe('replay');
  });

  it('does not remember refused moves: the same id may be tried again once the reason is gone', () => {
    const bank = new Bank();
    const alice = bank.open('alice');
    const bob = bank.open('bob');
    const id = newId();
    expectRefused(bank, 'INSUFFICIENT_FUNDS', () => bank.transfer('alice', alice, bob, 1_000, { id }));
    bank.deposit(alice, 1_000);
    applied(bank.transfer('alice', alice, bob, 1_000, { id }));
    expect(bank.transfer('alice', alice, bob, 1_000, { id }).kind).toBe('replay');
  });
});

describe('LedgerEngine: randomized operations', () => {
  for (const seed of [1, 20260310, 0xdeadbeef]) {
    it(`keeps the books exact over thousands of random operations (seed ${seed})`, () => {
      const rnd = prng(seed);
      const rules: LedgerRules = { currency: 'USD', largeTransferAlert: 50_000, defaultLimits: { perTransfer: 40_000, perDay: 150_000 } };
      const bank = new Bank(rules);
      const owners = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
      for (const o of owners) bank.open(o);
      bank.open('u0'); // someone with two accounts
      const customerAccounts = [...bank.engine.accounts.values()].filter((a) => a.owner !== null).map((a) => a.account);
      const ghost = makeAccountNumber(4242);
      const anyAccount = [...customerAccounts, CASH_ACCOUNT, ghost];

      // The model: balances and entry counts from the applied effects alone.
      const expected = new Map<string, number>([...bank.engine.accounts.values()].map((a) => [a.account, 0]));
      const entries = new Map<string, number>([...bank.engine.accounts.values()].map((a) => [a.account, 0]));
      let appliedCount = 0;
      const usedIds: string[] = [];
      let now = new Date('2026-03-10T20:00:00.000Z').getTime();
      const counts = new Map<string, number>();
      /** Each customer's spending per UTC day, from the applied transfers alone. */
      const spent = new Map<string, { day: string; spent: number }>();

      /**
       * What the rules say about a request, from the model: 'replay', 'apply', or every code
       * that applies (the engine may check the rules in any order, so any of them is right).
       */
      const predict = (req: MoveRequest, at: Date): 'apply' | 'replay' | Set<string> => {
        const stored = bank.stored.get(req.transferId);
        if (stored) {
          const same = stored.kind === req.kind && stored.from === req.from && stored.to === req.to && stored.amount === req.amount && (stored.memo ?? '') === (req.memo ?? '');
          return same ? 'replay' : new Set(['CONFLICT']);
        }
        const codes = new Set<string>();
        const from = bank.engine.accounts.get(req.from);
        const to = bank.engine.accounts.get(req.to);
        if (!from) return new Set(['NOT_FOUND']);
        // The payer's side is checked first, so an unknown payee may come after a payer's refusal.
        if (!to) codes.add('NOT_FOUND');
        if (req.from === req.to) codes.add('BAD_REQUEST');
        if (req.kind === 'transfer') {
          if (from.owner !== req.actor) codes.add('FORBIDDEN');
          if (to && to.owner === null) codes.add('BAD_REQUEST');
          if (to?.status === 'closed') codes.add('NOT_FOUND');
        }
        if (from.status !== 'active' || (to && to.status !== 'active')) codes.add('ACCOUNT_FROZEN');
        if (req.kind === 'transfer') {
          const limits = bank.engine.limitsOf(req.actor);
          const day = at.toISOString().slice(0, 10);
          const s = spent.get(req.actor);
          const today = s?.day === day ? s.spent : 0;
          if (req.amount > limits.perTransfer || today + req.amount > limits.perDay) codes.add('LIMIT_EXCEEDED');
        }
        if (from.owner !== null && expected.get(req.from)! < req.amount) codes.add('INSUFFICIENT_FUNDS');
        return codes.size === 0 ? 'apply' : codes;
      };

      for (let step = 0; step < 4000; step++) {
        now += rnd.int(0, 40 * 60_000); // up to 40 minutes: crosses many UTC midnights
        const at = new Date(now);
        const roll = rnd.next();
        const before = bank.snapshot();
        // Problems are collected and asserted once per step (thousands of expect() calls are slow).
        const broken: string[] = [];
        const check = (ok: boolean, problem: () => string) => {
          if (!ok) broken.push(problem());
        };
        let what = '';
        try {
          if (roll < 0.05) {
            const owner = rnd.pick(owners);
            const status: AccountStatus = rnd.pick(['active', 'active', 'frozen', 'closed'] as const);
            what = `setOwnerStatus ${owner} ${status}`;
            // Closed accounts would stay dead forever in real life (the op layer refuses to
            // reopen them); here reopening keeps the walk interesting.
            bank.engine.setOwnerStatus(owner, status);
            counts.set('status', (counts.get('status') ?? 0) + 1);
          } else if (roll < 0.08) {
            const owner = rnd.pick(owners);
            const limits = rnd.chance(0.5) ? { perTransfer: rnd.int(0, 60_000) } : { perDay: rnd.int(0, 200_000) };
            what = `setLimits ${owner} ${JSON.stringify(limits)}`;
            bank.engine.setLimits(owner, limits);
          } else {
            const kind: TransferKind = roll < 0.2 ? 'deposit' : roll < 0.28 ? 'withdraw' : 'transfer';
            const reuse = usedIds.length > 0 && rnd.chance(0.1);
            const transferId = reuse ? rnd.pick(usedIds) : newId();
            let req: MoveRequest;
            const amount = rnd.chance(0.05) ? rnd.int(100_000, 500_000) : rnd.int(1, 30_000);
            if (reuse && rnd.chance(0.5)) {
              // An exact retry of what was stored: must replay.
              const s = bank.stored.get(transferId)!;
              req = { kind: s.kind, transferId, from: s.from, to: s.to, amount: s.amount, actor: s.actor, ...(s.memo !== undefined && { memo: s.memo }) };
            } else if (kind === 'deposit') {
              req = { kind, transferId, from: CASH_ACCOUNT, to: rnd.chance(0.95) ? rnd.pick(customerAccounts) : rnd.pick(anyAccount), amount, actor: 'admin' };
            } else if (kind === 'withdraw') {
              req = { kind, transferId, from: rnd.chance(0.95) ? rnd.pick(customerAccounts) : rnd.pick(anyAccount), to: CASH_ACCOUNT, amount, actor: 'admin' };
            } else {
              const from = rnd.chance(0.95) ? rnd.pick(customerAccounts) : rnd.pick(anyAccount);
              const fromOwner = bank.engine.accounts.get(from)?.owner;
              const actor = rnd.chance(0.93) && fromOwner ? fromOwner : rnd.pick(owners);
              req = { kind, transferId, from, to: rnd.chance(0.95) ? rnd.pick(customerAccounts) : rnd.pick(anyAccount), amount, actor, ...(rnd.chance(0.3) && { memo: rnd.pick(['rent', 'books', '']) }) };
            }
            what = JSON.stringify(req);
            const storedBefore = bank.stored.get(req.transferId);
            const verdict = predict(req, at);
            let outcome: MoveOutcome;
            try {
              outcome = bank.move(req, at);
            } catch (err) {
              if (err instanceof BankError) {
                check(verdict instanceof Set, () => `refused ${err.code} (${err.message}) but the rules say ${String(verdict)}`);
                check(verdict instanceof Set && verdict.has(err.code), () => `refused with ${err.code}; the rules broken are ${[...(verdict as Set<string>)]}`);
              }
              throw err;
            }
            counts.set(`${req.kind}:${outcome.kind}`, (counts.get(`${req.kind}:${outcome.kind}`) ?? 0) + 1);
            check(!(verdict instanceof Set), () => `${outcome.kind} although the rules say refuse: ${[...(verdict as Set<string>)]}`);
            check(outcome.kind === (verdict === 'replay' ? 'replay' : 'applied'), () => `${outcome.kind}, the rules say ${String(verdict)}`);
            if (outcome.kind === 'applied') {
              usedIds.push(req.transferId);
              const e = outcome.effect;
              check(storedBefore === undefined, () => 'applied although the id was stored');
              expected.set(req.from, expected.get(req.from)! - req.amount);
              expected.set(req.to, expected.get(req.to)! + req.amount);
              entries.set(req.from, entries.get(req.from)! + 1);
              entries.set(req.to, entries.get(req.to)! + 1);
              appliedCount++;
              const t = e.transfer;
              check(t.id === req.transferId && t.from === req.from && t.to === req.to && t.amount === req.amount && t.kind === req.kind && t.seq === appliedCount, () => `record ${JSON.stringify(t)}`);
              check(t.fromEntry === entries.get(req.from) && t.toEntry === entries.get(req.to), () => `entry numbers ${t.fromEntry}/${t.toEntry}`);
              check(e.fromEntry.amount === -req.amount && e.toEntry.amount === req.amount, () => 'leg amounts');
              check(e.fromEntry.balanceAfter === expected.get(req.from) && e.toEntry.balanceAfter === expected.get(req.to), () => 'legs\' balanceAfter');
              check(e.large === req.amount >= rules.largeTransferAlert, () => `large ${e.large}`);
              if (req.kind === 'transfer') {
                const day = at.toISOString().slice(0, 10);
                const prev = spent.get(req.actor);
                spent.set(req.actor, { day, spent: (prev?.day === day ? prev.spent : 0) + req.amount });
                check(e.owner?.state.day === day && e.owner.state.spent === spent.get(req.actor)!.spent, () => `owner state ${JSON.stringify(e.owner)}`);
              } else {
                check(e.owner === undefined, () => 'deposits and withdrawals touch no owner state');
              }
            } else {
              check(outcome.transfer === storedBefore, () => 'a replay returns the stored record');
              check(bank.snapshot() === before, () => 'a replay moved something');
            }
          }
        } catch (err) {
          if (!(err instanceof BankError)) throw err;
          counts.set(err.code, (counts.get(err.code) ?? 0) + 1);
          check(bank.snapshot() === before, () => `a refused ${err.code} changed something`);
        }

        // The invariants, after every single operation.
        check(bank.engine.sum() === 0, () => `sum is ${bank.engine.sum()}`);
        check(bank.engine.transferSeq === appliedCount, () => `transferSeq ${bank.engine.transferSeq}, applied ${appliedCount}`);
        for (const a of bank.engine.accounts.values()) {
          check(a.balance === expected.get(a.account), () => `${a.account} balance ${a.balance}, applied effects say ${expected.get(a.account)}`);
          check(a.entrySeq === entries.get(a.account), () => `${a.account} entrySeq ${a.entrySeq}, applied legs ${entries.get(a.account)}`);
          check(a.owner === null || a.balance >= 0, () => `${a.account} is negative: ${a.balance}`);
        }
        if (broken.length > 0) expect(broken, `seed ${seed} step ${step}: ${what}`).toEqual([]);
      }
      // The walk must have visited every kind of outcome, or it proved little.
      for (const key of ['transfer:applied', 'transfer:replay', 'deposit:applied', 'withdraw:applied', 'INSUFFICIENT_FUNDS', 'LIMIT_EXCEEDED', 'ACCOUNT_FROZEN', 'CONFLICT', 'NOT_FOUND', 'FORBIDDEN', 'BAD_REQUEST']) {
        expect(counts.get(key) ?? 0, `${key} never happened: ${JSON.stringify([...counts])}`).toBeGreaterThan(0);
      }
    });
  }
});
