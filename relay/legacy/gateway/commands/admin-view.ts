import type { Transfer, User } from '../../../../common/schemas/models.js';
import { normalizeUsername } from '../../../../common/schemas/primitives.js';
import { bankTable, legacyDate, T, type DbTableUser } from '../texts.js';
import { commonRefusal, isBoundAdmin, type LegacyCommand } from './context.js';
import { importedView, legacyRowId } from './imported.js';
import { adminFindUser } from './lookup.js';

/** Pages of admin.user.list read for one ViewBankDataBase (500 users each). */
const MAX_USER_PAGES = 20;
/** The bank's latest transfers ViewBankDataBase spreads over the users (one admin.transfer.list page). */
const RECENT_TRANSFERS = 500;

/**
 * ViewBankDataBase → admin.user.list, admin.session.list and admin.transfer.list, for the signed-in
 * administrator only (the old server took any admin's name as proof). The Password column shows
 * `********`: passwords are hashed and never shown. "Is Logged In" is whether the customer has a
 * session connected now; each customer's transactions are theirs among the bank's latest 500,
 * then an imported customer's old ones (with their old ids; the import's opening deposit is left out).
 */
export const viewBankDatabase: LegacyCommand = async (ctx, [adminName]) => {
  if (!(await isBoundAdmin(ctx, adminName!))) return T.noPrivilegeDb;
  const users: User[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_USER_PAGES; page++) {
    const answer = await ctx.conn.call('admin.user.list', { limit: 500, ...(cursor !== undefined && { cursor }) });
    if (!answer.ok) return commonRefusal(answer, T.noPrivilegeDb, T.noPrivilegeDb);
    users.push(...answer.result.users.filter((u) => u.role === 'user' && u.status !== 'closed' && u.accounts.length > 0));
    cursor = answer.result.next;
    if (cursor === undefined) break;
  }
  if (users.length === 0) return T.noUsers;
  const sessions = await ctx.conn.call('admin.session.list', {});
  if (!sessions.ok) return commonRefusal(sessions, T.noPrivilegeDb, T.noPrivilegeDb);
  const connected = new Set(sessions.result.sessions.filter((s) => s.connected).map((s) => s.username));
  const recent = await ctx.conn.call('admin.transfer.list', { limit: RECENT_TRANSFERS });
  if (!recent.ok) return commonRefusal(recent, T.noPrivilegeDb, T.noPrivilegeDb);
  const byAccount = new Map<string, Transfer[]>();
  const newestFirst = [...recent.result.transfers].sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
  for (const t of newestFirst) {
    for (const side of [t.from, t.to]) {
      const list = byAccount.get(side) ?? [];
      list.push(t);
      byAccount.set(side, list);
    }
  }
  const rows: DbTableUser[] = [];
  for (const u of users) {
    const account = u.accounts[0]!;
    // An imported customer: the old history after the new (with the old ids), without the import's opening deposit.
    const imported = u.legacy?.account !== undefined ? await importedView(ctx, u.username, account.account) : undefined;
    rows.push({
      name: await ctx.directory.shownUser(u.username),
      account: await ctx.directory.shownAccount(account.account),
      balance: account.balance,
      loggedIn: connected.has(u.username),
      transactions: [
        ...(byAccount.get(account.account) ?? [])
          .filter((t) => t.id !== imported?.openingId)
          .map((t) => ({
            date: legacyDate(t.ts),
            amount: t.from === account.account ? -t.amount : t.amount,
            id: t.id,
          })),
        ...(imported?.history ?? []).map((item) => ({ date: item.date, amount: item.amount, id: legacyRowId(item) })),
      ],
    });
  }
  return bankTable(rows);
};

/**
 * GetAccountnumberByAdmin → admin.user.list, for the signed-in administrator only. The admin
 * check comes first (the old server checked it last, so anyone could probe who was logged in),
 * and a customer's login state no longer matters.
 */
export const getAccountNumberByAdmin: LegacyCommand = async (ctx, [adminName, typedUser]) => {
  if (!(await isBoundAdmin(ctx, adminName!))) return T.onlyAdmins;
  const found = await adminFindUser(ctx, normalizeUsername(await ctx.directory.userOf(typedUser!)));
  if (found.refusal) return commonRefusal(found.refusal, T.onlyAdmins, T.onlyAdmins);
  if (!found.user) return T.targetNotLoggedIn;
  if (found.user.role === 'admin') return T.adminTargetIsAdmin;
  const account = found.user.accounts[0];
  if (!account || found.user.status === 'closed') return T.targetNotLoggedIn;
  return T.accountNumberForAdmin(await ctx.directory.shownAccount(account.account));
};
