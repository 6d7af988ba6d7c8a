import { normalizeAccountNumber } from '../account-number.js';
import type { Column } from './problems.js';
import { type CsvRecord, type Delimiter, isBlankRecord, readRecords } from './records.js';

/*
 * How a payment file is laid out: its separator and whether its first line names the columns.
 * Both are decided once per file, from what its first lines hold, never guessed per row.
 */

/** The columns of a file without a header, in this order. */
export const POSITIONAL_COLUMNS: readonly Column[] = ['account', 'amount', 'memo', 'name', 'reference'];

/**
 * Header names, compared after trimming, lower-casing and turning runs of spaces, "_", "-" and
 * "." into one space ("Account_Number", "account no." both match). Kept to what payroll and
 * banking exports commonly write; anything else is an unknown column, so a misnamed amount
 * column is reported rather than silently ignored.
 */
const COLUMN_NAMES = new Map<string, Column>([
  ['account', 'account'],
  ['account number', 'account'],
  ['account no', 'account'],
  ['iban', 'account'],
  ['payee account', 'account'],
  ['amount', 'amount'],
  ['memo', 'memo'],
  ['description', 'memo'],
  ['name', 'name'],
  ['payee', 'name'],
  ['payee name', 'name'],
  ['beneficiary', 'name'],
  ['reference', 'reference'],
  ['ref', 'reference'],
  ['payment reference', 'reference'],
]);

export function columnNamed(cell: string): Column | undefined {
  return COLUMN_NAMES.get(cell.trim().toLowerCase().replace(/[\s_.-]+/g, ' ').trim());
}

/**
 * The shape of an account number, check digits not checked (a typo still marks a data row):
 * two letters, two digits, then letters or digits, single spaces allowed between them as people
 * write them. Tabs, commas and semicolons are not allowed, which is what tells separators apart.
 */
export function isAccountShaped(cell: string): boolean {
  const s = cell.trim();
  return /^[A-Za-z0-9]+(?: [A-Za-z0-9]+)*$/.test(s) && /^[A-Z]{2}\d{2}[A-Z0-9]{4,30}$/.test(normalizeAccountNumber(s));
}

const NUMBER_SHAPED = /^[-−+]?[\d\s.,]*\d[\d\s.,]*$/;

/**
 * A first record is a header when at least one cell names a column and none holds data (an
 * account number or a number). Its other cells are then reported as unknown columns.
 */
export function looksLikeHeader(cells: readonly string[]): boolean {
  return cells.some((c) => columnNamed(c) !== undefined) && !cells.some((c) => isAccountShaped(c) || NUMBER_SHAPED.test(c.trim()));
}

/** The cells up to the last non-empty one: trailing empty columns (";;" at line ends) mean nothing. */
export function meaningfulCells(cells: readonly string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1]!.trim() === '') end--;
  return cells.slice(0, end);
}

/** Candidates in order of preference on a tie: a tab or a semicolon is a deliberate choice, a comma may be a decimal comma. */
const DELIMITERS: readonly Delimiter[] = ['\t', ';', ','];
const SAMPLE_RECORDS = 10;

/**
 * The first records that hold anything, even separators alone: ";;;" is blank as a semicolon
 * file, and only a split that shows its separators can tell.
 */
function sample(text: string, delimiter: Delimiter): CsvRecord[] {
  const records: CsvRecord[] = [];
  readRecords(text, delimiter, (record) => {
    if (!isBlankRecord(record) || record.cells.length > 1) records.push(record);
    return records.length < SAMPLE_RECORDS;
  });
  return records;
}

/**
 * A record's cells, or for one with a quote error its first line split at every separator: a
 * stray quote on each line (`"12.50"x`) must not hide which separator the file uses, or the
 * person would be told about garbled accounts instead of the quotes.
 */
function cellsForLayout(record: CsvRecord, delimiter: Delimiter): string[] {
  return record.quote === undefined ? record.cells : record.text.split(delimiter);
}

/**
 * The separator, from the first ten non-blank records of normalized text, each split (quotes
 * respected) with tab, semicolon and comma in turn:
 *
 * 1. A split "fits" a record when it gives at least two cells and the record is then a header
 *    (see looksLikeHeader) or its first cell is shaped like an account number. The separator that
 *    fits the most records wins. This is what tells "DB…;12,50;Rent, May" (semicolon: the comma
 *    split leaves "DB…;12" as first cell) from "DB…,12.50,Rent; May" (comma).
 * 2. When none fits any record (no header and no account-shaped first cell), the one giving the
 *    most cells, empty ones included, in the first record wins.
 *
 * Ties go to tab, then semicolon, then comma.
 *
 * Not papaparse's own guess: it picks the separator with the steadiest cell count, and a
 * semicolon file with decimal commas and a comma in each memo splits as steadily on commas (it
 * reads "DB…;12,50;Rent, May" as "DB…;12" | "50;Rent" | " May"). Knowing that the first cell is an
 * account, or the line a header, settles it.
 */
export function detectDelimiter(text: string): Delimiter {
  const samples = DELIMITERS.map((delimiter) => ({ delimiter, records: sample(text, delimiter) }));
  let best: Delimiter = ',';
  let bestFits = 0;
  for (const { delimiter, records } of samples) {
    const fits = records.filter((r) => {
      const cells = meaningfulCells(cellsForLayout(r, delimiter));
      return cells.length >= 2 && (looksLikeHeader(cells) || isAccountShaped(cells[0]!));
    }).length;
    if (fits > bestFits) {
      best = delimiter;
      bestFits = fits;
    }
  }
  if (bestFits > 0) return best;
  let mostCells = 0;
  for (const { delimiter, records } of samples) {
    const cells = records[0] ? cellsForLayout(records[0], delimiter).length : 0;
    if (cells > mostCells) {
      best = delimiter;
      mostCells = cells;
    }
  }
  return best;
}
