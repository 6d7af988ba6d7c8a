import type { AuditEntry, Entry } from '../../../common/schemas/models.js';
import type { ChainVerdict } from '../../audit/chain.js';
import type { SessionRecord, UserRecord } from '../../auth/records.js';
import type { LedgerVerdict } from '../../ledger/verdict.js';
import type { AccountState, OwnerState, TransferRecord } from '../../ledger/types.js';
import type { RunRecord } from '../../ledger/runs.js';
import type { BankExport, BankStore, RunFilter, RunPlace } from '../bank-store.js';
import { legOf } from '../../ledger/legs.js';
import { legKey, parseLegKey } from './journal.js';
import { ChunkCache, transfersBackward, transfersForward } from './journal-reads.js';
import { ensureLayout } from './migrate-layout.js';
import { auditKey, HAS_ADMIN_KEY, LevelTables, runLogKey } from './tables.js';
import { verifyLevelAudit, verifyLevelLedger } from './verify.js';

/** Runs read at once while listing them. */
const RUN_PAGE = 100;

/** The embedded store's reads (bank-store.ts BankStore), its export and its verifiers, over its LevelDB tables. */
export class BankDb extends LevelTables implements BankStore, BankExport {
  readonly kind = 'leveldb' as const;
  /** Chunks recent reads decoded (history pages mostly read the newest). */
  readonly chunks = new ChunkCache(this);

  /**
   * Opens (creating if needed) the database inside `dataDir/db`; one written by an earlier
   * release is moved to the current layout first (`progress` hears how far).
   */
  static async open(dataDir: string, progress?: (what: string) => void): Promise<BankDb> {
    const bank = await LevelTables.openIn(dataDir, (location) => new BankDb(location));
    try {
      await ensureLayout(bank, progress);
    } catch (err) {
      await bank.close().catch(() => undefined);
      throw err;
    }
    return bank;
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

  /** Walks the account's history index backwards, run by run, reading each run's transfers in one go. */
  async *entriesOf(account: string, below?: number): AsyncIterable<[number, Entry]> {
    const runs = this.legs.iterator({ gte: legKey(account, 0), lt: below === undefined ? `${account}!~` : legKey(account, below), reverse: true });
    try {
      for await (const [key, seqs] of runs) {
        const [, first] = parseLegKey(key);
        const wanted: [number, number][] = [];
        for (let i = (seqs as number[]).length - 1; i >= 0; i--) {
          const n = first + i;
          if (below === undefined || n < below) wanted.push([n, (seqs as number[])[i]!]);
        }
        const transfers = await this.chunks.transfersAt(wanted.map(([, seq]) => seq));
        for (const [n, seq] of wanted) {
          const t = transfers.get(seq);
          if (t) yield [n, legOf(t, account)];
        }
      }
    } finally {
      await runs.close();
    }
  }

  transfersNewestFirst(below?: number): AsyncIterable<TransferRecord> {
    return transfersBackward(this, below);
  }

  getRuns(ids: readonly string[]): Promise<(RunRecord | undefined)[]> {
    return this.runs.getMany([...ids]) as Promise<(RunRecord | undefined)[]>;
  }

  /** Walks the start order (all runs, or the owner's index) backwards, reading the runs in pages. */
  async *runsNewestFirst(filter: RunFilter, below?: RunPlace): AsyncIterable<RunRecord> {
    const upTo = below !== undefined ? runLogKey(below.createdAt, below.runId) : undefined;
    const keys =
      filter.owner !== undefined
        ? this.ownerRuns.keys({ gt: `${filter.owner}!`, lt: upTo !== undefined ? `${filter.owner}!${upTo}` : `${filter.owner}!~`, reverse: true })
        : this.runlog.keys({ ...(upTo !== undefined && { lt: upTo }), reverse: true });
    const wanted = (r: RunRecord | undefined): r is RunRecord => r !== undefined && (filter.digest === undefined || r.digest === filter.digest);
    let page: string[] = [];
    try {
      for await (const key of keys) {
        page.push(key.slice(key.lastIndexOf('!') + 1));
        if (page.length < RUN_PAGE) continue;
        yield* (await this.getRuns(page)).filter(wanted);
        page = [];
      }
      if (page.length > 0) yield* (await this.getRuns(page)).filter(wanted);
    } finally {
      await keys.close();
    }
  }

  runsAll(): AsyncIterable<RunRecord> {
    return this.runs.values() as AsyncIterable<RunRecord>;
  }

  accountsAll(): AsyncIterable<AccountState> {
    return this.accounts.values() as AsyncIterable<AccountState>;
  }

  ownersAll(): AsyncIterable<[string, OwnerState]> {
    return this.owners.iterator() as AsyncIterable<[string, OwnerState]>;
  }

  transfersInOrder(): AsyncIterable<TransferRecord> {
    return transfersForward(this);
  }

  verifyLedger(): Promise<LedgerVerdict> {
    return verifyLevelLedger(this);
  }

  verifyAudit(): Promise<ChainVerdict> {
    return verifyLevelAudit(this);
  }
}
