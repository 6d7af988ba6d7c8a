import type { AuditEntry, AuditHead, Entry } from '../../common/schemas/models.js';
import type { AuditDraft, ChainVerdict } from '../audit/chain.js';
import type { LedgerVerdict } from '../ledger/verify.js';
import type { AccountState, OwnerState, TransferRecord } from '../ledger/types.js';
import type { BatchOp } from './db.js';
import type { SessionRecord, UserRecord } from './records.js';

/**
 * The storage seam (DESIGN.md): what the relay reads and writes, whichever store is under it.
 * The embedded LevelDB store (db.ts, commit-queue.ts) and the PostgreSQL store
 * (postgres/pg-bank.ts, postgres/pg-commits.ts) both implement it.
 */

/** A key range, as abstract-level takes it: keys are strings that sort in the store's order. */
export interface KvRange {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  reverse?: boolean;
  limit?: number;
}

/** One table (a LevelDB sublevel, a PostgreSQL table) read by key and by key range. */
export interface KvView<V> {
  get(key: string): Promise<V | undefined>;
  getMany(keys: string[]): Promise<(V | undefined)[]>;
  iterator(range?: KvRange): AsyncIterable<[string, V]>;
  values(range?: KvRange): AsyncIterable<V>;
  keys(range?: KvRange): AsyncIterable<string>;
}

/** The bank's tables, read side (keys as documented in db.ts), and its verifiers. */
export interface BankStore {
  readonly kind: 'leveldb' | 'postgres';
  readonly users: KvView<UserRecord>;
  readonly sessions: KvView<SessionRecord>;
  readonly audit: KvView<AuditEntry>;
  readonly meta: KvView<unknown>;
  readonly accounts: KvView<AccountState>;
  readonly owners: KvView<OwnerState>;
  readonly transfers: KvView<TransferRecord>;
  /** `<seq, 16 digits>` → transfer id, in the ledger's total order. */
  readonly txlog: KvView<string>;
  /** `<account>!<n, 12 digits>` → Entry. */
  readonly entries: KvView<Entry>;
  getMeta<T>(key: string): Promise<T | undefined>;
  /** The audit chain's head as stored now (on a shared store, other relays move it too). */
  auditHead(): Promise<AuditHead>;
  verifyLedger(): Promise<LedgerVerdict>;
  verifyAudit(): Promise<ChainVerdict>;
  close(): Promise<void>;
}

/** The writes every store takes through its commit sink: users, sessions and small singletons. */
export type GenericOp = Extract<BatchOp, { sublevel: 'users' | 'sessions' | 'meta' }>;

/** What a commit tells beyond its rows. */
export interface CommitNote {
  /** Why the sessions these ops delete ended: told to their connections on the bank's other relays. */
  endedReason?: string;
}

/**
 * The writer: every change that is not a ledger movement goes through `commit`, atomically with
 * its audit entries, acknowledged once durable (group commit on both stores).
 */
export interface CommitSink {
  commit(ops: GenericOp[], audit?: AuditDraft[], note?: CommitNote): Promise<AuditEntry[]>;
  /** The newest head this relay wrote or read (the stored one may be newer on a shared store). */
  readonly auditHead: AuditHead;
  /** Figures for operators: batches written and jobs in them. */
  readonly stats: { batches: number; jobs: number };
  /** Waits for everything queued so far, then refuses new work. */
  drain(): Promise<void>;
}
