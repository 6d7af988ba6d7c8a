import type { Account, Allowance, Limits } from '../../common/schemas/models.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import type { AuditDraft } from '../audit/chain.js';
import type { AuditBy, ItemResult, RecordWrite } from './commands.js';
import type { MoveRequest } from './engine.js';
import type { RunDeclaration, RunRecord } from './runs.js';
import type { AccountState, TransferRecord } from './types.js';

export interface MoveResult {
  transfer: TransferRecord;
  /** The customer account's balance right after this transfer (also on a replay). */
  balance: number;
  replay: boolean;
}

/** How a batch of movements is asked for (`transfer.batch`). */
export interface BatchOptions {
  atomic: boolean;
  runId?: string;
  /** The session that sent the batch: it has the answers, so its connection is not told each item again. */
  sender?: string;
  audit: AuditBy;
}

/**
 * The ledger as the ops see it, on either store: reads from the store, every change through
 * the bank's one writer (writer.ts). Same rules, same error codes on both.
 */
export interface LedgerStore {
  readonly currency: string;
  toWire(a: AccountState): Account;
  accountsOf(owner: string): Promise<Account[]>;
  accountStatesOf(owner: string): Promise<AccountState[]>;
  account(number: string): Promise<AccountState | undefined>;
  /** The owner's effective limits (a limit an admin set, else the bank's defaults). */
  limitsOf(owner: string): Promise<Limits>;
  /** The owner's effective limits and what they have sent on the UTC day of `now`. */
  allowanceOf(owner: string, now: Date): Promise<Allowance>;
  /** Accounts and transfers, as of now on this relay (cheap: for metrics and admin.stats). */
  counts(): { accounts: number; transfers: number };
  /** Moves money; resolves once durable. Same id and arguments → the original result. */
  move(req: MoveRequest, audit: AuditBy): Promise<MoveResult>;
  /** Moves money item by item in one durable write; one answer per item, in order. */
  moveBatch(items: readonly MoveRequest[], opts: BatchOptions): Promise<ItemResult[]>;
  /** Declares a payment run (the same declaration again answers the run as it stands). */
  startRun(run: RunDeclaration, audit: AuditBy): Promise<{ run: RunRecord; created: boolean }>;
  /** Opens an account for a user, written together with `writes` (e.g. the user's new status). */
  openAccount(owner: string, writes: RecordWrite[], audit: AuditDraft[]): Promise<AccountState>;
  /** Sets the status of every account of a user, in order with transfers. */
  setOwnerStatus(owner: string, status: AccountStatus, writes: RecordWrite[], audit: AuditDraft[]): Promise<AccountState[]>;
  setLimits(owner: string, limits: Partial<Limits>, writes: RecordWrite[], audit: AuditDraft[]): Promise<Limits>;
}
