import { BankError } from '../../common/errors.js';
import type { AuditEntry, AuditHead, Limits } from '../../common/schemas/models.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import type { AuditDraft } from '../audit/chain.js';
import type { SessionRecord, UserRecord } from '../auth/records.js';
import type { MoveEffect, MoveRequest } from './engine.js';
import type { RunDeclaration, RunRecord } from './runs.js';
import type { AccountState, OwnerState, TransferRecord } from './types.js';

/**
 * What the bank's one writer (writer.ts) is asked to do, in domain terms: every change to the
 * bank, money or not, is one of these commands. A batch of them is prefetched, executed in
 * order by the pure engine (execute.ts), and committed by the store in one durable write.
 */

/** Who asks for a change and as what; the audit entry's target, outcome and details come from what happened. */
export type AuditBy = Omit<AuditDraft, 'target' | 'outcome' | 'details'>;

/** A write beside the ledger: users, sessions and the bank's flags, in the words of the domain. */
export type RecordWrite =
  /**
   * A user's record, changed from the version `from` (null: a new user, refused if the name is
   * taken). The writer refuses it with StaleUser when the stored version is another, and stores
   * it with the next version.
   */
  | { type: 'user'; user: UserRecord; from: number | null }
  | { type: 'session'; key: string; session: SessionRecord }
  /** A session's activity, written only if the session is still stored: it never brings back one ended meanwhile. */
  | { type: 'touchSession'; key: string; session: SessionRecord }
  | { type: 'endSession'; key: string }
  /** Set once an administrator exists (start-up then creates none). */
  | { type: 'hasAdmin' };

export type LedgerCommand =
  /**
   * Money movements, in order: one for `transfer.create` and the admins' deposits and
   * withdrawals (one audit entry each), up to a thousand for `transfer.batch` (one audit entry
   * listing them, `batch` set). `atomic`: all post or none.
   */
  | { kind: 'move'; items: readonly MoveRequest[]; atomic: boolean; audit: AuditBy; batch?: BatchOrigin }
  /** Opens an account for `owner`; `writes` go with it, only if it is opened. */
  | { kind: 'open'; owner: string; audit: AuditDraft[]; writes?: RecordWrite[] }
  /** Freezes, unfreezes or closes every account of `owner`. */
  | { kind: 'status'; owner: string; status: AccountStatus; audit: AuditDraft[]; writes?: RecordWrite[] }
  | { kind: 'limits'; owner: string; limits: Partial<Limits>; audit: AuditDraft[]; writes?: RecordWrite[] }
  /** The bank's own account, opened (and audited) once, by whichever relay starts first. */
  | { kind: 'cash' }
  /** Declares a payment run (runs.ts), audited when it is new; the same declaration again answers the run. */
  | { kind: 'run'; run: RunDeclaration; audit: AuditBy }
  /** Users, sessions and flags with their audit entries. `endedReason`: why the sessions it ends ended. */
  | { kind: 'write'; writes: RecordWrite[]; audit: AuditDraft[]; endedReason?: string };

/** A `transfer.batch`: its payment run, and the session that sent it (it has the answers; its events say less). */
export interface BatchOrigin {
  runId?: string;
  sender?: string;
}

/** One movement's answer, in the order asked. */
export type ItemResult = { ok: true; transfer: TransferRecord; balance: number; replay: boolean } | { ok: false; error: BankError };

export type CommandResult =
  | { kind: 'move'; items: ItemResult[] }
  /** The accounts opened or changed. */
  | { kind: 'accounts'; accounts: AccountState[] }
  /** The owner's effective limits after the change. */
  | { kind: 'limits'; limits: Limits }
  /** A write's audit entries as sealed. */
  | { kind: 'written'; audit: AuditEntry[] }
  /** The run as declared (or as it stands, when it was declared before). */
  | { kind: 'run'; run: RunRecord; created: boolean };

/** A command's outcome: done, or refused as a whole (e.g. closing a user whose balance is not 0). */
export type Settled = { ok: true; value: CommandResult } | { ok: false; error: BankError };

