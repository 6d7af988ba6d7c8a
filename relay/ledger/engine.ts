import { BankError } from '../../common/errors.js';
import { CASH_ACCOUNT, makeAccountNumber } from '../../common/account-number.js';
import type { Entry, Limits } from '../../common/schemas/models.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import { AccountTable } from './account-table.js';
import { legsOf } from './legs.js';
import type { AccountState, LedgerRules, OwnerState, TransferKind, TransferRecord } from './types.js';

/** A money movement asked of the ledger. `from`/`to` are resolved account numbers. */
export interface MoveRequest {
  kind: TransferKind;
  transferId: string;
  from: string;
  to: string;
  amount: number;
  memo?: string;
  /** The customer moving money (checked to own `from`), or the admin for deposits/withdrawals. */
  actor: string;
}

/** What one applied movement changes: the caller writes it and then tells people. */
export interface MoveEffect {
  transfer: TransferRecord;
  from: AccountState;
  to: AccountState;
  /** Its two legs, as each account's history shows them (made when asked: most stores do not). */
  readonly fromEntry: Entry;
  readonly toEntry: Entry;
  owner?: { username: string; state: OwnerState };
  large: boolean;
}

class AppliedMove implements MoveEffect {
  constructor(
    readonly transfer: TransferRecord,
    readonly from: AccountState,
    readonly to: AccountState,
    readonly large: boolean,
    readonly owner?: { username: string; state: OwnerState },
  ) {}

  get fromEntry(): Entry {
    return legsOf(this.transfer)[0];
  }

  get toEntry(): Entry {
    return legsOf(this.transfer)[1];
  }
}

/** An owner's limits: those an admin set, else the bank's defaults. */
export function effectiveLimits(rules: LedgerRules, owner: OwnerState | undefined): Limits {
  return { ...rules.defaultLimits, ...(owner?.limits ?? {}) };
}

/** A movement admins are alerted to. */
export function isLarge(rules: LedgerRules, amount: number): boolean {
  return amount >= rules.largeTransferAlert;
}

export type MoveOutcome = { kind: 'applied'; effect: MoveEffect } | { kind: 'replay'; transfer: TransferRecord };

/** The state some movements may change, as it was: an atomic batch goes back to it when an item fails. */
export interface EngineMark {
  transferSeq: number;
  accounts: [AccountState, number, number][];
  owners: [string, OwnerState | undefined][];
}

/**
 * The ledger's rules as a deterministic state machine over in-memory accounts: no I/O, no
 * clock of its own (the caller passes `now`). Every balance change is a transfer between two
 * accounts, so the sum of all balances (cash included) stays 0.
 */
export class LedgerEngine {
  readonly accounts = new AccountTable();
  readonly owners = new Map<string, OwnerState>();
  /**
   * Account numbers by owner, in opening order: a plain string for an owner with one account
   * (nearly everyone), an array only beyond that, so a million customers are not a million arrays.
   * Accounts loaded at a start are indexed here later (indexOwners), in serial order, which is
   * opening order: a million inserts would otherwise hold up the start by about a second.
   */
  private readonly byOwner = new Map<string, string | string[]>();
  /** Where indexing the loaded accounts by owner has got to, while it goes on. */
  private unindexed: Iterator<AccountState> | undefined;
  /** Accounts were loaded since the index was made: it is made again, from the first. */
  private ownersStale = false;
  nextSerial = 1;
  transferSeq = 0;

  constructor(readonly rules: LedgerRules) {}

  /** Loads state from disk at start-up. */
  load(accounts: Iterable<AccountState>, owners: Iterable<[string, OwnerState]>, nextSerial: number, transferSeq: number): void {
    this.loadAccounts(accounts);
    for (const [name, o] of owners) this.owners.set(name, o);
    this.nextSerial = Math.max(nextSerial, this.nextSerial);
    this.transferSeq = transferSeq;
  }

  /** Loads accounts read at start-up, a batch at a time (a store may feed them as it reads them). */
  loadAccounts(accounts: Iterable<AccountState>): void {
    for (const a of accounts) this.accounts.set(a);
    this.ownersStale = true;
  }

  /**
   * Indexes up to `max` loaded accounts by owner; true once all are. A store calls it in slices
   * after a start; anything that needs the index finishes it first.
   */
  indexOwners(max = Infinity): boolean {
    if (this.ownersStale) {
      this.ownersStale = false;
      this.byOwner.clear();
      this.unindexed = this.accounts.values();
    }
    const pending = this.unindexed;
    if (!pending) return true;
    for (let n = 0; n < max; n++) {
      const next = pending.next();
      if (next.done) {
        this.unindexed = undefined;
        return true;
      }
      this.indexOwner(next.value);
    }
    return false;
  }

