import { randomUUID } from 'node:crypto';
import { normalizeUsername } from '../../../../common/schemas/primitives.js';
import { readLegacyAmount } from '../amount.js';
import { historyTable, legacyDate, shortAmount, T } from '../texts.js';
import { adminFindAccount } from './lookup.js';
import { boundRole, commonRefusal, type LegacyCommand, type LegacyCommandContext } from './context.js';

/** The most transactions one Viewtransactionhistory shows (LEGACY-PROTOCOL §4). */
export const HISTORY_CAP = 500;

/**
 * GetAccountnumber → account.list. Only the signed-in customer's own name is answered; the old
 * server answered for any name whose `is_logged_in` flag was set.
 */
export const getAccountNumber: LegacyCommand = async (ctx, [typedName]) => {
  const role = boundRole(ctx);
  if (role === 'admin') return T.onlyUsers;
  if (role === null || !(await namesBoundUser(ctx, typedName!))) return T.onlyLoggedInUsers;
  const answer = await ctx.conn.call('account.list', {});
  if (!answer.ok) return commonRefusal(answer, T.onlyLoggedInUsers, T.onlyUsers);
  const first = answer.result.accounts[0];
  if (!first) return T.onlyLoggedInUsers;
  return T.accountNumber(typedName!, await ctx.directory.shownAccount(first.account));
};

/**
 * ViewAccountbalance → account.balance (a customer: own accounts only) or, for an administrator,
 * admin.user.list. An account that is not the caller's reads as an unknown one (balance -1).
 */
export const viewAccountBalance: LegacyCommand = async (ctx, [typed]) => {
  const role = boundRole(ctx);
  if (role === null) return T.onlyLoggedInUsers;
  const account = await ctx.directory.accountOf(typed!);
  if (account === undefined) return T.balance(typed!, '-1');
  if (role === 'admin') {
    const found = await adminFindAccount(ctx, account);
    if (found.refusal) return commonRefusal(found.refusal, T.onlyLoggedInUsers, T.onlyAdmins);
    return T.balance(typed!, found.account ? shortAmount(found.account.balance) : '-1');
  }
  const answer = await ctx.conn.call('account.balance', { account });
  if (!answer.ok) return answer.code === 'NOT_FOUND' ? T.balance(typed!, '-1') : commonRefusal(answer, T.onlyLoggedInUsers, T.onlyLoggedInUsers);
  return T.balance(typed!, shortAmount(answer.result.balance));
};

/**
 * Viewtransactionhistory → account.history (own accounts) or admin.transfer.list, newest first,
 * at most HISTORY_CAP rows. A count that is not a whole number, below 1 or above what there is
 * shows everything (up to the cap), as the old server did.
 */
export const viewTransactionHistory: LegacyCommand = async (ctx, [typed, countText]) => {
  const role = boundRole(ctx);
  if (role === null) return T.onlyLoggedInUsers;
  const account = await ctx.directory.accountOf(typed!);
  if (account === undefined) return T.userDoesNotExist;
  const count = /^\s*[+-]?\d+\s*$/.test(countText!) ? Number.parseInt(countText!, 10) : 0;
  const limit = count >= 1 && count <= HISTORY_CAP ? count : HISTORY_CAP;
  let rows: { date: string; amount: number }[];
  if (role === 'admin') {
    const found = await adminFindAccount(ctx, account);
    if (found.refusal) return commonRefusal(found.refusal, T.onlyLoggedInUsers, T.onlyAdmins);
    if (!found.account) return T.userDoesNotExist;
    const answer = await ctx.conn.call('admin.transfer.list', { account, limit });
    if (!answer.ok) return commonRefusal(answer, T.onlyLoggedInUsers, T.onlyAdmins);
    rows = answer.result.transfers.map((t) => ({ date: legacyDate(t.ts), amount: t.from === account ? -t.amount : t.amount }));
  } else {
    const answer = await ctx.conn.call('account.history', { account, limit, legacy: true });
    if (!answer.ok) return answer.code === 'NOT_FOUND' ? T.userDoesNotExist : commonRefusal(answer, T.onlyLoggedInUsers, T.onlyLoggedInUsers);
    rows = answer.result.entries.map((e) => {
      // Imported legacy history (bank-relay legacy import) keeps its own date.
      const entry = e as { ts?: string; date?: string; amount: number };
      return { date: entry.date ?? legacyDate(entry.ts!), amount: entry.amount };
    });
  }
  if (rows.length === 0) return T.noTransactions;
  return historyTable(rows);
};

