import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CASH_ACCOUNT, formatAccountNumber } from '../../../common/account-number.js';
import { formatAmount } from '../../../common/money.js';
import { isBankError } from '../../../common/errors.js';
import { UserStore } from '../../auth/users.js';
import { openBankToWrite } from '../offline.js';
import { CliError } from '../errors.js';

/** The seed system's sample customers, with opening balances in cents. */
const CUSTOMERS = [
  { username: 'john_doe', displayName: 'John Doe', password: 'john-demo-pass', opening: 250_000 },
  { username: 'jane_smith', displayName: 'Jane Smith', password: 'jane-demo-pass', opening: 480_000 },
  { username: 'alice_wong', displayName: 'Alice Wong', password: 'alice-demo-pass', opening: 125_000 },
  { username: 'bob_brown', displayName: 'Bob Brown', password: 'bob-demo-pass', opening: 90_000 },
  { username: 'carol_white', displayName: 'Carol White', password: 'carol-demo-pass', opening: 310_000 },
];

/** A little history between them: [from, to, cents, memo]. */
const HISTORY: [number, number, number, string][] = [
  [1, 0, 4_500, 'Lunch, thanks!'],
  [0, 2, 12_000, 'Concert tickets'],
  [4, 3, 25_000, 'Rent share'],
  [2, 1, 3_250, 'Coffee beans'],
  [3, 0, 7_800, 'Books'],
  [1, 4, 60_000, 'Birthday present'],
  [0, 3, 1_999, 'Streaming split'],
  [4, 2, 15_500, 'Bike repair'],
];

/**
 * Fills a bank (the data directory, or the PostgreSQL store given by --store) with demo
 * customers, opening deposits and some history, and prints their passwords, so a new user can
 * try the bank at once. Refuses if they already exist.
 */
export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' }, store: { type: 'string' } } });
  const offline = await openBankToWrite(values);
  const by = { actor: 'operator', role: 'system' as const };
  try {
    const ledger = await offline.ledger();
    const currency = ledger.currency;
    const accounts: string[] = [];
    for (const c of CUSTOMERS) {
      if (await offline.users.get(c.username)) throw new CliError(`${c.username} already exists in ${offline.where}: the demo data is there already`);
      const record = await offline.users.prepare({ username: c.username, password: c.password, displayName: c.displayName, role: 'user', status: 'active' });
      const account = await ledger.openAccount(c.username, UserStore.insertOps(record), [UserStore.createdAudit(record, by, 'demo.user')]);
      accounts.push(account.account);
      await ledger.move(
        { kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: account.account, amount: c.opening, memo: 'Opening deposit', actor: 'operator' },
        { ...by, action: 'admin.account.deposit' },
      );
    }
    for (const [from, to, amount, memo] of HISTORY) {
      await ledger.move(
        { kind: 'transfer', transferId: randomUUID(), from: accounts[from]!, to: accounts[to]!, amount, memo, actor: CUSTOMERS[from]!.username },
        { actor: CUSTOMERS[from]!.username, role: 'user', action: 'transfer.create' },
      );
    }
    const balances = await Promise.all(accounts.map(async (a) => (await ledger.account(a))!.balance));
    const rows = CUSTOMERS.map((c, i) => {
      const balance = balances[i]!;
      return `  ${c.username.padEnd(12)} ${c.password.padEnd(17)} ${formatAccountNumber(accounts[i]!)}   ${formatAmount(balance, currency, 'en-US')}`;
    });
    process.stdout.write(
      `demo customers created in ${offline.where}:\n\n  ${'username'.padEnd(12)} ${'password'.padEnd(17)} ${'account'.padEnd(20)} balance\n${rows.join('\n')}\n\n` +
        `Start the relay with the same ${offline.option} and sign in as any of them.\n`,
    );
  } catch (err) {
    if (isBankError(err)) throw new CliError(err.message);
    throw err;
  } finally {
    await offline.close();
  }
}
