import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../../config.js';
import { verifyStoredChain } from '../../audit/verify.js';
import { openBankOffline } from '../offline.js';
import { CliError } from '../errors.js';

/** Recomputes the audit chain from genesis; exit 1 with the first bad seq. */
export async function auditVerifyCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' } } });
  const dataDir = values.data ?? './data';
  // Opening would create an empty database and call it a valid chain of 0 entries: a mistyped
  // --data must not pass verification (nor leave a new directory behind).
  const isDir = await stat(path.join(dataDir, 'db')).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new CliError(`no bank database in ${dataDir}: check --data (the relay creates it on first start)`);
  const offline = await openBankOffline(resolveConfig({ dataDir }));
  try {
    const verdict = await verifyStoredChain(offline.bank);
    if (verdict.ok) {
      process.stdout.write(`audit chain OK: ${verdict.entries} entries, head seq ${verdict.head.seq} ${verdict.head.hash}\n`);
    } else {
      process.stdout.write(`audit chain BROKEN at seq ${verdict.badSeq}: ${verdict.reason}\n`);
      process.exitCode = 1;
    }
  } finally {
    await offline.close();
  }
}
