import { BankError } from '../../../common/errors.js';
import type { IdentitySigner } from '../../../common/protocol/crypto.js';
import type { AuditHead } from '../../../common/schemas/models.js';
import type { BatchEffects, BatchNeeds } from '../../ledger/commands.js';
import type { LedgerEngine } from '../../ledger/engine.js';
import type { RunRecord } from '../../ledger/runs.js';
import type { BatchTransaction, LedgerReads, LedgerStorage } from '../../ledger/storage.js';
import type { AccountState, LedgerRules, OwnerState, TransferRecord } from '../../ledger/types.js';
import { BatchedGet } from '../batched-get.js';
import type { BankDb } from './bank-db.js';
import { chunkKey, chunkOf, legKey, toRow, type JournalRow } from './journal.js';
import { digestOf, saveLedgerCheckpoint } from './ledger-checkpoint.js';
import { idAt, loadLedger, type LoadedLedger, type LoadOptions } from './load-ledger.js';
import { AUDIT_HEAD_KEY, auditKey, HAS_ADMIN_KEY, runLogKey } from './tables.js';
import { saveIdSnapshot } from './transfer-id-snapshot.js';

/** Below this many transfers the relay does not write an id snapshot when it stops. */
export const ID_SNAPSHOT_MIN_TRANSFERS = 100_000;

/** Movements in one LevelDB batch at most. */
const MAX_BATCH = 8192;

/** Where a clean stop leaves what the next start reads instead of the journal. */
export interface StopFiles {
  /** The transfer-id filter's snapshot. */
  idSnapshot: string;
  /** The signed checkpoint of the balances, and the key that signs it. */
  checkpoint: { file: string; signer: IdentitySigner };
}

/** Accounts indexed by owner per turn of the event loop after a start (a few milliseconds' work). */
const OWNERS_PER_SLICE = 10_000;

/**
 * The embedded store's ledger: every account in this relay's memory (the engine), read whole at
 * start; owners (limits, today's spending) read on first need; every stored transfer id in a
 * compact in-memory filter that names its seq, so a new id (nearly every request) is known new
 * without a read and a retried one is one journal read away. For the writer it prefetches what
 * memory lacks and commits each batch as one synced LevelDB write: its transfers as journal
 * chunks, each touched account's history run, account and owner, the records and the audit
 * entries. Between the engine running a batch and that write, memory is ahead of the disk; if
 * the write fails, changes stop (UNAVAILABLE) until the database is reopened and the ledger
 * read again (disk-recovery.ts).
 */
export class LevelLedger implements LedgerStorage, LedgerReads {
  readonly maxBatch = MAX_BATCH;
  private ownersKnown = new Set<string>();
  private ownersLoading = new Map<string, Promise<void>>();
  private readonly ownerLookup: BatchedGet<OwnerState>;
  private halted: Error | undefined;
  /**
   * Old Qt-bank account number → the user holding it, read from the users on the first batch
   * that records one (only a bank migrated from the old system ever does), then kept by commit.
   */
  private legacyIndex: Map<string, string> | undefined;
  /** A reload after a batch that ran but was not written; begin waits for it. */
  private reloading: Promise<void> | undefined;
  /** Called once when a write fails (disk recovery takes over). */
  onFailure: ((err: Error) => void) | undefined;

  private constructor(
    private readonly bank: BankDb,
    readonly rules: LedgerRules,
    private loaded: LoadedLedger,
  ) {
    this.ownerLookup = new BatchedGet<OwnerState>(bank.owners);
    this.indexOwnersSoon();
  }

  /** Indexes the loaded accounts by owner a slice per turn of the event loop, the relay serving meanwhile. */
  private indexOwnersSoon(): void {
    const engine = this.loaded.engine;
    const step = () => {
      if (this.loaded.engine === engine && !engine.indexOwners(OWNERS_PER_SLICE)) setImmediate(step).unref();
    };
    setImmediate(step).unref();
  }

  /**
   * Reads the ledger (see loadLedger), writing nothing, so the start-up check can look at what
   * was read before anything is written. `problems` in the result say what the check found.
   */
  static async load(bank: BankDb, rules: LedgerRules, opts: LoadOptions = {}): Promise<LevelLedger> {
    return new LevelLedger(bank, rules, await loadLedger(bank, rules, opts));
  }

  /** The in-memory state (replaced as a whole by `reload`). */
  get engine(): LedgerEngine {
    return this.loaded.engine;
  }

  /** How the last load went: what the check found, and what it trusted. */
  get startup(): Pick<LoadedLedger, 'problems' | 'trusted' | 'idsFrom'> {
    return this.loaded;
  }

