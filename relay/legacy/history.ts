import { BankError } from '../../common/errors.js';
import type { Entry, LegacyEntry } from '../../common/schemas/models.js';
import type { LegacyRecord } from './record.js';

/**
 * `account.history` with the imported history (`legacy: true`): the account's own entries first,
 * newest first, then the old system's, newest first (so the oldest imported entry comes last).
 * One cursor runs over both: the ledger's own cursors (an entry number) until they run out, then
 * `legacy:<i>`, the place in the imported list where the next page starts (`legacy:0`, the
 * newest imported entry, lets a client read the imported history alone).
 */

const LEGACY_CURSOR = /^legacy:(\d{1,6})$/;

/** The wire's entry for an imported one. */
export function toLegacyEntry(item: LegacyRecord['history'][number], legacyAccount: string): LegacyEntry {
  return { kind: 'legacy', legacyId: item.id, date: item.date, ts: `${item.date}T00:00:00.000Z`, amount: item.amount, legacyAccount };
}

/** Whether a cursor points into the imported entries (then the ledger's own are all read). */
export function legacyCursorStart(before: string | undefined): number | undefined {
  if (before === undefined) return undefined;
  const m = LEGACY_CURSOR.exec(before);
  return m ? Number(m[1]) : undefined;
}

export type OwnPage = (limit: number, before: string | undefined) => Promise<{ entries: Entry[]; next?: string }>;

/**
 * A page of the account's own entries (from `ownPage`), topped up with imported ones once the
 * own entries end (in `legacyEntries`, so `entries` keeps its one shape for every client).
 * `legacy` is the account's imported history, newest first (empty for accounts not imported).
 */
export async function historyWithLegacy(
  ownPage: OwnPage,
  legacy: readonly LegacyEntry[],
  limit: number,
  before: string | undefined,
): Promise<{ entries: Entry[]; legacyEntries: LegacyEntry[]; next?: string }> {
  let start = legacyCursorStart(before);
  let entries: Entry[] = [];
  if (start === undefined) {
    const own = await ownPage(limit, before);
    if (own.next !== undefined) return { entries: own.entries, legacyEntries: [], next: own.next };
    entries = own.entries;
    start = 0;
  } else if (start > legacy.length) {
    throw new BankError('BAD_REQUEST', 'before: not a cursor this relay gave out');
  }
  const legacyEntries = legacy.slice(start, start + limit - entries.length);
  const end = start + legacyEntries.length;
  return end < legacy.length ? { entries, legacyEntries, next: `legacy:${end}` } : { entries, legacyEntries };
}
