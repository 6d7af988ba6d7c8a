import { randomUUID } from 'node:crypto';
import { isValidAccountNumber } from '../../../../common/account-number.js';
import { normalizeUsername, usernameSchema } from '../../../../common/schemas/primitives.js';
import { mapUsername } from '../../import/plan.js';
import { LEGACY_ACCOUNT_MAX } from '../../record.js';
import { readLegacyBalance } from '../amount.js';
import { T } from '../texts.js';
import { commonRefusal, isBoundAdmin, type LegacyCommand, type LegacyCommandContext } from './context.js';
import { adminFindAccount, adminFindUser } from './lookup.js';

const CREATE_KEYS = ['username', 'password', 'account_number', 'balance'] as const;
const UPDATE_KEYS = new Set(['username', 'password', 'balance']);
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The names the old forms use for this bank's fields, in refusals. */
const FIELD_NAMES: Record<string, string> = { username: 'user name', password: 'password', displayName: 'user name', openingDeposit: 'balance' };

/**
 * CreateNewUser → admin.user.create (role user, displayName = the name typed, opening deposit =
 * `balance`). Only the 4 keys, with their types; the password must meet the relay's policy. The
 * bank gives the account its own number; the typed `account_number` becomes its old number (an
 * alias, recorded on the user through the bank's writer and audited, relay/legacy/aliases.ts), so
 * the reply and every later command use what the administrator typed, also after a restart. A
 * number already taken, as an old number (of anyone, closed users included) or as one of this
 * bank's accounts, gets the old text; one in the bank's own numbering that names no account is
 * refused (the bank may give it out later). A name today's rules cannot keep (`new user`) is
 * made a valid username as the import does, and stays the sign-in name on this port.
 */
export const createNewUser: LegacyCommand = async (ctx, [adminName, json]) => {
  if (!(await isBoundAdmin(ctx, adminName!))) return T.createOnlyAdmins;
  const fields = jsonObject(json!);
  if (!fields) return T.createBadJson;
  if (CREATE_KEYS.some((k) => !(k in fields))) return T.createMissing;
  if (Object.keys(fields).some((k) => !(CREATE_KEYS as readonly string[]).includes(k))) return T.secure.createExtraKeys;
  const { username: typedName, password, account_number: typedAccount, balance } = fields;
  if (typeof typedName !== 'string') return T.secure.createBadField('user name', 'it must be text');
  if (typeof password !== 'string') return T.secure.createBadField('password', 'it must be text');
  if (typeof typedAccount !== 'string' || typedAccount.trim() === '') return T.secure.createBadField('account number', 'it must be text');
  if (typedAccount.length > LEGACY_ACCOUNT_MAX || CONTROL.test(typedAccount)) {
    return T.secure.createBadField('account number', `it must be at most ${LEGACY_ACCOUNT_MAX} characters, without control characters`);
  }
  const opening = readLegacyBalance(balance);
  if (!opening.ok) return T.secure.createBadField('balance', 'it must be a number, not negative, with at most 2 decimals');
  const known = await ctx.directory.userOf(typedName);
  // A name today's rules cannot keep becomes a valid username (as the import maps it) when the typed one stays its alias.
  const username = known === typedName && !usernameSchema.safeParse(typedName).success ? mapUsername(typedName).username : normalizeUsername(known);
  const existing = await adminFindUser(ctx, username);
  if (existing.refusal) return commonRefusal(existing.refusal, T.createOnlyAdmins, T.createOnlyAdmins);
  if (existing.user) return existing.user.role === 'admin' ? T.createNameIsAdmin : T.createUserExists;
  const taken = await ctx.directory.accountOf(typedAccount);
  if (taken !== undefined && (await ctx.relay.ledger.account(taken)) !== undefined) return T.createAccountExists;
  if (isValidAccountNumber(typedAccount)) return T.secure.createBadField('account number', "it is in this bank's own numbering, which only the bank gives out; type another");
  const reservation = await ctx.directory.reserve(typedAccount);
  if (!reservation) return T.createAccountExists;
  try {
    const answer = await ctx.conn.call('admin.user.create', {
      username,
      password,
      displayName: typedName,
      role: 'user',
      ...(opening.minor > 0 && { openingDeposit: opening.minor }),
    });
    if (!answer.ok) {
      if (answer.code === 'CONFLICT') return T.createUserExists;
      if (answer.code === 'BAD_REQUEST') {
        const [field, why] = splitFieldMessage(answer.message);
        return T.secure.createBadField(FIELD_NAMES[field] ?? field, why);
      }
      return commonRefusal(answer, T.createOnlyAdmins, T.createOnlyAdmins);
    }
    const account = answer.result.accounts[0]!.account;
    try {
      await ctx.directory.link({ users: ctx.relay.users, commits: ctx.relay.commits }, { username, legacyUsername: typedName, legacyAccount: typedAccount }, { actor: ctx.conn.auth!.username, role: 'admin' });
      return T.created(typedAccount);
    } catch (err) {
      // The user exists without the old number: say which number it has.
      ctx.relay.log.warn('legacy CreateNewUser: the old account number was not recorded', { err: err instanceof Error ? err.message : String(err), username, legacyAccount: typedAccount });
      return T.created(account);
    }
  } finally {
    reservation.release();
  }
};

