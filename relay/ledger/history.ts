import { BankError } from '../../common/errors.js';
import type { Entry } from '../../common/schemas/models.js';
import type { BankStore } from '../store/bank-store.js';

/**
 * A page of an account's entries, newest first. The cursor is the entry number to read
 * below, so pages stay exact while new entries arrive on top.
 */
export async function historyPage(bank: BankStore, account: string, limit: number, before: string | undefined): Promise<{ entries: Entry[]; next?: string }> {
  let below: number | undefined;
  if (before !== undefined) {
    if (!/^\d{1,12}$/.test(before)) throw new BankError('BAD_REQUEST', 'before: not a cursor this relay gave out');
    below = Number(before);
  }
  const entries: Entry[] = [];
  let lastN = 0;
  for await (const [n, entry] of bank.entriesOf(account, below)) {
    if (entries.length === limit) return { entries, next: String(lastN) };
    entries.push(entry);
    lastN = n;
  }
  return { entries };
}
