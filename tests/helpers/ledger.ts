import { expect } from 'vitest';
import type { BankClient, RawResponse } from '../../common/client/bank-client.js';
import type { Entry, Transfer, User } from '../../common/schemas/models.js';

/**
 * Reading the ledger back through the protocol, page by page: the tests compare what they
 * were told (acknowledged transfers) with what the relay has.
 */

/** Every entry of the signed-in customer's account (or `account`), newest first, via `before`/`next`. */
export async function fullHistory(client: BankClient, account?: string, limit = 500): Promise<Entry[]> {
  const entries: Entry[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await client.request('account.history', { limit, ...(account !== undefined && { account }), ...(before !== undefined && { before }) });
    entries.push(...page.entries);
    if (page.next === undefined) return entries;
    if (page.entries.length === 0) throw new Error('account.history gave a cursor with an empty page');
    before = page.next;
  }
}

/** Every transfer the relay lists (of one account, or all), newest first, via `cursor`/`next`. */
export async function allTransfers(admin: BankClient, account?: string, limit = 500): Promise<Transfer[]> {
  const transfers: Transfer[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await admin.request('admin.transfer.list', { limit, ...(account !== undefined && { account }), ...(cursor !== undefined && { cursor }) });
    transfers.push(...page.transfers);
    if (page.next === undefined) return transfers;
    if (page.transfers.length === 0) throw new Error('admin.transfer.list gave a cursor with an empty page');
    cursor = page.next;
  }
}

/** Every user, via `cursor`/`next`. */
export async function allUsers(admin: BankClient): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await admin.request('admin.user.list', { limit: 100, ...(cursor !== undefined && { cursor }) });
    users.push(...page.users);
    if (page.next === undefined) return users;
    cursor = page.next;
  }
}

/** Balance of every customer account, by account number, as admin.user.list reports it. */
export async function balancesByAccount(admin: BankClient): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const u of await allUsers(admin)) for (const a of u.accounts) out.set(a.account, a.balance);
  return out;
}

/**
 * Checks that a newest-first run of entries is one unbroken chain: each entry's balance before
 * it (balanceAfter − amount) is the next older entry's balanceAfter, and, when `complete`, the
 * oldest entry starts from 0. A duplicate or a missing entry breaks the chain. Returns the
 * problems found (empty when exact).
 */
export function chainProblems(entries: readonly Entry[], complete: boolean): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (seen.has(e.transferId)) problems.push(`transfer ${e.transferId} appears twice`);
    seen.add(e.transferId);
    const older = entries[i + 1];
    if (older && e.balanceAfter - e.amount !== older.balanceAfter) {
      problems.push(`entry ${i} (${e.transferId}) starts from ${e.balanceAfter - e.amount} but the next older one ends at ${older.balanceAfter}`);
    }
  }
  const oldest = entries[entries.length - 1];
  if (complete && oldest && oldest.balanceAfter - oldest.amount !== 0) problems.push(`the oldest entry starts from ${oldest.balanceAfter - oldest.amount}, not 0`);
  return problems;
}


/** mulberry32: a tiny seeded PRNG, so the shape of a random load is the same on every run. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [lo, hi]. */
    int: (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number): boolean => next() < p,
  };
}

/**
 * The answers to copies of one transfer (one id, same arguments) sent at once: every copy was
 * answered ok, with the same transfer and the same balance (the original result, replayed).
 */
export function expectSameAnswers(responses: readonly RawResponse[]): void {
  const first = responses[0];
  expect(first?.ok, JSON.stringify(first)).toBe(true);
  for (const r of responses) expect(r).toEqual({ ...first, id: r.id });
}

/**
 * A transfer the bank already holds, sent again by its payer: answered with the original
 * transfer and no money moved; the same id with another amount is a CONFLICT.
 */
export async function expectReplayed(payer: BankClient, original: Transfer): Promise<void> {
  const before = (await payer.request('account.balance', {})).balance;
  const again = await payer.request('transfer.create', { transferId: original.id, to: original.to, amount: original.amount, ...(original.memo !== undefined && { memo: original.memo }) });
  expect(again.transfer).toEqual(original);
  expect((await payer.request('account.balance', {})).balance).toBe(before);
  await expect(payer.request('transfer.create', { transferId: original.id, to: original.to, amount: original.amount + 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
}
