import { csvDecimal, toCsv } from '../csv.js';
import { formatMinorPlain, fractionDigitsOf } from '../money.js';

/*
 * The results of a payment run as CSV, one line per row of the uploaded file, for the person's
 * records and reconciliation. Every text cell is quoted and any that a spreadsheet would run as a
 * formula is defused (common/csv.ts): the memo, name and reference came from a file, and an
 * error message from the relay, so none of them is trusted. The line and the amount are bare
 * numbers; the amount is the exact decimal in major units ("1234.50"), never a float.
 */

export type RunRowStatus = 'posted' | 'failed' | 'in_doubt' | 'excluded' | 'pending';

export interface RunResultRow {
  line: number;
  account: string;
  /** Minor units. */
  amount: number;
  memo?: string;
  name?: string;
  reference?: string;
  transferId: string;
  status: RunRowStatus;
  error?: { code: string; message: string };
}

export const RUN_RESULTS_HEADER = [
  'line',
  'account',
  'name',
  'reference',
  'amount',
  'memo',
  'transferId',
  'status',
  'error_code',
  'error_message',
] as const;

export function runResultsCsv(rows: readonly RunResultRow[], currency: string): string {
  const digits = fractionDigitsOf(currency);
  return toCsv(
    RUN_RESULTS_HEADER,
    rows.map((r) => [
      r.line,
      r.account,
      r.name,
      r.reference,
      csvDecimal(formatMinorPlain(r.amount, digits)),
      r.memo,
      r.transferId,
      r.status,
      r.error?.code,
      r.error?.message,
    ]),
    { quoteText: true },
  );
}
