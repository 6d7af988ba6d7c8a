import { createHash } from 'node:crypto';
import { resolveConfig } from '../../relay/config.js';
import { openBankOffline } from '../../relay/cli/offline.js';
import { runLegacyImport, type ImportReport } from '../../relay/legacy/import/apply.js';
import { parseLegacyFile } from '../../relay/legacy/import/parse.js';

/** `bank-relay legacy import` in process: the old bank's file into the LevelDB bank in `dataDir` (no relay running on it). */
export async function importLegacyFile(dataDir: string, text: string, dryRun = false): Promise<ImportReport> {
  const offline = await openBankOffline(resolveConfig({ dataDir, scryptLog2N: 12 }));
  try {
    return await runLegacyImport(
      { bank: offline.bank, write: { users: offline.users, ledger: offline.ledger, commits: offline.commits } },
      parseLegacyFile(text),
      { file: 'BankDatabase.json', sha256: createHash('sha256').update(text).digest('hex'), dryRun },
    );
  } finally {
    await offline.close();
  }
}
