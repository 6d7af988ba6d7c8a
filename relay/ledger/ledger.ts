import { BankError } from '../../common/errors.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { Account, Limits, Transfer } from '../../common/schemas/models.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import type { AuditDraft } from '../audit/chain.js';
import { entryKey, txlogKey, type BankDb, type BatchOp } from '../store/db.js';
import type { CommitQueue } from '../store/commit-queue.js';
import { BatchedGet } from '../store/batched-get.js';
import { scan } from '../store/scan.js';
import { accountSerial } from './serial.js';
import { LedgerEngine, type MoveEffect, type MoveRequest } from './engine.js';
import { RecentTransfers } from './recent-transfers.js';
import { TransferIdFilter } from './transfer-id-filter.js';
import { loadIdSnapshot, saveIdSnapshot, type IdSnapshot } from './transfer-id-snapshot.js';
import type { AccountState, LedgerRules, OwnerState, TransferRecord } from './types.js';
import type { LedgerStore, MoveResult } from './ledger-store.js';
import { balanceFor, CASH_OPENED_AUDIT, openedAudit, postedAudit } from './outcomes.js';
import type { GenericOp } from '../store/bank-store.js';

/**
 * The ledger's single writer: every change to accounts goes through here, is checked and
 * applied in memory in arrival order by the engine, and is acknowledged only once the
 * commit queue has fsynced the batch that holds it (group commit).
 */
export class Ledger implements LedgerStore {
  private recent = new RecentTransfers();
  /** Idempotency reads of stored transfers, batched per tick. */
  private readonly lookup: BatchedGet<TransferRecord>;
  /**
   * Owners (limits, today's spending) are read when first needed, not at start-up: most
   * customers of a large bank do nothing in a given run, and reading a million owner records
   * took 2–3 s of every start. Those whose stored state is in the engine:
   */
  private ownersKnown = new Set<string>();
  private ownersLoading = new Map<string, Promise<void>>();
  private readonly ownerLookup: BatchedGet<OwnerState>;
  private halted: Error | undefined;

  private constructor(
    private current: LedgerEngine,
    private readonly bank: BankDb,
    private readonly commits: CommitQueue,
    private readonly now: () => Date,
    private readonly onPosted: (effect: MoveEffect) => void,
    /** Every stored transfer id, so a new one is known new without a read. */
    private ids: TransferIdFilter,
  ) {
    this.lookup = new BatchedGet<TransferRecord>(bank.transfers);
    this.ownerLookup = new BatchedGet<OwnerState>(bank.owners);
  }

  /**
   * Makes sure these owners' stored state is in memory before anything reads or changes it:
   * one batched read for those not loaded yet; concurrent callers share it.
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
    await Promise.all(waits);
  }

  /** The in-memory state (replaced as a whole by `reload`). */
  get engine(): LedgerEngine {
    return this.current;
  }

  /**
   * After a disk error: forgets the memory (which had run ahead of the disk) and reads the
   * ledger again from the reopened database, then takes changes again. What the disk holds is
   * the truth: a change whose write failed is there only if LevelDB's log kept it.
   */
  async reload(): Promise<void> {
    const fresh = await Ledger.read(this.bank, this.commits, this.current.rules, this.now, this.onPosted);
    this.current = fresh.current;
    this.ids = fresh.ids;
    this.recent = new RecentTransfers();
    this.ownersKnown = new Set();
    this.ownersLoading = new Map();
    this.halted = undefined;
  }

  /** Where the transfer-id filter came from at load: its snapshot (plus the txlog after it) or a scan of every id. */
  idsLoadedFrom: 'snapshot' | 'scan' = 'scan';

  /** Reads the ledger (see `read`), then opens the bank's cash account if it has none yet. */
  static async load(...args: Parameters<typeof Ledger.read>): Promise<Ledger> {
    const ledger = await Ledger.read(...args);
    await ledger.openCashAccount();
    return ledger;
  }

