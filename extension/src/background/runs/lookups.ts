import { LOOKUP_MANY_MAX, type LookupItemResult } from '../../../../common/schemas/ops.js';
import type { PreviewLookups, UiResponse } from '../../shared/api.js';
import type { RelayCall } from './runner.js';

/*
 * The preview's payee check: the file's accounts looked up on the relay with
 * `account.lookupMany`, a thousand at a time, each distinct account once (the relay's daily
 * budget counts distinct accounts, and the file may name one payee on many rows).
 */

/** Distinct accounts in first-seen order, in calls of at most `max`. */
export function lookupChunks(accounts: readonly string[], max: number = LOOKUP_MANY_MAX): string[][] {
  const distinct = [...new Set(accounts)];
  const chunks: string[][] = [];
  for (let i = 0; i < distinct.length; i += max) chunks.push(distinct.slice(i, i + max));
  return chunks;
}

/** Looks every account up; the first refused call ends it with the relay's error. */
export async function lookupAccounts(call: RelayCall, accounts: readonly string[], max: number = LOOKUP_MANY_MAX): Promise<UiResponse<PreviewLookups>> {
  const results: LookupItemResult[] = [];
  let remaining = 0;
  for (const chunk of lookupChunks(accounts, max)) {
    const r = await call('account.lookupMany', { accounts: chunk });
    if (!r.ok) return r;
    const answer = r.result as { results: LookupItemResult[]; remaining: number };
    results.push(...answer.results);
    remaining = answer.remaining;
  }
  return { ok: true, result: { results, remaining } };
}
