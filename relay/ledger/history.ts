import { BankError } from '../../common/errors.js';
import type { Entry } from '../../common/schemas/models.js';
import { entryKey } from '../store/db.js';
import type { BankStore } from '../store/bank-store.js';

/**
 * A page of an account's entries, newest first. The cursor is the entry number to read
 * below, so pages stay exact while new entries arrive on top.
 */
export async function historyPage(bank: BankStore, account: string, limit: number, before: string | undefined): Promise<{ entries: Entry[]; next?: string }> {
  let upper: number | undefined;
  if (before !== undefined) {
    if (!/^\d{1,12}$/.test(before)) throw new BankError('BAD_REQUEST', 'before: not a cursor this relay gave out');
    upper = Number(before);
  }
  const entries: Entry[] = [];
  let lastN = 0;
  const range = { gt: entryKey(account, 0), lt: upper === undefined ? `${account}!~` : entryKey(account, upper), reverse: true, limit: limit + 1 };
  for await (const [key, value] of bank.entries.iterator(range)) {
    if (entries.length === limit) return { entries, next: String(lastN) };
    entries.push(value as Entry);
    lastN = Number(key.slice(key.indexOf('!') + 1));
  }
  return { entries };
}
