import { openingTransferId, type LegacyHistoryItem } from '../../record.js';
import type { LegacyCommandContext } from './context.js';

/**
 * What the import left on an account for the old client's views: the old history (the old
 * system's own rows, shown after the account's new ones) and the id of the import's opening
 * deposit, which the old client never showed (its balance came with the file; the history there
 * is the old one, continued), so the gateway leaves it out of the tables. bankrelay/1 shows both.
 */
export interface ImportedView {
  /** The opening deposit's transfer id (the import's, for this old account number). */
  openingId: string;
  /** Newest first; empty for an account the gateway's CreateNewUser numbered. */
  history: readonly LegacyHistoryItem[];
}

/**
 * The imported view of `account`, held by `owner`: only the account the import opened (the
 * user's first) has one. Read from the user's record, after the command's op has checked that the
 * caller may see the account.
 */
export async function importedView(ctx: LegacyCommandContext, owner: string, account: string): Promise<ImportedView | undefined> {
  const user = await ctx.relay.users.get(owner);
  const legacyAccount = user?.legacy?.account;
  if (!user || legacyAccount === undefined) return undefined;
  const [first] = await ctx.relay.ledger.accountStatesOf(owner);
  if (first?.account !== account) return undefined;
  return { openingId: openingTransferId(legacyAccount), history: user.legacy!.history };
}

/** The old table's Transaction Id: the old one, or empty where the old file had none (as the old server printed it). */
export function legacyRowId(item: LegacyHistoryItem): string {
  return item.generated ? '' : item.id;
}
