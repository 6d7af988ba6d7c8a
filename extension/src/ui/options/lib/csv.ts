import type { Entry, Transfer } from '../../../../../common/schemas/models.js';
import { formatMinorDecimal } from './format.js';

/*
 * CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break are quoted and their
 * quotes doubled) that is also safe to open in a spreadsheet. Fields with a semicolon are quoted
 * too: a spreadsheet in a locale whose list separator is ";" splits an unquoted one there, and
 * the part after it could start a formula. A text cell starting with
 * = + - @ (or a tab / carriage return) would be run as a formula, so it gets a leading
 * apostrophe. Plain numbers such as "-12.34" are data, not formulas, and stay as they are.
 */

export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;
const NEEDS_QUOTES = /[",;\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export const STATEMENT_HEADER = ['date', 'transferId', 'amount', 'counterparty', 'memo', 'balanceAfter'] as const;

/** A statement: one line per entry, amounts signed (negative = money out) as exact decimals. */
export function statementCsv(entries: readonly Entry[], currency: string): string {
  return toCsv(
    STATEMENT_HEADER,
    entries.map((e) => [
      e.ts,
      e.transferId,
      formatMinorDecimal(e.amount, currency),
      e.counterparty,
      e.memo ?? '',
      formatMinorDecimal(e.balanceAfter, currency),
    ]),
  );
}

export const TRANSFERS_HEADER = ['date', 'transferId', 'from', 'to', 'amount', 'memo'] as const;

export function transfersCsv(transfers: readonly Transfer[], currency: string): string {
  return toCsv(
    TRANSFERS_HEADER,
    transfers.map((t) => [t.ts, t.id, t.from, t.to, formatMinorDecimal(t.amount, currency), t.memo ?? '']),
  );
}
