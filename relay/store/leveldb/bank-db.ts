import type { AuditEntry, Entry } from '../../../common/schemas/models.js';
import type { ChainVerdict } from '../../audit/chain.js';
import type { SessionRecord, UserRecord } from '../../auth/records.js';
import type { LedgerVerdict } from '../../ledger/verdict.js';
import type { AccountState, OwnerState, TransferRecord } from '../../ledger/types.js';
import type { BankExport, BankStore } from '../bank-store.js';
import { auditKey, entryKey, HAS_ADMIN_KEY, LevelTables, txlogKey } from './tables.js';
import { verifyLevelAudit, verifyLevelLedger } from './verify.js';

/** The embedded store's reads (bank-store.ts BankStore), its export and its verifiers, over its LevelDB tables. */
export class BankDb extends LevelTables implements BankStore, BankExport {
  readonly kind = 'leveldb' as const;

  /** Opens (creating if needed) the database inside `dataDir/db`. */
  static open(dataDir: string): Promise<BankDb> {
    return LevelTables.openIn(dataDir, (location) => new BankDb(location));
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
}
