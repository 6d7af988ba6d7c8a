import { Ledger } from '../../ledger/ledger.js';
import type { LedgerRules } from '../../ledger/types.js';
import { LedgerWriter, type WriterHooks } from '../../ledger/writer.js';
import type { PgBank } from './pg-bank.js';
import { PgLedgerReads } from './pg-reads.js';
import { PgLedgerStorage } from './pg-storage.js';

/** This process's writing side of a PostgreSQL bank: the bank's one writer (here, this relay's), its ledger and reads. */
export interface PgWriters {
  writer: LedgerWriter;
  ledger: Ledger;
  reads: PgLedgerReads;
}

/**
 * Builds the writing side on a migrated database and opens the bank's cash account if no relay
 * has yet. `relayName` names this relay in cross-relay notifications (none are sent without it).
 */
export async function openPgWriters(bank: PgBank, rules: LedgerRules, opts: { now?: () => Date; relayName?: string; hooks?: WriterHooks } = {}): Promise<PgWriters> {
  const storage = new PgLedgerStorage(bank.pool, rules, opts.relayName);
  const writer = new LedgerWriter(storage, opts.now ?? (() => new Date()), await bank.auditHead(), opts.hooks);
  const reads = new PgLedgerReads(bank);
  const ledger = new Ledger(writer, reads, rules);
  await ledger.openCashAccount();
  return { writer, ledger, reads };
}

