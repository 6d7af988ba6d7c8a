import type { User } from '../../../../common/schemas/models.js';
import type { OpAnswer } from '../legacy-connection.js';
import type { LegacyCommandContext } from './context.js';

/**
 * An administrator's view of one user, through admin.user.list (so the role check and the
 * request log are the op's own): the exact username among the query's matches, or undefined.
 */
export async function adminFindUser(ctx: LegacyCommandContext, username: string): Promise<{ user?: User; refusal?: Extract<OpAnswer<'admin.user.list'>, { ok: false }> }> {
  if (username.length === 0 || username.length > 64) return {};
  const answer = await ctx.conn.call('admin.user.list', { query: username, limit: 500 });
  if (!answer.ok) return { refusal: answer };
  const user = answer.result.users.find((u) => u.username === username);
  return user ? { user } : {};
}

/**
 * The customer who holds an account, for an administrator's command that names only the account
 * (the old forms ask for a number): read from the ledger to pick whom to ask admin.user.list for.
 * The cash account and unknown numbers have nobody.
 */
export async function ownerOf(ctx: LegacyCommandContext, account: string): Promise<string | undefined> {
  const state = await ctx.relay.ledger.account(account);
  return state?.owner ?? undefined;
}

/** An administrator's view of the user holding `account`, and that account. */
export async function adminFindAccount(ctx: LegacyCommandContext, account: string) {
  const owner = await ownerOf(ctx, account);
  if (owner === undefined) return {};
  const found = await adminFindUser(ctx, owner);
  const held = found.user?.accounts.find((a) => a.account === account);
  return { ...found, ...(held && { account: held }) };
}
