import type { AuditEntry, AuditHead, Entry } from '../../common/schemas/models.js';
import type { ChainVerdict } from '../audit/chain.js';
import type { SessionRecord, UserRecord } from '../auth/records.js';
import type { LedgerVerdict } from '../ledger/verdict.js';
import type { RunRecord } from '../ledger/runs.js';
import type { AccountState, OwnerState, TransferRecord } from '../ledger/types.js';

/**
 * The storage seam's read side (docs/POSTGRES.md lists the seams), in domain terms: what the
 * relay's queries and verifiers read, whichever store is under it. The embedded LevelDB store
 * (store/leveldb/) and the PostgreSQL store (store/postgres/) implement it; neither speaks the
 * other's keys or SQL through it. Writes go through the bank's one writer (ledger/writer.ts)
 * and the store's LedgerStorage.
 */
export interface BankStore {
  readonly kind: 'leveldb' | 'postgres';
  /** Users by name, in one read (callers batch them, see BatchedGet). */
  getUsers(names: readonly string[]): Promise<(UserRecord | undefined)[]>;
  /** Every user in username order (bytewise), after `after` when given. */
  users(after?: string): AsyncIterable<UserRecord>;
  /** Whether an administrator was ever created (start-up creates the first one otherwise). */
  hasAdmin(): Promise<boolean>;
  /** Sessions by key (the SHA-256 of their token), in one read. */
  getSessions(keys: readonly string[]): Promise<(SessionRecord | undefined)[]>;
  /** Every stored session with its key. */
  sessions(): AsyncIterable<[string, SessionRecord]>;
  /** The keys of one user's stored sessions. */
  sessionKeysOf(username: string): Promise<string[]>;
  /** The audit chain's head as stored now (on a shared store, other relays move it too). */
  auditHead(): Promise<AuditHead>;
  /** Audit entries with `afterSeq` < seq ≤ `upToSeq` (to the end when absent), oldest first. */
  auditEntries(afterSeq: number, upToSeq?: number): AsyncIterable<AuditEntry>;
  auditEntry(seq: number): Promise<AuditEntry | undefined>;
  /** An account's entries with their numbers (1, 2, …), newest first, below number `below` when given. */
  entriesOf(account: string, below?: number): AsyncIterable<[number, Entry]>;
  /** Every transfer, newest first (by seq), below seq `below` when given. */
  transfersNewestFirst(below?: number): AsyncIterable<TransferRecord>;
  /** Payment runs by id, in one read. */
  getRuns(ids: readonly string[]): Promise<(RunRecord | undefined)[]>;
  /**
   * Payment runs newest first (by when they started, then id), of one owner when `owner` is
   * given, only those of one digest when `digest` is, after the run `below` names when given.
   */
  runsNewestFirst(filter: RunFilter, below?: RunPlace): AsyncIterable<RunRecord>;
  /** `ledger verify`: balances, entries and the audit log's postings agree, from one consistent view. */
  verifyLedger(): Promise<LedgerVerdict>;
  /** `audit verify`: the hash chain from genesis to the head, from one consistent view. */
  verifyAudit(): Promise<ChainVerdict>;
  close(): Promise<void>;
}

export interface RunFilter {
  owner?: string;
  digest?: string;
}

/** A run's place in the newest-first order: where the next page starts. */
export interface RunPlace {
  createdAt: string;
  runId: string;
}

/** Everything a bank holds, in domain terms, to copy it into another store (`bank-relay migrate`). */
export interface BankExport extends Pick<BankStore, 'users' | 'sessions' | 'hasAdmin' | 'auditHead' | 'auditEntries'> {
  /** Every payment run, in any order. */
  runsAll(): AsyncIterable<RunRecord>;
  accountsAll(): AsyncIterable<AccountState>;
  ownersAll(): AsyncIterable<[string, OwnerState]>;
  /** Every transfer in the ledger's order (seq 1, 2, …); their entries follow from them (legs.ts). */
  transfersInOrder(): AsyncIterable<TransferRecord>;
}