  private indexOwner(a: AccountState): void {
    if (a.owner === null) return;
    const held = this.byOwner.get(a.owner);
    if (held === undefined) this.byOwner.set(a.owner, a.account);
    else if (typeof held === 'string') this.byOwner.set(a.owner, [held, a.account]);
    else held.push(a.account);
  }

  private addAccount(a: AccountState): void {
    // The index holds owners' accounts in opening order: what was loaded comes first.
    this.indexOwners();
    this.accounts.set(a);
    this.indexOwner(a);
  }

  /** The bank's own account, created once. */
  ensureCash(now: Date): AccountState | undefined {
    if (this.accounts.has(CASH_ACCOUNT)) return undefined;
    const cash: AccountState = { account: CASH_ACCOUNT, owner: null, status: 'active', balance: 0, entrySeq: 0, createdAt: now.toISOString() };
    this.addAccount(cash);
    return cash;
  }

  openAccount(owner: string, now: Date): AccountState {
    const account: AccountState = {
      account: makeAccountNumber(this.nextSerial++),
      owner,
      status: 'active',
      balance: 0,
      entrySeq: 0,
      createdAt: now.toISOString(),
    };
    this.addAccount(account);
    return account;
  }

  accountsOf(owner: string): AccountState[] {
    this.indexOwners();
    const held = this.byOwner.get(owner);
    if (held === undefined) return [];
    return typeof held === 'string' ? [this.accounts.get(held)!] : held.map((n) => this.accounts.get(n)!);
  }

  limitsOf(owner: string): Limits {
    return effectiveLimits(this.rules, this.owners.get(owner));
  }

  setLimits(owner: string, limits: Partial<Limits>): OwnerState {
    const current = this.owners.get(owner) ?? { limits: {}, day: '', spent: 0 };
    const next = { ...current, limits: { ...current.limits, ...limits } };
    this.owners.set(owner, next);
    return next;
  }

  /** Freezing, unfreezing or closing all of a user's accounts; closing needs every balance at 0. */
  setOwnerStatus(owner: string, status: AccountStatus): AccountState[] {
    const accounts = this.accountsOf(owner);
    if (status === 'closed') {
      const funded = accounts.find((a) => a.balance !== 0);
      if (funded) throw new BankError('CONFLICT', `cannot close ${owner}: account ${funded.account} still holds ${funded.balance} (it must be 0)`);
    }
    return accounts.map((a) => {
      a.status = status;
      return a;
    });
  }

