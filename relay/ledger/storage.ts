import type { AuditHead } from '../../common/schemas/models.js';
import type { BatchEffects, BatchNeeds } from './commands.js';
import type { LedgerEngine } from './engine.js';
import type { RunRecord } from './runs.js';
import type { AccountState, OwnerState, TransferRecord } from './types.js';

/**
 * What a store does for the bank's one writer (writer.ts), in domain terms: read what a batch
 * touches, then write what the batch changed in one durable step. The embedded LevelDB store
 * keeps the whole ledger in memory and reads only what memory lacks; the PostgreSQL store
 * reads the rows under its audit-head lock. The writer does the rest, the same on both.
 */
export interface LedgerStorage {
  /** Most movements in one batch (a durable write's worth). */
  readonly maxBatch: number;
  /** Reads what a batch needs; the batch then executes and commits (or releases) in the transaction. */
  begin(needs: BatchNeeds): Promise<BatchTransaction>;
}

/** One batch's view of the store, from its reads to its write. */
export interface BatchTransaction {
  /** The state to execute on: every account, owner and counter the needs named. */
  readonly engine: LedgerEngine;
  /** The transfers already stored under the needs' transfer ids. */
  readonly stored: ReadonlyMap<string, TransferRecord>;
  /** The stored version of each user the needs named that exists. */
  readonly users: ReadonlyMap<string, number>;
  /** Who holds each of the needs' old account numbers that a stored user holds. */
  readonly legacyHolders: ReadonlyMap<string, string>;
  /** The stored payment runs among those the needs named. */
  readonly runs: ReadonlyMap<string, RunRecord>;
  /** The audit chain's head the batch's entries follow. */
  readonly head: AuditHead;
  /**
   * Writes the effects durably, or throws. A throw means the write may or may not have
   * happened: the writer tells everyone in the batch their change is in doubt.
   */
  commit(effects: BatchEffects): Promise<void>;
  /**
   * Ends the transaction writing nothing. `executed`: the engine ran (and may hold changes that
   * were not written: a store that keeps its engine must forget them).
   */
  release(executed: boolean): Promise<void>;
}

/** The ledger's reads for queries (balances, an owner's accounts and limits), from the store. */
export interface LedgerReads {
  account(number: string): Promise<AccountState | undefined>;
  accountsOf(owner: string): Promise<AccountState[]>;
  ownerState(owner: string): Promise<OwnerState | undefined>;
  /** Accounts and transfers, as of now on this relay (cheap: for metrics and admin.stats). */
  counts(): { accounts: number; transfers: number };
}

/** Why a store takes no writes right now; the writer answers UNAVAILABLE with its message. */
export class StoreUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}
