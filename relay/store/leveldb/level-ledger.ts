import { BankError } from '../../../common/errors.js';
import type { AuditHead } from '../../../common/schemas/models.js';
import type { BatchEffects, BatchNeeds } from '../../ledger/commands.js';
import { LedgerEngine } from '../../ledger/engine.js';
import { accountSerial } from '../../ledger/serial.js';
import type { BatchTransaction, LedgerReads, LedgerStorage } from '../../ledger/storage.js';
import type { AccountState, LedgerRules, OwnerState, TransferRecord } from '../../ledger/types.js';
import { BatchedGet } from '../batched-get.js';
import type { BankDb } from './bank-db.js';
import { AUDIT_HEAD_KEY, auditKey, entryKey, HAS_ADMIN_KEY, txlogKey } from './tables.js';
import { scan } from './scan.js';
import { TransferIdFilter } from './transfer-id-filter.js';
import { loadIdSnapshot, saveIdSnapshot, type IdSnapshot } from './transfer-id-snapshot.js';

/** Below this many transfers the relay does not write an id snapshot when it stops. */
export const ID_SNAPSHOT_MIN_TRANSFERS = 100_000;

/** Movements in one LevelDB batch at most. */
const MAX_BATCH = 8192;

/**
 * The embedded store's ledger: every account in this relay's memory (the engine), read whole at
 * start; owners (limits, today's spending) read on first need; every stored transfer id in a
 * compact in-memory filter, so a new id (nearly every request) is known new without a read. For
 * the writer it prefetches what memory lacks and commits each batch as one synced LevelDB
 * write. Between the engine running a batch and that write, memory is ahead of the disk; if the
 * write fails, changes stop (UNAVAILABLE) until the database is reopened and the ledger read
 * again (disk-recovery.ts).
 */
export class LevelLedger implements LedgerStorage, LedgerReads {
  readonly maxBatch = MAX_BATCH;
  private ownersKnown = new Set<string>();
  private ownersLoading = new Map<string, Promise<void>>();
  private readonly ownerLookup: BatchedGet<OwnerState>;
  private halted: Error | undefined;
  /** A reload after a batch that ran but was not written; begin waits for it. */
  private reloading: Promise<void> | undefined;
  /** Called once when a write fails (disk recovery takes over). */
  onFailure: ((err: Error) => void) | undefined;
  /** Where the transfer-id filter came from at load: its snapshot (plus the txlog after it) or a scan of every id. */
  idsLoadedFrom: 'snapshot' | 'scan' = 'scan';

  private constructor(
    private readonly bank: BankDb,
    readonly rules: LedgerRules,
    private current: LedgerEngine,
    private ids: TransferIdFilter,
    private head: AuditHead,
  ) {
    this.ownerLookup = new BatchedGet<OwnerState>(bank.owners);
  }

  /**
   * Loads every account and transfer id into memory, writing nothing (so a start-up check can
   * look at what was read before anything is written); owners are read on demand. `idSnapshot`:
   * the file of the transfer-id filter's snapshot (see transfer-id-snapshot.ts), if the bank keeps one.
   */
  static async load(bank: BankDb, rules: LedgerRules, opts: { idSnapshot?: string } = {}): Promise<LevelLedger> {
    const { engine, ids, fromSnapshot } = await readLedger(bank, rules, opts.idSnapshot);
    const ledger = new LevelLedger(bank, rules, engine, ids, await bank.auditHead());
    if (fromSnapshot) ledger.idsLoadedFrom = 'snapshot';
    return ledger;
  }

  /** The in-memory state (replaced as a whole by `reload`). */
  get engine(): LedgerEngine {
    return this.current;
  }

  get auditHead(): AuditHead {
    return this.head;
  }

  get isHalted(): boolean {
    return this.halted !== undefined;
  }

  /**
   * After a disk error: forgets the memory (which had run ahead of the disk) and reads the
   * ledger again from the reopened database, then takes changes again. What the disk holds is
   * the truth: a change whose write failed is there only if LevelDB's log kept it.
   */
  async reload(): Promise<void> {
    const { engine, ids } = await readLedger(this.bank, this.rules, undefined);
    this.current = engine;
    this.ids = ids;
    this.head = await this.bank.auditHead();
    this.ownersKnown = new Set();
    this.ownersLoading = new Map();
    this.halted = undefined;
  }

