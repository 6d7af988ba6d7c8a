import { parseArgs } from 'node:util';
import { openBankToVerify } from '../offline.js';

/** Offline ledger check: balances equal their entries, the sum is 0, every transfer has both legs. */
export async function ledgerVerifyCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' }, store: { type: 'string' } } });
  const opened = await openBankToVerify(values);
  try {
    const v = await opened.bank.verifyLedger();
    if (v.ok) {
      process.stdout.write(`ledger OK: ${v.accounts} accounts, ${v.transfers} transfers, balances sum to ${v.sum}\n`);
    } else {
      process.stdout.write(`ledger BROKEN: ${v.problem}\n`);
      process.exitCode = 1;
    }
  } finally {
    await opened.close();
  }
}
