import type { Account, Limits } from '../../common/schemas/models.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import type { AuditDraft } from '../audit/chain.js';
import type { GenericOp } from '../store/bank-store.js';
import type { MoveRequest } from './engine.js';
import type { AccountState, TransferRecord } from './types.js';

export interface MoveResult {
  transfer: TransferRecord;
  /** The customer account's balance right after this transfer (also on a replay). */
  balance: number;
  replay: boolean;
}

/**
 * The ledger as the ops see it, on either store: the embedded store's `Ledger` (balances in
 * one relay's memory, written by its commit queue) or the PostgreSQL store's `PgLedger`
 * (balances in the database, shared by every relay on it). Same rules, same error codes.
 */
export interface LedgerStore {
  readonly currency: string;
  toWire(a: AccountState): Account;
  accountsOf(owner: string): Promise<Account[]>;
  accountStatesOf(owner: string): Promise<AccountState[]>;
  account(number: string): Promise<AccountState | undefined>;
  /** The owner's effective limits (a limit an admin set, else the bank's defaults). */
  limitsOf(owner: string): Promise<Limits>;
  /** Accounts and transfers, as of now on this relay (cheap: for metrics and admin.stats). */
  counts(): { accounts: number; transfers: number };
  /** Moves money; resolves once durable. Same id and arguments → the original result. */
  move(req: MoveRequest, audit: Omit<AuditDraft, 'target' | 'outcome' | 'details'>): Promise<MoveResult>;
  /** Opens an account for a user, written together with `extra` (e.g. the user's new status). */
  openAccount(owner: string, extra: GenericOp[], audit: AuditDraft[]): Promise<AccountState>;
  /** Sets the status of every account of a user, in order with transfers. */
  setOwnerStatus(owner: string, status: AccountStatus, extra: GenericOp[], audit: AuditDraft[]): Promise<AccountState[]>;
  setLimits(owner: string, limits: Partial<Limits>, extra: GenericOp[], audit: AuditDraft[]): Promise<Limits>;
}
