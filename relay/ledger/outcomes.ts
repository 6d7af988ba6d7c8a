import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { AuditDraft } from '../audit/chain.js';
import type { AccountState, TransferRecord } from './types.js';

/**
 * What a ledger change records and answers, the same on either store (ledger.ts for LevelDB,
 * postgres/ledger-batch.ts for PostgreSQL), so both audit chains and both answers read alike.
 */

/** The customer's side of a movement: the payee for a deposit, the payer otherwise. */
export function balanceFor(t: TransferRecord): number {
  return t.kind === 'deposit' ? t.toBalanceAfter : t.fromBalanceAfter;
}

/** The audit entry of a posted movement: who asked (`by`), and what moved. */
export function postedAudit(by: Omit<AuditDraft, 'target' | 'outcome' | 'details'>, t: TransferRecord): AuditDraft {
  return { ...by, target: t.id, outcome: 'posted', details: { from: t.from, to: t.to, amount: t.amount } };
}

/** The audit entry of an account opened for `owner`, by whoever the change's first entry names. */
export function openedAudit(account: AccountState, owner: string, audit: readonly AuditDraft[]): AuditDraft {
  return { actor: audit[0]?.actor ?? 'system', role: audit[0]?.role ?? 'system', action: 'ledger.open', target: account.account, outcome: 'ok', details: { owner } };
}

/** The audit entry of the bank's own account, opened once on the first start. */
export const CASH_OPENED_AUDIT: AuditDraft = { actor: 'system', role: 'system', action: 'ledger.open', target: CASH_ACCOUNT, outcome: 'ok', details: { kind: 'cash' } };