  async begin(needs: BatchNeeds): Promise<BatchTransaction> {
    if (this.reloading) await this.reloading;
    this.assertRunning();
    const engine = this.current;
    const [, stored] = await Promise.all([this.ensureOwners(needs.owners), this.lookupIds(needs.transferIds)]);
    this.assertRunning();
    if (engine !== this.current) throw new BankError('UNAVAILABLE', 'the bank re-read its ledger meanwhile; nothing was changed: try again');
    return {
      engine,
      stored,
      head: this.head,
      commit: (effects) => this.commit(effects),
      release: async (executed) => {
        // A batch that ran and was not written leaves memory ahead of the disk: read it again.
        if (executed) this.reloading = this.reload().finally(() => (this.reloading = undefined));
      },
    };
  }

  /** The stored transfers among `ids`: only those the filter may hold are read. */
  private async lookupIds(ids: ReadonlySet<string>): Promise<Map<string, TransferRecord>> {
    const maybe = [...ids].filter((id) => this.ids.mayHave(id));
    const found = new Map<string, TransferRecord>();
    if (maybe.length === 0) return found;
    const records = (await this.bank.transfers.getMany(maybe)) as (TransferRecord | undefined)[];
    records.forEach((r, i) => r && found.set(maybe[i]!, r));
    return found;
  }

  /** One synced LevelDB batch holding everything the batch changed, its audit entries and the new head. */
  private async commit(e: BatchEffects): Promise<void> {
    const bank = this.bank;
    // Keys are prefixed here and the batch is a chained one on the root database: abstract-level's
    // per-op sublevel and array-batch handling cost about 4× the native work (docs/PERFORMANCE.md).
    const b = bank.db.batch();
    const [transfers, txlog, entries, accounts, owners] = ['transfers', 'txlog', 'entries', 'accounts', 'owners'].map((s) => bank.prefix(s as 'transfers'));
    for (const m of e.posted) {
      const t = m.transfer;
      b.put(transfers + t.id, t);
      b.put(txlog + txlogKey(t.seq), t.id);
      b.put(entries + entryKey(t.from, t.fromEntry), m.fromEntry);
      b.put(entries + entryKey(t.to, t.toEntry), m.toEntry);
    }
    for (const a of e.accounts) b.put(accounts + a.account, a);
    for (const [name, state] of e.owners) b.put(owners + name, state);
    // In order: a later write of the same key wins, as LevelDB applies a batch in order.
    for (const w of e.writes) {
      if (w.type === 'user') b.put(bank.prefix('users') + w.user.username, w.user);
      else if (w.type === 'session') b.put(bank.prefix('sessions') + w.key, w.session);
      else if (w.type === 'endSession') b.del(bank.prefix('sessions') + w.key);
      else b.put(bank.prefix('meta') + HAS_ADMIN_KEY, true);
    }
    for (const entry of e.audit) b.put(bank.prefix('audit') + auditKey(entry.seq), entry);
    if (e.audit.length > 0) b.put(bank.prefix('meta') + AUDIT_HEAD_KEY, e.head);
    try {
      await b.write({ sync: true });
    } catch (err) {
      // Memory is ahead of the disk now; serving on would acknowledge what was never stored.
      // Changes stop until the database is reopened and the ledger re-read (disk-recovery.ts).
      const failure = err instanceof Error ? err : new Error(String(err));
      this.halted ??= failure;
      this.onFailure?.(failure);
      throw inDoubt(failure);
    }
    for (const m of e.posted) this.ids.add(m.transfer.id);
    this.head = e.head;
  }

  private assertRunning(): void {
    if (this.halted) {
      throw new BankError('UNAVAILABLE', 'the bank cannot save changes right now: its disk refused a write. Nothing was changed; try again in a few minutes');
    }
  }

