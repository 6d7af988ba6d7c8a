import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createBackup } from '../../store/leveldb/backup/backup.js';
import { requireOption } from '../options.js';

/** Streams a verified, checksummed snapshot of the bank (and its identity key) to --out; works while the relay runs. */
export async function backupCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { data: { type: 'string' }, out: { type: 'string' }, gzip: { type: 'boolean' } },
  });
  const out = requireOption('--out', values.out);
  const r = await createBackup(values.data ?? './data', out, { gzip: values.gzip ?? out.endsWith('.gz') });
  const size = (await stat(out)).size;
  process.stdout.write(
    `backup written to ${out}: ${r.header.records} records, ${r.header.ledger.accounts} accounts, ${r.header.ledger.transfers} transfers, ` +
      `audit head seq ${r.header.audit.seq}, ${size} bytes${r.live ? ` (taken while the relay runs, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'})` : ''}\n`,
  );
}
