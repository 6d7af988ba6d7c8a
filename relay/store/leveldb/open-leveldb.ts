import { Ledger } from '../../ledger/ledger.js';
import { ledgerRules } from '../../ledger/rules.js';
import { LedgerWriter } from '../../ledger/writer.js';
import { enforceStartupCheck } from '../../startup/startup-check.js';
import { openDatabase } from './open-database.js';
import type { OpenedStore, StoreOpening } from '../opened-store.js';
import type { BankDb } from './bank-db.js';
import { DiskRecovery } from './disk-recovery.js';
import { LevelLedger } from './level-ledger.js';
import { quickCheck, refusalMessage } from './quick-check.js';
import { idSnapshotPath } from './transfer-id-snapshot.js';

/**
 * The embedded store (the default): LevelDB in `dataDir/db`, the ledger's balances in this
 * relay's memory, read whole at start and checked before serving; the bank's one writer commits
 * each batch as one synced LevelDB write.
 */
export async function openLevelStore({ config, log, clock, metrics, onCommitted }: StoreOpening): Promise<OpenedStore> {
  const bank: BankDb = await openDatabase(config.dataDir);
  try {
    // The ledger is read first (nothing written), so the start-up check looks at the accounts
    // it read instead of reading every account a second time.
    const loadStarted = performance.now();
    const storage = await LevelLedger.load(bank, ledgerRules(config), { idSnapshot: idSnapshotPath(config.dataDir) });
    const loadMs = Math.round(performance.now() - loadStarted);
    const checkStarted = performance.now();
    const check = await quickCheck(bank, [...storage.engine.accounts.values()]);
    const checkMs = Math.round(performance.now() - checkStarted);
    enforceStartupCheck(check, config.forceStart, log, () => refusalMessage(config.dataDir, check.problems));
    log.info('ledger loaded', { accounts: storage.engine.accounts.size, transfers: storage.engine.transferSeq, transferIds: storage.idsLoadedFrom, loadMs, checkMs });
    const writer = new LedgerWriter(storage, () => new Date(clock()), storage.auditHead, {
      onCommitted,
      onBatch: (jobs, seconds, ok) => metrics.batch(jobs, seconds, ok),
      onError: (err) => log.error('telling sessions about a committed batch failed', { err }),
    });
    const ledger = new Ledger(writer, storage, storage.rules);
    await ledger.openCashAccount();
    const recovery = new DiskRecovery(config.dataDir, bank, storage, log, config.diskRetryMs);
    storage.onFailure = (err) => recovery.begin(err);
    return {
      bank,
      commits: writer,
      ledger,
      startupProblems: check.problems,
      get trouble() {
        return recovery.recovering ? 'disk-error' : undefined;
      },
      beginClose: () => recovery.stop(),
      async close() {
        // Every commit is on disk now: the transfer-id filter can be saved for a quick next start.
        await storage.saveIdSnapshot(idSnapshotPath(config.dataDir)).catch((err: unknown) => {
          log.warn('could not save the transfer-id snapshot; the next start scans the ids instead', { error: err instanceof Error ? err.message : String(err) });
        });
        await bank.close();
      },
    };
  } catch (err) {
    await bank.close().catch(() => undefined);
    throw err;
  }
}