/**
 * MakeTransaction → admin.account.deposit / admin.account.withdraw against the bank's cash
 * account, for administrators only. The old server let anyone add money from nowhere.
 */
export const makeTransaction: LegacyCommand = async (ctx, [typed, amountText]) => {
  const role = boundRole(ctx);
  if (role === null) return T.onlyLoggedInUsers;
  if (role !== 'admin') return T.secure.customerCannotMakeMoney;
  const account = await ctx.directory.accountOf(typed!);
  if (account === undefined) return T.accountDoesNotExist;
  const amount = readLegacyAmount(amountText!);
  if (!amount.ok) return T.secure.badAmount;
  if (amount.minor === 0) return T.secure.zeroAmount;
  const op = amount.minor > 0 ? 'admin.account.deposit' : 'admin.account.withdraw';
  const answer = await ctx.conn.call(op, { transferId: randomUUID(), account, amount: Math.abs(amount.minor), memo: 'Legacy client: Edit user Balance' });
  if (answer.ok) return T.balanceUpdated(shortAmount(answer.result.balance));
  if (answer.code === 'NOT_FOUND' || answer.code === 'BAD_REQUEST') return T.accountDoesNotExist;
  if (answer.code === 'INSUFFICIENT_FUNDS') return T.insufficientFundsMake;
  return commonRefusal(answer, T.onlyLoggedInUsers, T.onlyAdmins);
};

/**
 * TransferAmount → transfer.create from one of the signed-in customer's own accounts, with a
 * fresh transferId. The old server moved money from any account named.
 */
export const transferAmount: LegacyCommand = async (ctx, [fromTyped, toTyped, amountText]) => {
  const role = boundRole(ctx);
  if (role === null) return T.onlyLoggedInUsers;
  if (fromTyped === toTyped) return T.transferToSelf;
  const from = await ctx.directory.accountOf(fromTyped!);
  if (from === undefined) return T.senderDoesNotExist;
  const own = await ctx.conn.call('account.list', {});
  if (!own.ok) return commonRefusal(own, T.onlyLoggedInUsers, T.onlyLoggedInUsers);
  if (!own.result.accounts.some((a) => a.account === from)) return T.senderDoesNotExist;
  const to = await ctx.directory.accountOf(toTyped!);
  if (to === from) return T.transferToSelf;
  if (to === undefined) return T.receiverDoesNotExist;
  const amount = readLegacyAmount(amountText!);
  if (!amount.ok) return T.secure.badAmount;
  if (amount.minor === 0) return T.zeroTransfer;
  if (amount.minor < 0) return T.negativeTransfer;
  const answer = await ctx.conn.call('transfer.create', { transferId: randomUUID(), from, to, amount: amount.minor });
  if (answer.ok) return T.transferred(fromTyped!, toTyped!);
  switch (answer.code) {
    case 'INSUFFICIENT_FUNDS':
      return T.insufficientFundsTransfer;
    case 'NOT_FOUND':
      return T.receiverDoesNotExist;
    case 'ACCOUNT_FROZEN':
      return T.secure.failed('the account is frozen; please contact the bank');
    default:
      return commonRefusal(answer, T.onlyLoggedInUsers, T.onlyLoggedInUsers);
  }
};

async function namesBoundUser(ctx: LegacyCommandContext, typedName: string): Promise<boolean> {
  if (typedName === ctx.shownName) return true;
  return normalizeUsername(await ctx.directory.userOf(typedName)) === ctx.conn.auth!.username;
}