/**
 * UpdateUser → admin.user.update for a new password; a new `balance` becomes an audited deposit
 * or withdrawal of the difference (admin.account.deposit / withdraw). Renames are refused, and
 * so is any other key (the old server stored any key with any value).
 */
export const updateUser: LegacyCommand = async (ctx, [adminName, typedAccount, json]) => {
  if (!(await isBoundAdmin(ctx, adminName!))) return T.updateOnlyAdmins;
  const target = await customerAccount(ctx, typedAccount!);
  if (typeof target === 'string') return target === 'refused' ? T.updateOnlyAdmins : T.updateNotRegistered;
  const fields = jsonObject(json!);
  if (!fields) return T.updateBadJson;
  if (Object.keys(fields).some((k) => !UPDATE_KEYS.has(k))) return T.secure.updateExtraKeys;
  if ('username' in fields) {
    const same = typeof fields.username === 'string' && normalizeUsername(await ctx.directory.userOf(fields.username)) === target.username;
    if (!same) return T.secure.updateRename;
  }
  if ('password' in fields && typeof fields.password !== 'string') return T.secure.updateBadField('password', 'it must be text');
  let balanceChange = 0;
  if ('balance' in fields) {
    const wanted = readLegacyBalance(fields.balance);
    if (!wanted.ok) return T.secure.updateBadField('balance', 'it must be a number, not negative, with at most 2 decimals');
    balanceChange = wanted.minor - target.balance;
  }
  if (typeof fields.password === 'string') {
    const answer = await ctx.conn.call('admin.user.update', { username: target.username, password: fields.password });
    if (!answer.ok) {
      if (answer.code === 'BAD_REQUEST') return T.secure.updateBadField('password', splitFieldMessage(answer.message)[1]);
      return commonRefusal(answer, T.updateOnlyAdmins, T.updateOnlyAdmins);
    }
  }
  if (balanceChange !== 0) {
    const op = balanceChange > 0 ? 'admin.account.deposit' : 'admin.account.withdraw';
    const answer = await ctx.conn.call(op, { transferId: randomUUID(), account: target.account, amount: Math.abs(balanceChange), memo: 'Legacy client: UpdateUser balance' });
    if (!answer.ok) return commonRefusal(answer, T.updateOnlyAdmins, T.updateOnlyAdmins);
  }
  return T.updated(typedAccount!);
};

/**
 * DeleteUser → admin.user.setStatus closed: the user and account are closed, never erased (the
 * history and audit stay), and only at a zero balance; the old server deleted the record, money
 * and all.
 */
export const deleteUser: LegacyCommand = async (ctx, [adminName, typedAccount]) => {
  if (!(await isBoundAdmin(ctx, adminName!))) return T.deleteOnlyAdmins;
  const target = await customerAccount(ctx, typedAccount!);
  if (typeof target === 'string') return target === 'refused' ? T.deleteOnlyAdmins : T.deleteNotRegistered;
  if (target.balance !== 0) return T.secure.deleteHoldsMoney(typedAccount!);
  const answer = await ctx.conn.call('admin.user.setStatus', { username: target.username, status: 'closed' });
  if (!answer.ok) {
    if (answer.code === 'CONFLICT') return /balance/.test(answer.message) ? T.secure.deleteHoldsMoney(typedAccount!) : T.deleteNotRegistered;
    return commonRefusal(answer, T.deleteOnlyAdmins, T.deleteOnlyAdmins);
  }
  return T.deleted(typedAccount!);
};

/** The open customer account a form names, with its holder; "unknown" for none (or a closed one). */
async function customerAccount(ctx: LegacyCommandContext, typed: string): Promise<{ username: string; account: string; balance: number } | 'unknown' | 'refused'> {
  const account = await ctx.directory.accountOf(typed);
  if (account === undefined) return 'unknown';
  const found = await adminFindAccount(ctx, account);
  if (found.refusal) return 'refused';
  if (!found.user || !found.account || found.user.status === 'closed' || found.account.status === 'closed') return 'unknown';
  return { username: found.user.username, account: found.account.account, balance: found.account.balance };
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** "password: must be at least 8 characters" → ["password", "it must be at least 8 characters"]. */
function splitFieldMessage(message: string): [string, string] {
  const m = /^([\w.[\]]+): (.*)$/.exec(message);
  if (!m) return ['value', message.replace(/\.$/, '')];
  return [m[1]!, `it ${m[2]!.replace(/\.$/, '')}`];
}