  /**
   * Checks and applies one movement, or throws a BankError saying why not. `stored` is the
   * transfer already recorded under this id, if any (idempotency).
   */
  move(req: MoveRequest, stored: TransferRecord | undefined, now: Date): MoveOutcome {
    if (stored) {
      if (sameRequest(stored, req)) return { kind: 'replay', transfer: stored };
      throw new BankError('CONFLICT', `transfer id ${req.transferId} was already used for a different transfer`);
    }
    // The payer's side first, then the payee's: a refusal that does not depend on the payee
    // (limits, funds) tells nothing about it, so only the payee's own refusals need to count
    // as an account lookup (ops/transfer/refusals.ts).
    const from = this.accounts.get(req.from);
    if (!from) throw new BankError('NOT_FOUND', `no account ${req.from}`);
    if (req.kind === 'transfer' && from.owner !== req.actor) throw new BankError('FORBIDDEN', `account ${req.from} is not yours`);
    if (from.status !== 'active') throw frozen(from);
    let owner: MoveEffect['owner'];
    if (req.kind === 'transfer') {
      const state = this.owners.get(req.actor);
      const perTransfer = state?.limits.perTransfer ?? this.rules.defaultLimits.perTransfer;
      const perDay = state?.limits.perDay ?? this.rules.defaultLimits.perDay;
      if (req.amount > perTransfer) {
        throw new BankError('LIMIT_EXCEEDED', `the amount is over your per-transfer limit of ${perTransfer}`);
      }
      const day = this.timeOf(now).day;
      const spentToday = state !== undefined && state.day === day ? state.spent : 0;
      if (spentToday + req.amount > perDay) {
        throw new BankError('LIMIT_EXCEEDED', `this would take you over your daily limit of ${perDay} (already sent today: ${spentToday})`);
      }
      owner = { username: req.actor, state: { limits: state?.limits ?? {}, day, spent: spentToday + req.amount } };
    }
    // Only the bank's cash account may go below zero.
    if (from.owner !== null && from.balance < req.amount) {
      throw new BankError('INSUFFICIENT_FUNDS', `insufficient funds: the balance of ${from.account} is ${from.balance}`);
    }
    const to = this.accounts.get(req.to);
    if (!to) throw new BankError('NOT_FOUND', `no account ${req.to}`);
    if (from === to) throw new BankError('BAD_REQUEST', 'to: must be another account than the one paying');
    if (req.kind === 'transfer') {
      if (to.owner === null) throw new BankError('BAD_REQUEST', 'to: the bank\'s cash account cannot receive transfers');
      // To a customer, a closed account is one that does not exist, as account.lookup says.
      if (to.status === 'closed') throw new BankError('NOT_FOUND', `no account ${req.to}`);
    }
    if (to.status !== 'active') throw frozen(to);
    // Balances stay exact integers on both sides (the cash account's negative side included).
    if (to.balance + req.amount > Number.MAX_SAFE_INTEGER) throw new BankError('BAD_REQUEST', 'amount: would overflow the payee\'s balance');
    if (from.balance - req.amount < -Number.MAX_SAFE_INTEGER) throw new BankError('BAD_REQUEST', 'amount: would overflow the bank\'s cash balance');

    // Checks passed: apply.
    if (owner) this.owners.set(owner.username, owner.state);
    from.balance -= req.amount;
    to.balance += req.amount;
    from.entrySeq++;
    to.entrySeq++;
    const transfer: TransferRecord =
      req.memo !== undefined && req.memo !== ''
        ? { id: req.transferId, from: from.account, to: to.account, amount: req.amount, memo: req.memo, ts: this.timeOf(now).ts, status: 'posted', kind: req.kind, seq: ++this.transferSeq, fromEntry: from.entrySeq, toEntry: to.entrySeq, fromBalanceAfter: from.balance, toBalanceAfter: to.balance, actor: req.actor }
        : { id: req.transferId, from: from.account, to: to.account, amount: req.amount, ts: this.timeOf(now).ts, status: 'posted', kind: req.kind, seq: ++this.transferSeq, fromEntry: from.entrySeq, toEntry: to.entrySeq, fromBalanceAfter: from.balance, toBalanceAfter: to.balance, actor: req.actor };
    return { kind: 'applied', effect: new AppliedMove(transfer, from, to, isLarge(this.rules, req.amount), owner) };
  }

  /** What `moves` may change (their accounts, their payers' spending, the transfer seq), to roll back to. */
  mark(moves: readonly MoveRequest[]): EngineMark {
    const accounts = new Set<AccountState>();
    const owners = new Set<string>();
    for (const m of moves) {
      const from = this.accounts.get(m.from);
      const to = this.accounts.get(m.to);
      if (from) accounts.add(from);
      if (to) accounts.add(to);
      if (m.kind === 'transfer') owners.add(m.actor);
    }
    return {
      transferSeq: this.transferSeq,
      accounts: [...accounts].map((a) => [a, a.balance, a.entrySeq]),
      owners: [...owners].map((o) => [o, this.owners.get(o)]),
    };
  }

  /** Undoes every movement applied since `mark` (owner states are replaced, never edited, so the old ones are intact). */
  rollback(mark: EngineMark): void {
    this.transferSeq = mark.transferSeq;
    for (const [a, balance, entrySeq] of mark.accounts) {
      a.balance = balance;
      a.entrySeq = entrySeq;
    }
    for (const [o, state] of mark.owners) {
      if (state === undefined) this.owners.delete(o);
      else this.owners.set(o, state);
    }
  }

  /** `now` as the ledger writes it: its ISO time and UTC day, worked out once per clock reading (a batch shares one). */
  private timeOf(now: Date): { ts: string; day: string } {
    if (this.lastNow !== now) {
      this.lastNow = now;
      const ts = now.toISOString();
      this.lastTime = { ts, day: ts.slice(0, 10) };
    }
    return this.lastTime;
  }

  private lastNow: Date | undefined;
  private lastTime = { ts: '', day: '' };

  /** Sum of every balance, cash included: 0 unless money was invented or lost. */
  sum(): number {
    let s = 0;
    for (const a of this.accounts.values()) s += a.balance;
    return s;
  }
}

function sameRequest(stored: TransferRecord, req: MoveRequest): boolean {
  return (
    stored.kind === req.kind &&
    stored.from === req.from &&
    stored.to === req.to &&
    stored.amount === req.amount &&
    (stored.memo ?? '') === (req.memo ?? '')
  );
}

function frozen(a: AccountState): BankError {
  return new BankError('ACCOUNT_FROZEN', `account ${a.account} is ${a.status}: it can neither send nor receive`);
}
