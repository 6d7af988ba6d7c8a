import type { RelayConfig } from '../../config.js';
import { UserStore } from '../../auth/users.js';
import { ledgerRules } from '../../ledger/rules.js';
import { openPool } from './connect.js';
import { migrate } from './migrations.js';
import { PgBank } from './pg-bank.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { LedgerWriter } from '../../ledger/writer.js';
import type { PgLedgerReads } from './pg-reads.js';
import { openPgWriters } from './pg-writers.js';

/** The PostgreSQL store without a relay (operator tools, the bench's set-up): migrated, with its cash account. */
export interface PgOffline {
  bank: PgBank;
  commits: LedgerWriter;
  ledger: Ledger;
  reads: PgLedgerReads;
  users: UserStore;
  close(): Promise<void>;
}

export async function openPgOffline(config: RelayConfig): Promise<PgOffline> {
  const pool = openPool(config.store, 3);
  const bank = new PgBank(pool);
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    const { writer, ledger, reads } = await openPgWriters(bank, ledgerRules(config));
    return {
      bank,
      commits: writer,
      ledger,
      reads,
      users: new UserStore(bank, writer, config),
      async close() {
        await writer.drain();
        await bank.close();
      },
    };
  } catch (err) {
    await bank.close().catch(() => undefined);
    throw err;
  }
}
