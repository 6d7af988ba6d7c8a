import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import type { AuditEntry, AuditHead } from '../../../common/schemas/models.js';
import { EMPTY_HEAD } from '../../audit/chain.js';
import type { SessionRecord, UserRecord } from '../../auth/records.js';
import type { RunRecord } from '../../ledger/runs.js';
import type { AccountState, OwnerState } from '../../ledger/types.js';
import type { JournalRow } from './journal.js';

/** Options every read may take: a LevelDB snapshot, so several reads see one moment. */
export interface ReadAt {
  snapshot?: ReturnType<Level<string, unknown>['snapshot']>;
}

/**
 * The embedded store's database: LevelDB in `dataDir/db`, split into sublevels. The only place
 * (with the rest of store/leveldb/) that knows its keys. Layout 2:
 *   users/<username>         UserRecord
 *   sessions/<sha256(token)> SessionRecord
 *   audit/<seq, 16 digits>   AuditEntry
 *   meta/<name>              small singletons (audit head, flags, the layout)
 *   accounts/<number>        AccountState (balance as of the last committed batch)
 *   owners/<username>        OwnerState (limits, today's spending)
 *   journal/<chunk, 16 digits>  the transfers of seqs chunk·32+1 … in order, as rows (journal.ts)
 *   legs/<number>!<n, 12 digits>  an account's history index: the seqs of its entries n, n+1, …
 *   runs/<runId>             RunRecord (a payment run, counted with its batches)
 *   runlog/<createdAt>!<runId>          the runs in the order they started (value: the owner)
 *   ownerruns/<owner>!<createdAt>!<runId>  each owner's runs in that order (value: true)
 * Layout 1 (before) kept a key per transfer, per transfer's place in order and per leg
 * (transfers/, txlog/, entries/); a database in it is moved to layout 2 when opened
 * (migrate-layout.ts).
 */
export class LevelTables {
  readonly db: Level<string, unknown>;
  readonly userRecords;
  readonly sessionRecords;
  readonly audit;
  readonly meta;
  readonly accounts;
  readonly owners;
  readonly journal;
  readonly legs;
  readonly runs;
  readonly runlog;
  readonly ownerRuns;

  constructor(readonly location: string) {
    this.db = new Level<string, unknown>(location, { valueEncoding: 'json' });
    this.userRecords = this.db.sublevel<string, UserRecord>('users', { valueEncoding: 'json' });
    this.sessionRecords = this.db.sublevel<string, SessionRecord>('sessions', { valueEncoding: 'json' });
    this.audit = this.db.sublevel<string, AuditEntry>('audit', { valueEncoding: 'json' });
    this.meta = this.db.sublevel<string, unknown>('meta', { valueEncoding: 'json' });
    this.accounts = this.db.sublevel<string, AccountState>('accounts', { valueEncoding: 'json' });
    this.owners = this.db.sublevel<string, OwnerState>('owners', { valueEncoding: 'json' });
    this.journal = this.db.sublevel<string, JournalRow[]>('journal', { valueEncoding: 'json' });
    this.legs = this.db.sublevel<string, number[]>('legs', { valueEncoding: 'json' });
    this.runs = this.db.sublevel<string, RunRecord>('runs', { valueEncoding: 'json' });
    this.runlog = this.db.sublevel<string, string>('runlog', { valueEncoding: 'json' });
    this.ownerRuns = this.db.sublevel<string, boolean>('ownerruns', { valueEncoding: 'json' });
  }

  /** Creates the data directory (private) and opens `tables`, made for `dataDir/db`. */
  protected static async openIn<T extends LevelTables>(dataDir: string, make: (location: string) => T): Promise<T> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const tables = make(path.join(dataDir, 'db'));
    await tables.db.open();
    return tables;
  }

  /** Each sublevel's key prefix in the root database (`!name!`): the writer's batches are built on the root, pre-prefixed. */
  prefix(sublevel: 'users' | 'sessions' | 'audit' | 'meta' | 'accounts' | 'owners' | 'journal' | 'legs' | 'runs' | 'runlog' | 'ownerruns'): string {
    return `!${sublevel}!`;
  }

  async auditHead(at: ReadAt = {}): Promise<AuditHead> {
    return ((await this.meta.get(AUDIT_HEAD_KEY, at)) as AuditHead | undefined) ?? EMPTY_HEAD;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Closes and opens the database again: after a failed write LevelDB refuses every later one until it is reopened. */
  async reopen(): Promise<void> {
    await this.db.close();
    await this.db.open();
    // Sublevels close with their parent but do not reopen with it.
    await Promise.all([this.userRecords, this.sessionRecords, this.audit, this.meta, this.accounts, this.owners, this.journal, this.legs, this.runs, this.runlog, this.ownerRuns].map((s) => s.open()));
  }
}

export const AUDIT_HEAD_KEY = 'audit.head';
export const HAS_ADMIN_KEY = 'hasAdmin';
/** The layout the database is in (absent: layout 1). */
export const LAYOUT_KEY = 'layout';
export const LAYOUT = 2;

/** A run's place in the order runs started (ISO times sort as strings; the id breaks ties). */
export function runLogKey(createdAt: string, runId: string): string {
  return `${createdAt}!${runId}`;
}

/** Audit keys sort numerically as strings. */
export function auditKey(seq: number): string {
  return String(seq).padStart(16, '0');
}
