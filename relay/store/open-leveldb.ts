import { BankDb } from './db.js';
import { CommitQueue } from './commit-queue.js';
import { DiskRecovery } from './disk-recovery.js';
import { openDatabase } from './open.js';
import { Ledger } from '../ledger/ledger.js';
import { ledgerRules } from '../ledger/rules.js';
import { idSnapshotPath } from '../ledger/transfer-id-snapshot.js';
import { enforceStartupCheck, quickCheck, refusalMessage } from '../startup/quick-check.js';
import type { OpenedStore, StoreOpening } from './opened-store.js';

/**
 * The embedded store (the default): LevelDB in `dataDir/db`, one writer (the commit queue),
 * the ledger's balances in this relay's memory, read whole at start and checked before serving.
 */
export async function openLevelStore({ config, log, clock, metrics, onPosted }: StoreOpening): Promise<OpenedStore> {
  const bank: BankDb = await openDatabase(config.dataDir);
  try {
    const commits = new CommitQueue(bank, await bank.auditHead(), () => new Date(clock()));
    commits.onBatch = (jobs, seconds, ok) => metrics.batch(jobs, seconds, ok);
    // The ledger is read first (nothing written), so the start-up check looks at the accounts
    // it read instead of reading every account a second time.
    const loadStarted = performance.now();
    const ledger = await Ledger.read(bank, commits, ledgerRules(config), () => new Date(clock()), onPosted, {
      idSnapshot: idSnapshotPath(config.dataDir),
    });
    const loadMs = Math.round(performance.now() - loadStarted);
    const checkStarted = performance.now();
    const check = await quickCheck(bank, [...ledger.engine.accounts.values()]);
    const checkMs = Math.round(performance.now() - checkStarted);
    enforceStartupCheck(check, config.forceStart, log, () => refusalMessage(config.dataDir, check.problems));
    log.info('ledger loaded', { accounts: ledger.engine.accounts.size, transfers: ledger.engine.transferSeq, transferIds: ledger.idsLoadedFrom, loadMs, checkMs });
    await ledger.openCashAccount();
    const recovery = new DiskRecovery(config.dataDir, bank, commits, ledger, log, config.diskRetryMs);
    commits.onFailure = (err) => recovery.begin(err);
    return {
      bank,
      commits,
      ledger,
      startupProblems: check.problems,
      get trouble() {
        return recovery.recovering ? 'disk-error' : undefined;
      },
      beginClose: () => recovery.stop(),
      async close() {
        // Every commit is on disk now: the transfer-id filter can be saved for a quick next start.
        if (!ledger.isHalted) {
          await ledger.saveIdSnapshot(idSnapshotPath(config.dataDir)).catch((err: unknown) => {
            log.warn('could not save the transfer-id snapshot; the next start scans the ids instead', { error: err instanceof Error ? err.message : String(err) });
          });
        }
        await bank.close();
      },
    };
  } catch (err) {
    await bank.close().catch(() => undefined);
    throw err;
  }
}