  /**
   * Loads every account and transfer id into memory, writing nothing (so a start-up check can
   * look at what was read before anything is written); owners are read on demand. `idSnapshot`: the file of the
   * transfer-id filter's snapshot (see transfer-id-snapshot.ts), if the bank keeps one.
   */
  static async read(
    bank: BankDb,
    commits: CommitQueue,
    rules: LedgerRules,
    now: () => Date,
    onPosted: (effect: MoveEffect) => void = () => {},
    opts: { idSnapshot?: string } = {},
  ): Promise<Ledger> {
    const engine = new LedgerEngine(rules);
    const accounts: AccountState[] = [];
    let maxSerial = 0;
    let transferSeq = 0;
    for await (const k of bank.txlog.keys({ reverse: true, limit: 1 })) transferSeq = Number(k);
    const snapshot = opts.idSnapshot === undefined ? undefined : await usableSnapshot(bank, opts.idSnapshot, transferSeq);
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
    const ledger = new Ledger(engine, bank, commits, now, onPosted, ids);
    if (snapshot) ledger.idsLoadedFrom = 'snapshot';
    return ledger;
  }

  /**
   * Saves the transfer-id filter for the next start (call once writes have stopped: it must
   * cover exactly what is on disk). Small banks skip it: scanning their ids is quick anyway.
   */
  async saveIdSnapshot(file: string, minTransfers = ID_SNAPSHOT_MIN_TRANSFERS): Promise<boolean> {
    const seq = this.engine.transferSeq;
    if (seq < Math.max(1, minTransfers)) return false;
    const idAtSeq = (await this.bank.txlog.get(txlogKey(seq))) as string | undefined;
    if (idAtSeq === undefined) return false;
    await saveIdSnapshot(file, { filter: this.ids, seq, idAtSeq });
    return true;
  }

  /** The bank's own account, opened (and audited) once, on the first start. */
  async openCashAccount(): Promise<void> {
    const cash = this.engine.ensureCash(this.now());
    if (!cash) return;
    await this.commits.commit([{ type: 'put', sublevel: 'accounts', key: cash.account, value: { ...cash } }], [CASH_OPENED_AUDIT]);
  }

  get currency(): string {
    return this.engine.rules.currency;
  }

  toWire(a: AccountState): Account {
    return { account: a.account, balance: a.balance, currency: this.currency, status: a.status };
  }

  async accountsOf(owner: string): Promise<Account[]> {
    return this.engine.accountsOf(owner).map((a) => this.toWire(a));
  }

  async accountStatesOf(owner: string): Promise<AccountState[]> {
    return this.engine.accountsOf(owner);
  }

  async account(number: string): Promise<AccountState | undefined> {
    return this.engine.accounts.get(number);
  }

  /** The owner's effective limits (a limit set earlier is on disk: read on first need). */
  async limitsOf(owner: string): Promise<Limits> {
    await this.ensureOwners([owner]);
    return this.engine.limitsOf(owner);
  }

  counts(): { accounts: number; transfers: number } {
    return { accounts: this.engine.accounts.size, transfers: this.engine.transferSeq };
  }

  /** Moves money; resolves once durable. Same id and arguments → the original result. */
  async move(req: MoveRequest, audit: Omit<AuditDraft, 'target' | 'outcome' | 'details'>): Promise<MoveResult> {
    this.assertRunning();
    let stored: TransferRecord | undefined;
    const inMemory = this.recent.get(req.transferId);
    if (inMemory) {
      await inMemory.durable;
      stored = inMemory.record;
    } else if (this.ids.mayHave(req.transferId)) {
      const epoch = this.recent.beginLookup();
      let raced: ReturnType<RecentTransfers['get']>;
      try {
        stored = await this.lookup.get(req.transferId);
        // A concurrent request with this id may have been applied while we read; look before
        // ending the lookup, which lets the bookkeeping forget ids committed meanwhile.
        raced = this.recent.get(req.transferId);
      } finally {
        this.recent.endLookup(epoch);
      }
      if (!stored && raced) {
        await raced.durable;
        stored = raced.record;
      }
    }
    // The payer's limits and today's spending (read once per owner per run).
    if (req.kind === 'transfer' && !this.ownersKnown.has(req.actor)) await this.ensureOwners([req.actor]);
    this.assertRunning();
    const outcome = this.engine.move(req, stored, this.now());
    if (outcome.kind === 'replay') {
      return { transfer: outcome.transfer, balance: balanceFor(outcome.transfer), replay: true };
    }
    const { effect } = outcome;
    this.ids.add(effect.transfer.id);
    const durable = this.write(moveOps(effect), [postedAudit(audit, effect.transfer)]);
    this.recent.add(effect.transfer, durable);
    await durable;
    this.recent.markCommitted([effect.transfer.id]);
    this.onPosted(effect);
    return { transfer: effect.transfer, balance: balanceFor(effect.transfer), replay: false };
  }

