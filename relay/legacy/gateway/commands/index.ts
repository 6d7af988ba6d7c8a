import type { LegacyCommand } from './context.js';
import { login } from './login.js';
import { getAccountNumber, makeTransaction, transferAmount, viewAccountBalance, viewTransactionHistory } from './customer.js';
import { getAccountNumberByAdmin, viewBankDatabase } from './admin-view.js';
import { createNewUser, deleteUser, updateUser } from './admin-users.js';

/**
 * The old server's registry, exactly its 11 commands (LEGACY-PROTOCOL §2), each with the number
 * of args it reads: fewer get "in Valid number of arguments" (the old server crashed), more are
 * ignored as before.
 */
export const legacyCommands: ReadonlyMap<string, { args: number; run: LegacyCommand }> = new Map([
  ['Login', { args: 2, run: login }],
  ['ViewBankDataBase', { args: 1, run: viewBankDatabase }],
  ['GetAccountnumber', { args: 1, run: getAccountNumber }],
  ['GetAccountnumberByAdmin', { args: 2, run: getAccountNumberByAdmin }],
  ['ViewAccountbalance', { args: 1, run: viewAccountBalance }],
  ['Viewtransactionhistory', { args: 2, run: viewTransactionHistory }],
  ['MakeTransaction', { args: 2, run: makeTransaction }],
  ['TransferAmount', { args: 3, run: transferAmount }],
  ['CreateNewUser', { args: 2, run: createNewUser }],
  ['DeleteUser', { args: 2, run: deleteUser }],
  ['UpdateUser', { args: 3, run: updateUser }],
]);
