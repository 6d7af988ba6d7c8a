import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import type { SessionRecord, UserRecord } from './records.js';
import type { AccountState, OwnerState, TransferRecord } from '../ledger/types.js';
import type { Entry } from '../../common/schemas/models.js';
import type { BankStore } from './bank-store.js';
import { verifyLedger, type LedgerVerdict } from '../ledger/verify.js';
import { verifyStoredChain } from '../audit/verify.js';
import type { ChainVerdict } from '../audit/chain.js';

export type JsonSublevel<V> = ReturnType<Level<string, unknown>['sublevel']> & {
  get(key: string): Promise<V | undefined>;
};

/**
 * The relay's LevelDB, split into sublevels. Keys:
 *   users/<username>         UserRecord
 *   sessions/<sha256(token)> SessionRecord
 *   audit/<seq, 16 digits>   AuditEntry
 *   meta/<name>              small singletons (audit head, flags, ledger counters)
 *   accounts/<number>        AccountState (balance as of the last committed batch)
 *   owners/<username>        OwnerState (limits, today's spending)
 *   transfers/<transferId>   TransferRecord
 *   txlog/<seq, 16 digits>   transferId, in the ledger's total order
 *   entries/<number>!<n, 12 digits>  Entry: the n-th leg in that account
 */
export class BankDb implements BankStore {
  readonly kind = 'leveldb' as const;
  readonly db: Level<string, unknown>;
  readonly users;
  readonly sessions;
  readonly audit;
  readonly meta;
  readonly accounts;
  readonly owners;
  readonly transfers;
  readonly txlog;
  readonly entries;

  private constructor(readonly location: string) {
    this.db = new Level<string, unknown>(location, { valueEncoding: 'json' });
    this.users = this.db.sublevel<string, UserRecord>('users', { valueEncoding: 'json' });
    this.sessions = this.db.sublevel<string, SessionRecord>('sessions', { valueEncoding: 'json' });
    this.audit = this.db.sublevel<string, AuditEntry>('audit', { valueEncoding: 'json' });
    this.meta = this.db.sublevel<string, unknown>('meta', { valueEncoding: 'json' });
    this.accounts = this.db.sublevel<string, AccountState>('accounts', { valueEncoding: 'json' });
    this.owners = this.db.sublevel<string, OwnerState>('owners', { valueEncoding: 'json' });
    this.transfers = this.db.sublevel<string, TransferRecord>('transfers', { valueEncoding: 'json' });
    this.txlog = this.db.sublevel<string, string>('txlog', { valueEncoding: 'json' });
    this.entries = this.db.sublevel<string, Entry>('entries', { valueEncoding: 'json' });
  }

  /** Opens (creating if needed) the database inside `dataDir/db`. */
  static async open(dataDir: string): Promise<BankDb> {
    const location = path.join(dataDir, 'db');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const bank = new BankDb(location);
    await bank.db.open();
    return bank;
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key)) as T | undefined;
  }

  async auditHead(): Promise<AuditHead> {
    return (await this.getMeta<AuditHead>(AUDIT_HEAD_KEY)) ?? { seq: 0, hash: AUDIT_GENESIS };
  }

  verifyLedger(): Promise<LedgerVerdict> {
    return verifyLedger(this);
  }

  verifyAudit(): Promise<ChainVerdict> {
    return verifyStoredChain(this);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Closes and opens the database again: after a failed write LevelDB refuses every later one until it is reopened. */
  async reopen(): Promise<void> {
    await this.db.close();
    await this.db.open();
    // Sublevels close with their parent but do not reopen with it.
    await Promise.all([this.users, this.sessions, this.audit, this.meta, this.accounts, this.owners, this.transfers, this.txlog, this.entries].map((s) => s.open()));
  }
}

export const AUDIT_HEAD_KEY = 'audit.head';
export const HAS_ADMIN_KEY = 'hasAdmin';
/** The `prev` of the first audit entry. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** Audit keys sort numerically as strings. */
export function auditKey(seq: number): string {
  return String(seq).padStart(16, '0');
}

export const txlogKey = auditKey;

/** `<account>!<n>`: an account's entries sort by n, so history reads a key range backwards. */
export function entryKey(account: string, n: number): string {
  return `${account}!${String(n).padStart(12, '0')}`;
}

/** One write in a batch, naming its sublevel; the commit queue turns these into one LevelDB batch. */
export type BatchOp =
  | { type: 'put'; sublevel: 'users'; key: string; value: UserRecord }
  | { type: 'put'; sublevel: 'sessions'; key: string; value: SessionRecord }
  | { type: 'put'; sublevel: 'meta'; key: string; value: unknown }
  | { type: 'put'; sublevel: 'accounts'; key: string; value: AccountState }
  | { type: 'put'; sublevel: 'owners'; key: string; value: OwnerState }
  | { type: 'put'; sublevel: 'transfers'; key: string; value: TransferRecord }
  | { type: 'put'; sublevel: 'txlog'; key: string; value: string }
  | { type: 'put'; sublevel: 'entries'; key: string; value: Entry }
  | { type: 'del'; sublevel: 'users' | 'sessions' | 'meta'; key: string };

export const LEDGER_SERIAL_KEY = 'ledger.nextSerial';
export const LEDGER_SEQ_KEY = 'ledger.transferSeq';
