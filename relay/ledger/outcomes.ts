import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { AuditEntry } from '../../common/schemas/models.js';
import type { AuditDraft } from '../audit/chain.js';
import type { AuditBy } from './commands.js';
import type { AccountState, TransferRecord } from './types.js';

/**
 * What a ledger change records and answers, the same on either store, so both audit chains and
 * both answers read alike; and how `ledger verify` reads the postings back out of the audit log.
 */

/** The customer's side of a movement: the payee for a deposit, the payer otherwise. */
export function balanceFor(t: TransferRecord): number {
  return t.kind === 'deposit' ? t.toBalanceAfter : t.fromBalanceAfter;
}

/** The audit entry of a posted movement: who asked (`by`), and what moved. */
export function postedAudit(by: AuditBy, t: TransferRecord): AuditDraft {
  return { actor: by.actor, role: by.role, action: by.action, target: t.id, outcome: 'posted', details: { from: t.from, to: t.to, amount: t.amount } };
}

/** What one `transfer.batch` did, item by item, for its single audit entry. */
export interface BatchAuditFacts {
  runId?: string;
  atomic: boolean;
  items: number;
  posted: readonly TransferRecord[];
  /** Items refused: their id and code (an atomic batch that failed lists only the failing one). */
  failed: readonly (readonly [string, string])[];
  replayed: number;
}

/**
 * The one audit entry of a `transfer.batch`: every posted item as `[id, from, to, amount]`, in the
 * ledger's order, so `ledger verify` matches each to its transfer; refused items by id and code.
 */
export function batchAudit(by: AuditBy, f: BatchAuditFacts): AuditDraft {
  const outcome = f.failed.length === 0 ? 'posted' : f.atomic ? 'aborted' : f.posted.length > 0 ? 'partial' : 'refused';
  return {
    ...by,
    ...(f.runId !== undefined && { target: f.runId }),
    outcome,
    details: {
      items: f.items,
      atomic: f.atomic,
      posted: f.posted.map((t) => [t.id, t.from, t.to, t.amount]),
      ...(f.failed.length > 0 && { failed: f.failed.map(([id, code]) => [id, code]) }),
      ...(f.replayed > 0 && { replayed: f.replayed }),
    },
  };
}

/** The audit entry of an account opened for `owner`, by whoever the change's first entry names. */
export function openedAudit(account: AccountState, owner: string, audit: readonly AuditDraft[]): AuditDraft {
  return { actor: audit[0]?.actor ?? 'system', role: audit[0]?.role ?? 'system', action: 'ledger.open', target: account.account, outcome: 'ok', details: { owner } };
}

/** The audit entry of the bank's own account, opened once on the first start. */
export const CASH_OPENED_AUDIT: AuditDraft = { actor: 'system', role: 'system', action: 'ledger.open', target: CASH_ACCOUNT, outcome: 'ok', details: { kind: 'cash' } };

/** A movement as its audit entry records it. */
export interface Posting {
  id: string;
  from: string;
  to: string;
  amount: number;
}

/**
 * The movements an audit entry says were posted, in order: one for a `posted` entry, every item
 * of a batch's `posted` list, none for any other entry. A posting entry that does not say what
 * moved is a problem in words.
 */
export function postingsOf(entry: AuditEntry): Posting[] | string {
  const d = entry.details;
  if (d !== undefined && Array.isArray(d.posted)) {
    const out: Posting[] = [];
    for (const item of d.posted as unknown[]) {
      if (!Array.isArray(item) || item.length !== 4) return `audit seq ${entry.seq}: a posted item is not [id, from, to, amount]`;
      const [id, from, to, amount] = item as unknown[];
      if (typeof id !== 'string' || typeof from !== 'string' || typeof to !== 'string' || typeof amount !== 'number') {
        return `audit seq ${entry.seq}: a posted item is not [id, from, to, amount]`;
      }
      out.push({ id, from, to, amount });
    }
    return out;
  }
  if (entry.outcome !== 'posted') return [];
  const { from, to, amount } = (d ?? {}) as { from?: unknown; to?: unknown; amount?: unknown };
  if (typeof entry.target !== 'string' || typeof from !== 'string' || typeof to !== 'string' || typeof amount !== 'number') {
    return `audit seq ${entry.seq}: a posted entry that does not say what moved`;
  }
  return [{ id: entry.target, from, to, amount }];
}
