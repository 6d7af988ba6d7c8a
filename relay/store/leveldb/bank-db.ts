import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import type { AuditEntry, AuditHead, Entry } from '../../../common/schemas/models.js';
import { EMPTY_HEAD, type ChainVerdict } from '../../audit/chain.js';
import type { SessionRecord, UserRecord } from '../../auth/records.js';
import type { LedgerVerdict } from '../../ledger/verdict.js';
import type { AccountState, OwnerState, TransferRecord } from '../../ledger/types.js';
import type { BankExport, BankStore } from '../bank-store.js';
import { verifyLevelAudit, verifyLevelLedger } from './verify.js';

/** Options every read may take: a LevelDB snapshot, so several reads see one moment. */
export interface ReadAt {
  snapshot?: ReturnType<Level<string, unknown>['snapshot']>;
}

/**
 * The embedded store's database: LevelDB in `dataDir/db`, split into sublevels. The only place
 * (with the rest of store/leveldb/) that knows its keys:
 *   users/<username>         UserRecord
 *   sessions/<sha256(token)> SessionRecord
 *   audit/<seq, 16 digits>   AuditEntry
 *   meta/<name>              small singletons (audit head, flags)
 *   accounts/<number>        AccountState (balance as of the last committed batch)
 *   owners/<username>        OwnerState (limits, today's spending)
 *   transfers/<transferId>   TransferRecord
 *   txlog/<seq, 16 digits>   transferId, in the ledger's total order
 *   entries/<number>!<n, 12 digits>  Entry: the n-th leg in that account
 */
export class BankDb implements BankStore, BankExport {
  readonly kind = 'leveldb' as const;
  readonly db: Level<string, unknown>;
  readonly userRecords;
  readonly sessionRecords;
  readonly audit;
  readonly meta;
  readonly accounts;
  readonly owners;
  readonly transfers;
  readonly txlog;
  readonly entries;

  private constructor(readonly location: string) {
    this.db = new Level<string, unknown>(location, { valueEncoding: 'json' });
    this.userRecords = this.db.sublevel<string, UserRecord>('users', { valueEncoding: 'json' });
    this.sessionRecords = this.db.sublevel<string, SessionRecord>('sessions', { valueEncoding: 'json' });
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

  /** Each sublevel's key prefix in the root database (`!name!`): the writer's batches are built on the root, pre-prefixed. */
  prefix(sublevel: 'users' | 'sessions' | 'audit' | 'meta' | 'accounts' | 'owners' | 'transfers' | 'txlog' | 'entries'): string {
    return `!${sublevel}!`;
  }

  getUsers(names: readonly string[]): Promise<(UserRecord | undefined)[]> {
    return this.userRecords.getMany([...names]) as Promise<(UserRecord | undefined)[]>;
  }

  users(after?: string): AsyncIterable<UserRecord> {
    return this.userRecords.values(after !== undefined ? { gt: after } : {}) as AsyncIterable<UserRecord>;
  }

  async hasAdmin(): Promise<boolean> {
    return (await this.meta.get(HAS_ADMIN_KEY)) === true;
  }

  getSessions(keys: readonly string[]): Promise<(SessionRecord | undefined)[]> {
    return this.sessionRecords.getMany([...keys]) as Promise<(SessionRecord | undefined)[]>;
  }

  sessions(): AsyncIterable<[string, SessionRecord]> {
    return this.sessionRecords.iterator() as AsyncIterable<[string, SessionRecord]>;
  }

  async sessionKeysOf(username: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const [key, value] of this.sessionRecords.iterator()) if ((value as SessionRecord).username === username) keys.push(key);
    return keys;
  }

  async auditHead(at: ReadAt = {}): Promise<AuditHead> {
    return ((await this.meta.get(AUDIT_HEAD_KEY, at)) as AuditHead | undefined) ?? EMPTY_HEAD;
  }

  auditEntries(afterSeq: number, upToSeq?: number): AsyncIterable<AuditEntry> {
    return this.audit.values({ gt: auditKey(afterSeq), ...(upToSeq !== undefined && { lte: auditKey(upToSeq) }) }) as AsyncIterable<AuditEntry>;
  }

  async auditEntry(seq: number): Promise<AuditEntry | undefined> {
    return (await this.audit.get(auditKey(seq))) as AuditEntry | undefined;
  }

  async *entriesOf(account: string, below?: number): AsyncIterable<[number, Entry]> {
    const range = { gt: entryKey(account, 0), lt: below === undefined ? `${account}!~` : entryKey(account, below), reverse: true };
    for await (const [key, value] of this.entries.iterator(range)) yield [Number(key.slice(key.indexOf('!') + 1)), value as Entry];
  }

  async *transfersNewestFirst(below?: number): AsyncIterable<TransferRecord> {
    const range = { gt: txlogKey(0), ...(below !== undefined && { lt: txlogKey(below) }), reverse: true };
    for await (const id of this.txlog.values(range)) {
      const record = (await this.transfers.get(id as string)) as TransferRecord | undefined;
      if (record) yield record;
    }
  }

  accountsAll(): AsyncIterable<AccountState> {
    return this.accounts.values() as AsyncIterable<AccountState>;
  }

  ownersAll(): AsyncIterable<[string, OwnerState]> {
    return this.owners.iterator() as AsyncIterable<[string, OwnerState]>;
  }

  async *transfersInOrder(): AsyncIterable<TransferRecord> {
    let ids: string[] = [];
    const flush = async function* (bank: BankDb): AsyncGenerator<TransferRecord> {
      const records = (await bank.transfers.getMany(ids)) as (TransferRecord | undefined)[];
      for (const r of records) if (r) yield r;
      ids = [];
    };
    for await (const id of this.txlog.values({ gt: txlogKey(0) })) {
      ids.push(id as string);
      if (ids.length === 1000) yield* flush(this);
    }
    yield* flush(this);
  }

  verifyLedger(): Promise<LedgerVerdict> {
    return verifyLevelLedger(this);
  }

  verifyAudit(): Promise<ChainVerdict> {
    return verifyLevelAudit(this);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Closes and opens the database again: after a failed write LevelDB refuses every later one until it is reopened. */
  async reopen(): Promise<void> {
    await this.db.close();
    await this.db.open();
    // Sublevels close with their parent but do not reopen with it.
    await Promise.all([this.userRecords, this.sessionRecords, this.audit, this.meta, this.accounts, this.owners, this.transfers, this.txlog, this.entries].map((s) => s.open()));
  }
}

export const AUDIT_HEAD_KEY = 'audit.head';
export const HAS_ADMIN_KEY = 'hasAdmin';

/** Audit keys sort numerically as strings. */
export function auditKey(seq: number): string {
  return String(seq).padStart(16, '0');
}

export const txlogKey = auditKey;

/** `<account>!<n>`: an account's entries sort by n, so history reads a key range backwards. */
export function entryKey(account: string, n: number): string {
  return `${account}!${String(n).padStart(12, '0')}`;
}
