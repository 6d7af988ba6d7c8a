import type { Entry, LegacyEntry, Transfer } from '../../../../../common/schemas/models.js';
import { toCsv } from '../../../../../common/csv.js';
import { formatMinorDecimal } from './format.js';

// The CSV writer itself (quoting, formula defusing) is shared with the payment runs: common/csv.ts.

export const STATEMENT_HEADER = ['date', 'transferId', 'amount', 'counterparty', 'memo', 'balanceAfter'] as const;

/**
 * A statement: one line per entry, amounts signed (negative = money out) as exact decimals.
 * Entries imported from the old bank (`imported`, oldest first) come first, as they are older:
 * no transferId, counterparty or balance after, and a memo that says where they come from.
 */
export function statementCsv(entries: readonly Entry[], currency: string, imported: readonly LegacyEntry[] = []): string {
  return toCsv(STATEMENT_HEADER, [
    ...imported.map((e) => [e.date, '', formatMinorDecimal(e.amount, currency), '', `Imported from the old bank: ${e.legacyAccount} transaction ${e.legacyId}`, '']),
    ...entries.map((e) => [
      e.ts,
      e.transferId,
      formatMinorDecimal(e.amount, currency),
      e.counterparty,
      e.memo ?? '',
      formatMinorDecimal(e.balanceAfter, currency),
    ]),
  ]);
}

export const TRANSFERS_HEADER = ['date', 'transferId', 'from', 'to', 'amount', 'memo'] as const;

export function transfersCsv(transfers: readonly Transfer[], currency: string): string {
  return toCsv(
    TRANSFERS_HEADER,
    transfers.map((t) => [t.ts, t.id, t.from, t.to, formatMinorDecimal(t.amount, currency), t.memo ?? '']),
  );
}