  get auditHead(): AuditHead {
    return this.loaded.head;
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
    this.loaded = await loadLedger(this.bank, this.rules);
    this.indexOwnersSoon();
    this.bank.chunks.clear();
    this.ownersKnown = new Set();
    this.ownersLoading = new Map();
    this.legacyIndex = undefined;
    this.halted = undefined;
  }

  async begin(needs: BatchNeeds): Promise<BatchTransaction> {
    if (this.reloading) await this.reloading;
    this.assertRunning();
    const loaded = this.loaded;
    const [, stored, { users, legacyHolders }, runs] = await Promise.all([
      this.ensureOwners(needs.owners),
      this.lookupIds(needs.transferIds),
      this.storedUsers(needs.users, needs.legacyAccounts),
      this.storedRuns(needs.runs),
    ]);
    this.assertRunning();
    if (loaded !== this.loaded) throw new BankError('UNAVAILABLE', 'the bank re-read its ledger meanwhile; nothing was changed: try again');
    return {
      engine: loaded.engine,
      stored,
      users,
      runs,
      legacyHolders,
      head: loaded.head,
      commit: (effects) => this.commit(effects),
      release: async (executed) => {
        // A batch that ran and was not written leaves memory ahead of the disk: read it again.
        if (executed) this.reloading = this.reload().finally(() => (this.reloading = undefined));
      },
    };
  }

  /**
   * The stored version of each of these users that exists, and who holds each of these old
   * account numbers (batches commit one at a time, so both stay so until this one commits). A
   * number its user's stored record already holds (any later change of an imported user) needs
   * nothing more; only a number new to its user reads the index, built on first need.
   */
  private async storedUsers(names: ReadonlySet<string>, numbers: ReadonlySet<string>): Promise<{ users: Map<string, number>; legacyHolders: Map<string, string> }> {
    const users = new Map<string, number>();
    const legacyHolders = new Map<string, string>();
    if (names.size === 0) return { users, legacyHolders };
    const wanted = [...names];
    const found = await this.bank.getUsers(wanted);
    wanted.forEach((name, i) => {
      const user = found[i];
      if (user === undefined) return;
      users.set(name, user.version ?? 0);
      const held = user.legacy?.account;
      if (held !== undefined && numbers.has(held)) legacyHolders.set(held, name);
    });
    const unknown = [...numbers].filter((n) => !legacyHolders.has(n));
    if (unknown.length === 0) return { users, legacyHolders };
    if (!this.legacyIndex) {
      const index = new Map<string, string>();
      for await (const user of this.bank.users()) if (user.legacy?.account !== undefined) index.set(user.legacy.account, user.username);
      this.legacyIndex ??= index;
    }
    for (const n of unknown) {
      const holder = this.legacyIndex.get(n);
      if (holder !== undefined) legacyHolders.set(n, holder);
    }
    return { users, legacyHolders };
  }

  /** The stored payment runs among `ids` (batches commit one at a time, so they stay so until this one commits). */
  private async storedRuns(ids: ReadonlySet<string>): Promise<Map<string, RunRecord>> {
    const found = new Map<string, RunRecord>();
    if (ids.size === 0) return found;
    const wanted = [...ids];
    (await this.bank.getRuns(wanted)).forEach((run, i) => run !== undefined && found.set(wanted[i]!, run));
    return found;
  }

  /** The stored transfers among `ids`: only those the filter names a seq for are read. */
  private async lookupIds(ids: ReadonlySet<string>): Promise<Map<string, TransferRecord>> {
    const found = new Map<string, TransferRecord>();
    const wanted: [string, number][] = [];
    for (const id of ids) for (const seq of this.loaded.ids.candidates(id)) wanted.push([id, seq]);
    if (wanted.length === 0) return found;
    const transfers = await this.bank.chunks.transfersAt(wanted.map(([, seq]) => seq));
    for (const [id, seq] of wanted) {
      const t = transfers.get(seq);
      if (t?.id === id) found.set(id, t);
    }
    return found;
  }

