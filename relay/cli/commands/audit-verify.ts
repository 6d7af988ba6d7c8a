import { parseArgs } from 'node:util';
import { resolveConfig } from '../../config.js';
import { verifyStoredChain } from '../../audit/verify.js';
import { openBankOffline } from '../offline.js';

/** Recomputes the audit chain from genesis; exit 1 with the first bad seq. */
export async function auditVerifyCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' } } });
  const offline = await openBankOffline(resolveConfig({ dataDir: values.data ?? './data' }), { existing: true });
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
