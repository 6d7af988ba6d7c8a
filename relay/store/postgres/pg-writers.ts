import type { MoveEffect } from '../../ledger/engine.js';
import type { LedgerRules } from '../../ledger/types.js';
import { PgLedgerWriter } from './ledger-writer.js';
import type { PgBank } from './pg-bank.js';
import { PgCommits } from './pg-commits.js';
import { PgLedger } from './pg-ledger.js';

/** This process's writing side of a PostgreSQL bank: one group-commit writer, shared by the commit sink and the ledger. */
export interface PgWriters {
  writer: PgLedgerWriter;
  commits: PgCommits;
  ledger: PgLedger;
}

/**
 * Builds the writing side on a migrated database and opens the bank's cash account if no relay
 * has yet. `relayName` names this relay in cross-relay notifications (none are sent without it);
 * `onPosted` tells this relay's sessions about its own transfers.
 */
export async function openPgWriters(bank: PgBank, rules: LedgerRules, opts: { now?: () => Date; relayName?: string; onPosted?: (effect: MoveEffect) => void } = {}): Promise<PgWriters> {
  const writer = new PgLedgerWriter(bank.pool, rules, opts.now, opts.relayName);
  const commits = new PgCommits(writer, await bank.auditHead());
  const ledger = new PgLedger(bank, writer, rules, opts.onPosted ?? (() => {}));
  await ledger.openCashAccount();
  return { writer, commits, ledger };
}
