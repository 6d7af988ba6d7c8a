import { parseArgs } from 'node:util';
import { restoreBackup } from '../../store/leveldb/backup/restore.js';
import { requireOption } from '../options.js';

/** Restores a backup into a new data directory, refusing damaged files, then verifies ledger and audit. */
export async function restoreCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { in: { type: 'string' }, data: { type: 'string' } } });
  const inFile = requireOption('--in', values.in);
  const dataDir = requireOption('--data', values.data);
  const r = await restoreBackup(inFile, dataDir);
  process.stdout.write(
    `restored ${r.header.records} records into ${dataDir} (identity ${r.header.fingerprint})\n` +
      `ledger OK: ${r.ledger.accounts} accounts, ${r.ledger.transfers} transfers, balances sum to ${r.ledger.sum}\n` +
      `audit chain OK: ${r.audit.entries} entries, head seq ${r.audit.head.seq} ${r.audit.head.hash}\n`,
  );
}