  /** One synced LevelDB batch holding everything the batch changed, its audit entries and the new head. */
  private async commit(e: BatchEffects): Promise<void> {
    const bank = this.bank;
    const loaded = this.loaded;
    // Keys are prefixed here and the batch is a chained one on the root database: abstract-level's
    // per-op sublevel and array-batch handling cost about 4× the native work (docs/PERFORMANCE.md).
    const b = bank.db.batch();
    // The journal: the chunk being filled grows, new ones begin; each touched chunk is written whole.
    const open = loaded.openChunk;
    let rows = open.rows.slice();
    let chunk = open.chunk;
    let grown = false;
    const touched: [number, JournalRow[]][] = [];
    // Each account's history run for this batch: its first entry's number and the seqs, in order.
    const runs = new Map<string, { first: number; seqs: number[] }>();
    const leg = (account: string, n: number, seq: number) => {
      const run = runs.get(account);
      if (run) run.seqs.push(seq);
      else runs.set(account, { first: n, seqs: [seq] });
    };
    for (const m of e.posted) {
      const t = m.transfer;
      if (chunkOf(t.seq) !== chunk) {
        if (grown) touched.push([chunk, rows]);
        chunk = chunkOf(t.seq);
        rows = [];
      }
      rows.push(toRow(t));
      grown = true;
      leg(t.from, t.fromEntry, t.seq);
      leg(t.to, t.toEntry, t.seq);
    }
    if (grown) touched.push([chunk, rows]);
    const journal = bank.prefix('journal');
    for (const [k, r] of touched) b.put(journal + chunkKey(k), r);
    const legs = bank.prefix('legs');
    for (const [account, run] of runs) b.put(legs + legKey(account, run.first), run.seqs);
    const accounts = bank.prefix('accounts');
    for (const a of e.accounts) b.put(accounts + a.account, a);
    const owners = bank.prefix('owners');
    for (const [name, state] of e.owners) b.put(owners + name, state);
    // In order: a later write of the same key wins, as LevelDB applies a batch in order. A
    // session's activity is written only over a session still stored (commits run one at a
    // time, so nothing ends it between this read and the write).
    const touchedKeys = e.writes.filter((w) => w.type === 'touchSession').map((w) => w.key);
    const live = new Set<string>();
    if (touchedKeys.length > 0) {
      const stored = await bank.getSessions(touchedKeys);
      touchedKeys.forEach((key, i) => stored[i] !== undefined && live.add(key));
    }
    for (const w of e.writes) {
      if (w.type === 'user') b.put(bank.prefix('users') + w.user.username, w.user);
      else if (w.type === 'session') {
        live.add(w.key);
        b.put(bank.prefix('sessions') + w.key, w.session);
      } else if (w.type === 'touchSession') {
        if (live.has(w.key)) b.put(bank.prefix('sessions') + w.key, w.session);
      } else if (w.type === 'endSession') {
        live.delete(w.key);
        b.del(bank.prefix('sessions') + w.key);
      } else b.put(bank.prefix('meta') + HAS_ADMIN_KEY, true);
    }
    for (const run of e.runs) {
      b.put(bank.prefix('runs') + run.runId, run);
      // The order indexes are written with every change of a run: the same keys (a run's start never changes).
      b.put(bank.prefix('runlog') + runLogKey(run.createdAt, run.runId), run.owner);
      b.put(bank.prefix('ownerruns') + `${run.owner}!${runLogKey(run.createdAt, run.runId)}`, true);
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
    for (const m of e.posted) loaded.ids.add(m.transfer.id, m.transfer.seq);
    if (e.posted.length > 0) loaded.openChunk = { chunk, rows };
    if (this.legacyIndex) for (const w of e.writes) if (w.type === 'user' && w.user.legacy?.account !== undefined) this.legacyIndex.set(w.user.legacy.account, w.user.username);
    loaded.head = e.head;
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
        const engine = this.engine;
        loading = this.ownerLookup
          .get(name)
          .then((state) => {
            // A reload (disk recovery) replaced the engine meanwhile: this read was for the old one.
            if (this.engine !== engine || this.ownersKnown.has(name)) return;
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
    return this.engine.accounts.get(number);
  }

  async accountsOf(owner: string): Promise<AccountState[]> {
    return this.engine.accountsOf(owner);
  }

  async ownerState(owner: string): Promise<OwnerState | undefined> {
    await this.ensureOwners([owner]);
    return this.engine.owners.get(owner);
  }

  counts(): { accounts: number; transfers: number } {
    return { accounts: this.engine.accounts.size, transfers: this.engine.transferSeq };
  }

  /**
   * What a clean stop leaves for the next start (call once writes have stopped: it must describe
   * exactly what is on disk): the signed checkpoint of the balances, and, for a bank of some
   * size, the transfer-id filter. Nothing after a failed write (memory is not the disk then).
   */
  async saveAtStop(files: StopFiles, minTransfers = ID_SNAPSHOT_MIN_TRANSFERS): Promise<void> {
    if (this.halted) return;
    const { engine, head, ids } = this.loaded;
    const seq = engine.transferSeq;
    if (seq >= Math.max(1, minTransfers)) {
      const idAtSeq = await idAt(this.bank, seq);
      if (idAtSeq !== undefined) await saveIdSnapshot(files.idSnapshot, { filter: ids, seq, idAtSeq });
    }
    const { digest, count } = digestOf(engine.accounts.values());
    await saveLedgerCheckpoint(files.checkpoint.file, { head, transfers: seq, nextSerial: engine.nextSerial, accounts: count, digest }, files.checkpoint.signer);
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