  /** Opens an account for a user, written together with `extra` (e.g. the user's new status). */
  async openAccount(owner: string, extra: GenericOp[], audit: AuditDraft[]): Promise<AccountState> {
    this.assertRunning();
    const account = this.engine.openAccount(owner, this.now());
    await this.write([...extra, { type: 'put', sublevel: 'accounts', key: account.account, value: { ...account } }], [...audit, openedAudit(account, owner, audit)]);
    return account;
  }

  /** Sets the status of every account of a user, in order with transfers. */
  async setOwnerStatus(owner: string, status: AccountStatus, extra: GenericOp[], audit: AuditDraft[]): Promise<AccountState[]> {
    this.assertRunning();
    const before = this.engine.accountsOf(owner).map((a) => a.status);
    const changed = this.engine.setOwnerStatus(owner, status);
    try {
      await this.write([...extra, ...changed.map((a) => ({ type: 'put' as const, sublevel: 'accounts' as const, key: a.account, value: { ...a } }))], audit);
    } catch (err) {
      changed.forEach((a, i) => (a.status = before[i]!));
      throw err;
    }
    return changed;
  }

  async setLimits(owner: string, limits: Partial<Limits>, extra: GenericOp[], audit: AuditDraft[]): Promise<Limits> {
    await this.ensureOwners([owner]);
    this.assertRunning();
    const state = this.engine.setLimits(owner, limits);
    await this.write([...extra, { type: 'put', sublevel: 'owners', key: owner, value: { ...state } }], audit);
    return this.engine.limitsOf(owner);
  }

  private write(ops: BatchOp[], audit: AuditDraft[]): Promise<void> {
    return this.commits.commit(ops, audit).then(
      () => undefined,
      (err: unknown) => {
        // Memory is ahead of the disk now; serving on would acknowledge what was never stored.
        // Changes stop until the database is reopened and the ledger re-read (disk-recovery.ts).
        this.halted ??= err instanceof Error ? err : new Error(String(err));
        throw err;
      },
    );
  }

  private assertRunning(): void {
    if (this.halted || this.commits.failed) {
      throw new BankError('INTERNAL', 'the bank cannot save changes right now: its disk refused a write. Nothing was changed; try again in a few minutes');
    }
  }

  get isHalted(): boolean {
    return this.halted !== undefined;
  }

  get cashAccount(): string {
    return CASH_ACCOUNT;
  }
}

/** Below this many transfers the relay does not write an id snapshot when it stops. */
export const ID_SNAPSHOT_MIN_TRANSFERS = 100_000;

/** The snapshot in `file` if it belongs to this bank's txlog as it is now (see transfer-id-snapshot.ts). */
async function usableSnapshot(bank: BankDb, file: string, transferSeq: number): Promise<IdSnapshot | undefined> {
  const snapshot = await loadIdSnapshot(file);
  if (!snapshot || snapshot.seq > transferSeq) return undefined;
  const idThere = (await bank.txlog.get(txlogKey(snapshot.seq))) as string | undefined;
  return idThere === snapshot.idAtSeq ? snapshot : undefined;
}

/** The wire's Transfer (PROTOCOL §5), without the ledger's bookkeeping. */
export function toWireTransfer(t: TransferRecord): Transfer {
  return { id: t.id, from: t.from, to: t.to, amount: t.amount, ...(t.memo !== undefined && { memo: t.memo }), ts: t.ts, status: 'posted' };
}

function moveOps(e: MoveEffect): BatchOp[] {
  const t = e.transfer;
  const ops: BatchOp[] = [
    { type: 'put', sublevel: 'transfers', key: t.id, value: t },
    { type: 'put', sublevel: 'txlog', key: txlogKey(t.seq), value: t.id },
    { type: 'put', sublevel: 'entries', key: entryKey(t.from, t.fromEntry), value: e.fromEntry },
    { type: 'put', sublevel: 'entries', key: entryKey(t.to, t.toEntry), value: e.toEntry },
    // Snapshots: later transfers keep mutating the in-memory objects before this batch is written.
    { type: 'put', sublevel: 'accounts', key: e.from.account, value: { ...e.from, balance: t.fromBalanceAfter, entrySeq: t.fromEntry } },
    { type: 'put', sublevel: 'accounts', key: e.to.account, value: { ...e.to, balance: t.toBalanceAfter, entrySeq: t.toEntry } },
  ];
  if (e.owner) ops.push({ type: 'put', sublevel: 'owners', key: e.owner.username, value: { ...e.owner.state } });
  return ops;
}
