import { parseArgs } from 'node:util';
import { resolveConfig } from '../../config.js';
import { verifyLedger } from '../../ledger/verify.js';
import { openBankOffline } from '../offline.js';

/** Offline ledger check: balances equal their entries, the sum is 0, every transfer has both legs. */
export async function ledgerVerifyCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' } } });
  const offline = await openBankOffline(resolveConfig({ dataDir: values.data ?? './data' }), { existing: true });
  try {
    const v = await verifyLedger(offline.bank);
    if (v.ok) {
      process.stdout.write(`ledger OK: ${v.accounts} accounts, ${v.transfers} transfers, balances sum to ${v.sum}\n`);
    } else {
      process.stdout.write(`ledger BROKEN: ${v.problem}\n`);
      process.exitCode = 1;
    }
  } finally {
    await offline.close();
  }
}
