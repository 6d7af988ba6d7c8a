import type pg from 'pg';
import { EMPTY_HEAD } from '../../relay/audit/chain.js';
import { Ledger } from '../../relay/ledger/ledger.js';
import type { LedgerRules } from '../../relay/ledger/types.js';
import { LedgerWriter } from '../../relay/ledger/writer.js';
import { BankDb } from '../../relay/store/leveldb/bank-db.js';
import { LevelLedger } from '../../relay/store/leveldb/level-ledger.js';
import { PgBank } from '../../relay/store/postgres/pg-bank.js';
import { PgLedgerReads } from '../../relay/store/postgres/pg-reads.js';
import { PgLedgerStorage } from '../../relay/store/postgres/pg-storage.js';

/*
 * The bank's one writer on either store, as the relay builds it, for tests that drive the
 * ledger without sockets.
 */

/** A LevelDB bank in `dir` with its ledger in memory, the writer and the ledger over it. */
export interface LevelBank {
  bank: BankDb;
  storage: LevelLedger;
  writer: LedgerWriter;
  ledger: Ledger;
  close(): Promise<void>;
}

export async function openLevelBank(dir: string, rules: LedgerRules, now: () => Date = () => new Date()): Promise<LevelBank> {
  const bank = await BankDb.open(dir);
  const storage = await LevelLedger.load(bank, rules);
  const writer = new LedgerWriter(storage, now, storage.auditHead);
  const ledger = new Ledger(writer, storage, rules);
  await ledger.openCashAccount();
  return {
    bank,
    storage,
    writer,
    ledger,
    close: async () => {
      await writer.drain();
      await bank.close();
    },
  };
}

/** One relay's writing side on a PostgreSQL pool (the schema migrated): its writer and ledger. */
export interface PgRelayLedger {
  writer: LedgerWriter;
  ledger: Ledger;
}

export function pgRelayLedger(pool: pg.Pool, rules: LedgerRules, opts: { now?: () => Date; relayName?: string } = {}): PgRelayLedger {
  const writer = new LedgerWriter(new PgLedgerStorage(pool, rules, opts.relayName), opts.now ?? (() => new Date()), EMPTY_HEAD);
  return { writer, ledger: new Ledger(writer, new PgLedgerReads(new PgBank(pool)), rules) };
}
