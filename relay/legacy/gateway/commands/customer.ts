import { randomUUID } from 'node:crypto';
import { normalizeUsername } from '../../../../common/schemas/primitives.js';
import { readLegacyAmount } from '../amount.js';
import { historyTable, legacyDate, shortAmount, T } from '../texts.js';
import { openingTransferId } from '../../record.js';
import { importedView } from './imported.js';
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

/** Pages read for one Viewtransactionhistory (the import's opening deposit, left out, can push a row onto the next). */
const HISTORY_PAGES = 3;

/**
 * Viewtransactionhistory → account.history with the imported history (own accounts) or, for an
 * administrator, admin.transfer.list and the imported history; newest first, at most HISTORY_CAP
 * rows. A count that is not a whole number, below 1 or above what there is shows everything (up
 * to the cap), as the old server did. The import's opening deposit is left out: the old client's
 * history is the old one, continued by what happened since (bankrelay/1 shows the deposit).
 */
export const viewTransactionHistory: LegacyCommand = async (ctx, [typed, countText]) => {
  const role = boundRole(ctx);
  if (role === null) return T.onlyLoggedInUsers;
  const account = await ctx.directory.accountOf(typed!);
  if (account === undefined) return T.userDoesNotExist;
  const count = /^\s*[+-]?\d+\s*$/.test(countText!) ? Number.parseInt(countText!, 10) : 0;
  const limit = count >= 1 && count <= HISTORY_CAP ? count : HISTORY_CAP;
  const rows: { date: string; amount: number }[] = [];
  if (role === 'admin') {
    const found = await adminFindAccount(ctx, account);
    if (found.refusal) return commonRefusal(found.refusal, T.onlyLoggedInUsers, T.onlyAdmins);
    if (!found.account || !found.user) return T.userDoesNotExist;
    const imported = await importedView(ctx, found.user.username, account);
    let cursor: string | undefined;
    for (let page = 0; page < HISTORY_PAGES && rows.length < limit; page++) {
      const answer = await ctx.conn.call('admin.transfer.list', { account, limit, ...(cursor !== undefined && { cursor }) });
      if (!answer.ok) return commonRefusal(answer, T.onlyLoggedInUsers, T.onlyAdmins);
      for (const t of answer.result.transfers) if (t.id !== imported?.openingId) rows.push({ date: legacyDate(t.ts), amount: t.from === account ? -t.amount : t.amount });
      cursor = answer.result.next;
      if (cursor === undefined) break;
    }
    for (const item of imported?.history ?? []) rows.push({ date: item.date, amount: item.amount });
  } else {
    const shown = await ctx.directory.shownAccount(account);
    const openingId = shown !== account ? openingTransferId(shown) : undefined;
    let before: string | undefined;
    for (let page = 0; page < HISTORY_PAGES && rows.length < limit; page++) {
      const answer = await ctx.conn.call('account.history', { account, limit, legacy: true, ...(before !== undefined && { before }) });
      if (!answer.ok) return answer.code === 'NOT_FOUND' ? T.userDoesNotExist : commonRefusal(answer, T.onlyLoggedInUsers, T.onlyLoggedInUsers);
      for (const e of answer.result.entries) if (e.transferId !== openingId) rows.push({ date: legacyDate(e.ts), amount: e.amount });
      // The history imported from the old bank keeps its own date.
      for (const e of answer.result.legacyEntries ?? []) rows.push({ date: e.date, amount: e.amount });
      before = answer.result.next;
      if (before === undefined) break;
    }
  }
  if (rows.length === 0) return T.noTransactions;
  return historyTable(rows.slice(0, limit));
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
