import pg from 'pg';
import type { RelayConfig } from '../../config.js';
import { UserStore } from '../../auth/users.js';
import { ledgerRules } from '../../ledger/rules.js';
import { PgLedgerWriter } from './ledger-writer.js';
import { migrate } from './migrations.js';
import { PgBank } from './pg-bank.js';
import { PgCommits } from './pg-commits.js';
import { PgLedger } from './pg-ledger.js';

/** The PostgreSQL store without a relay (operator tools, the bench's set-up): migrated, with its cash account. */
export interface PgOffline {
  bank: PgBank;
  commits: PgCommits;
  ledger: PgLedger;
  users: UserStore;
  close(): Promise<void>;
}

export async function openPgOffline(config: RelayConfig): Promise<PgOffline> {
  const pool = new pg.Pool({ connectionString: config.store, max: 3 });
  const bank = new PgBank(pool);
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    const rules = ledgerRules(config);
    const writer = new PgLedgerWriter(pool, rules);
    const commits = new PgCommits(writer, await bank.auditHead());
    const ledger = new PgLedger(bank, writer, rules, () => {});
    await ledger.openCashAccount();
    return {
      bank,
      commits,
      ledger,
      users: new UserStore(bank, commits, config),
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