  /**
   * Makes sure these owners' stored state is in memory before anything reads or changes it:
   * one batched read for those not loaded yet; concurrent callers share it. Owners are read on
   * first need, not at start-up: most customers of a large bank do nothing in a given run, and
   * reading a million owner records took 2–3 s of every start.
   */
  async ensureOwners(names: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const name of names) {
      if (this.ownersKnown.has(name)) continue;
      let loading = this.ownersLoading.get(name);
      if (!loading) {
        const engine = this.current;
        loading = this.ownerLookup
          .get(name)
          .then((state) => {
            // A reload (disk recovery) replaced the engine meanwhile: this read was for the old one.
            if (this.current !== engine || this.ownersKnown.has(name)) return;
            if (state) engine.owners.set(name, state);
            this.ownersKnown.add(name);
          })
          .finally(() => this.ownersLoading.delete(name));
        this.ownersLoading.set(name, loading);
      }
      waits.push(loading);
    }
    if (waits.length > 0) await Promise.all(waits);
  }

  async account(number: string): Promise<AccountState | undefined> {
    return this.current.accounts.get(number);
  }

  async accountsOf(owner: string): Promise<AccountState[]> {
    return this.current.accountsOf(owner);
  }

  async ownerState(owner: string): Promise<OwnerState | undefined> {
    await this.ensureOwners([owner]);
    return this.current.owners.get(owner);
  }

  counts(): { accounts: number; transfers: number } {
    return { accounts: this.current.accounts.size, transfers: this.current.transferSeq };
  }

  /**
   * Saves the transfer-id filter for the next start (call once writes have stopped: it must
   * cover exactly what is on disk). Small banks skip it: scanning their ids is quick anyway.
   */
  async saveIdSnapshot(file: string, minTransfers = ID_SNAPSHOT_MIN_TRANSFERS): Promise<boolean> {
    const seq = this.current.transferSeq;
    if (this.halted || seq < Math.max(1, minTransfers)) return false;
    const idAtSeq = (await this.bank.txlog.get(txlogKey(seq))) as string | undefined;
    if (idAtSeq === undefined) return false;
    await saveIdSnapshot(file, { filter: this.ids, seq, idAtSeq });
    return true;
  }
}

/**
 * What a sync write that failed tells its batch: it may still have reached the log (LevelDB
 * replays it on reopen), so the change is in doubt, not lost; a transfer retried with the same
 * transferId is applied at most once.
 */
function inDoubt(err: Error): BankError {
  const code = diskErrorCode(err);
  const why = code !== undefined && code !== 'LEVEL_DATABASE_NOT_OPEN' ? ` (${code})` : '';
  return new BankError('IN_DOUBT', `the bank could not save changes: its disk refused a write${why}. Your request may not have been applied; try again in a few minutes (a transfer retried with the same transfer id is applied at most once)`);
}

/** The code of a failed write (LevelDB's, or the system's under it), for logs and clients. */
export function diskErrorCode(err: Error): string | undefined {
  const code = (err as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Every account and transfer id, read side by side; the id filter from its snapshot when one matches. */
async function readLedger(bank: BankDb, rules: LedgerRules, idSnapshot: string | undefined): Promise<{ engine: LedgerEngine; ids: TransferIdFilter; fromSnapshot: boolean }> {
  const engine = new LedgerEngine(rules);
  const accounts: AccountState[] = [];
  let maxSerial = 0;
  let transferSeq = 0;
  for await (const k of bank.txlog.keys({ reverse: true, limit: 1 })) transferSeq = Number(k);
  const snapshot = idSnapshot === undefined ? undefined : await usableSnapshot(bank, idSnapshot, transferSeq);
  // Sized for the transfers the txlog says there are, so a full scan never rehashes.
  const ids = snapshot?.filter ?? new TransferIdFilter(transferSeq);
  // Independent scans, so LevelDB reads them side by side on the thread pool.
  await Promise.all([
    scan(bank.accounts.values(), (batch) => {
      for (const a of batch as AccountState[]) {
        accounts.push(a);
        maxSerial = Math.max(maxSerial, accountSerial(a.account));
      }
    }),
    snapshot
      ? scan(bank.txlog.values({ gt: txlogKey(snapshot.seq) }), (batch) => {
          for (const id of batch as string[]) ids.add(id);
        })
      : scan(bank.transfers.keys(), (batch) => {
          for (const id of batch) ids.add(id);
        }),
  ]);
  engine.load(accounts, [], maxSerial + 1, transferSeq);
  return { engine, ids, fromSnapshot: snapshot !== undefined };
}

/** The snapshot in `file` if it belongs to this bank's txlog as it is now (see transfer-id-snapshot.ts). */
async function usableSnapshot(bank: BankDb, file: string, transferSeq: number): Promise<IdSnapshot | undefined> {
  const snapshot = await loadIdSnapshot(file);
  if (!snapshot || snapshot.seq > transferSeq) return undefined;
  const idThere = (await bank.txlog.get(txlogKey(snapshot.seq))) as string | undefined;
  return idThere === snapshot.idAtSeq ? snapshot : undefined;
}
