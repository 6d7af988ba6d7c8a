import { Ledger } from '../../ledger/ledger.js';
import { ledgerRules } from '../../ledger/rules.js';
import { LedgerWriter } from '../../ledger/writer.js';
import { enforceStartupCheck } from '../../startup/startup-check.js';
import type { OpenedStore, StoreOpening } from '../opened-store.js';
import type { BankDb } from './bank-db.js';
import { DiskRecovery } from './disk-recovery.js';
import { ledgerCheckpointPath } from './ledger-checkpoint.js';
import { LevelLedger } from './level-ledger.js';
import { openDatabase } from './open-database.js';
import { quickCheck, refusalMessage } from './quick-check.js';
import { idSnapshotPath } from './transfer-id-snapshot.js';

/**
 * The embedded store (the default): LevelDB in `dataDir/db`, the ledger's balances in this
 * relay's memory, read whole at start and checked before serving; the bank's one writer commits
 * each batch as one synced LevelDB write. A clean stop leaves a signed checkpoint and the
 * transfer-id filter, so the next start need not read the journal.
 */
export async function openLevelStore({ config, log, clock, metrics, identity, onCommitted }: StoreOpening): Promise<OpenedStore> {
  const bank: BankDb = await openDatabase(config.dataDir, (what) => log.info('moving the database to its current layout', { step: what }));
  try {
    // The ledger is read first (nothing written), so the start-up check looks at what it read.
    const loadStarted = performance.now();
    const storage = await LevelLedger.load(bank, ledgerRules(config), {
      idSnapshot: idSnapshotPath(config.dataDir),
      checkpoint: { file: ledgerCheckpointPath(config.dataDir), spki: identity.signer.spki },
    });
    const loadMs = Math.round(performance.now() - loadStarted);
    const check = await quickCheck(bank, storage.startup);
    enforceStartupCheck(check, config.forceStart, log, () => refusalMessage(config.dataDir, check.problems));
    log.info('ledger loaded', {
      accounts: storage.engine.accounts.size,
      transfers: storage.engine.transferSeq,
      // 'checkpoint': as the last clean stop left it; 'replay': the journal was read and checked whole.
      trusted: storage.startup.trusted,
      transferIds: storage.startup.idsFrom,
      loadMs,
    });
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
        // Every commit is on disk now: what the next start needs instead of the journal is saved.
        await storage.saveAtStop({ idSnapshot: idSnapshotPath(config.dataDir), checkpoint: { file: ledgerCheckpointPath(config.dataDir), signer: identity.signer } }).catch((err: unknown) => {
          log.warn('could not save the checkpoint of this clean stop; the next start reads the journal instead', { error: err instanceof Error ? err.message : String(err) });
        });
        await bank.close();
      },
    };
  } catch (err) {
    await bank.close().catch(() => undefined);
    throw err;
  }
}