/** A session a batch ended, and why when its writer said. */
export interface EndedSession {
  key: string;
  reason?: string;
}

/**
 * What one batch changes, for the store to write in one durable step. Accounts and owners are
 * in their final state after the batch; the store serializes them at once (nothing else runs
 * on the engine until the commit settles).
 */
export interface BatchEffects {
  /** Movements posted, in the ledger's order (their seqs run on without a gap). */
  posted: MoveEffect[];
  /** The runs of `posted` that `transfer.batch` commands posted (their events are told batch-wise). */
  batches: { first: number; count: number; sender?: string }[];
  /** Accounts opened in this batch (also in `accounts`). */
  opened: AccountState[];
  /** Every account the batch changed, once each. */
  accounts: AccountState[];
  /** Every owner whose limits or spending the batch changed, once each. */
  owners: [string, OwnerState][];
  /** Users, sessions and flags, in order: the last write of a key wins. */
  writes: RecordWrite[];
  /** Payment runs declared or counted, each once in its final state. */
  runs: RunRecord[];
  ended: EndedSession[];
  /** The audit entries appended, in order, and the head after them. */
  audit: AuditEntry[];
  head: AuditHead;
}

/** What a batch reads before it executes: the store prefetches exactly these. */
export interface BatchNeeds {
  /** Transfer ids to look up (idempotency). */
  transferIds: Set<string>;
  /** Accounts a movement touches. */
  accounts: Set<string>;
  /** Owners whose limits and spending are read or changed. */
  owners: Set<string>;
  /** Owners every account of which a command changes. */
  statusOwners: Set<string>;
  /** An account is opened: the next serial is needed. */
  open: boolean;
  /** The cash account must exist or be opened. */
  cash: boolean;
  /** Users whose records are written: their stored versions are read. */
  users: Set<string>;
  /** Old Qt-bank account numbers those records carry: who holds each is read (one number, one user). */
  legacyAccounts: Set<string>;
  /** Payment runs declared or counted: their stored records are read. */
  runs: Set<string>;
}

export function needsOf(commands: readonly LedgerCommand[]): BatchNeeds {
  const needs: BatchNeeds = { transferIds: new Set(), accounts: new Set(), owners: new Set(), statusOwners: new Set(), open: false, cash: false, users: new Set(), legacyAccounts: new Set(), runs: new Set() };
  for (const c of commands) {
    if (c.kind !== 'move' && c.kind !== 'cash' && c.kind !== 'run') {
      for (const w of c.writes ?? []) {
        if (w.type !== 'user') continue;
        needs.users.add(w.user.username);
        if (w.user.legacy?.account !== undefined) needs.legacyAccounts.add(w.user.legacy.account);
      }
    }
    switch (c.kind) {
      case 'move':
        if (c.batch?.runId !== undefined) needs.runs.add(c.batch.runId);
        for (const m of c.items) {
          needs.transferIds.add(m.transferId);
          needs.accounts.add(m.from);
          needs.accounts.add(m.to);
          if (m.kind === 'transfer') needs.owners.add(m.actor);
        }
        break;
      case 'open':
        needs.open = true;
        break;
      case 'status':
        needs.statusOwners.add(c.owner);
        break;
      case 'limits':
        needs.owners.add(c.owner);
        break;
      case 'cash':
        needs.cash = true;
        break;
      case 'run':
        needs.runs.add(c.run.runId);
        break;
      case 'write':
        break;
    }
  }
  return needs;
}

/**
 * A user's record changed since the change was made from it (on another relay, say): nothing
 * was written. The change is made again from the record as it is now (UserStore.withUser).
 */
export class StaleUser extends BankError {
  constructor(username: string) {
    super('CONFLICT', `${username} was changed by another request at the same time; nothing was changed: try again`);
    this.name = 'StaleUser';
  }
}

/** How many movements a command carries (a batch's size is counted in these). */
export function weightOf(c: LedgerCommand): number {
  return c.kind === 'move' ? c.items.length : 1;
}
