import { isValidAccountNumber, normalizeAccountNumber } from '../account-number.js';
import { readAmount } from '../money.js';
import { RUN_ROWS_MAX } from '../schemas/models.js';
import { memoSchema } from '../schemas/primitives.js';
import { type DecimalMark, detectDecimalMark, readAmountCell } from './amounts.js';
import { POSITIONAL_COLUMNS, columnNamed, detectDelimiter, looksLikeHeader, meaningfulCells } from './layout.js';
import type { Column, FileProblem, RowProblem } from './problems.js';
import { type CsvRecord, type Delimiter, isBlankRecord, normalizeText, readRecords } from './records.js';

/*
 * A payment file (payroll, suppliers; an administrator's deposits or withdrawals) read into rows
 * and checked, without ever throwing on what the file holds: every row says what is wrong with it
 * at its line, and what is wrong with the whole file is said once.
 *
 * Accepted: columns account, amount, memo, name, reference; with a header row naming them in any
 * order (see layout.ts for the names), or without one in that order. Separated by commas,
 * semicolons or tabs (see detectDelimiter), quoted per RFC 4180 (doubled quotes, separators and
 * line breaks inside quotes), UTF-8 with or without a byte order mark, CRLF, LF or CR line ends,
 * blank lines and trailing empty columns ignored. Amounts with a decimal point or a decimal comma,
 * decided once per file (see detectDecimalMark).
 */

export type { Column, FileProblem, PaymentProblem, RowProblem } from './problems.js';
export { describeProblem } from './problems.js';
export type { Delimiter } from './records.js';
export type { DecimalMark } from './amounts.js';

export interface PaymentRow {
  /** 1-based line in the file where the row starts (a quoted line break makes a row span lines). */
  line: number;
  /** Normalized (no spaces, upper case); as written but normalized when invalid; '' if missing. */
  account: string;
  /** Minor units; null when the amount is missing or wrong. */
  amount: number | null;
  memo?: string;
  name?: string;
  reference?: string;
  /** Empty for a row that can be paid. */
  problems: RowProblem[];
  /**
   * The line of an earlier valid row this one repeats: the same account and amount, or the same
   * reference. A warning the person may accept (two equal salaries exist), not a problem.
   */
  duplicateOf?: number;
}

export interface PaymentFile {
  /** Empty when `problems` is not: a file-level problem must be fixed before rows mean anything. */
  rows: PaymentRow[];
  problems: FileProblem[];
  delimiter: Delimiter;
  decimal: DecimalMark;
  header: boolean;
  /** The columns in file order: the header's, or the positional ones the widest row reaches. */
  columns: Column[];
}

export interface ParseOptions {
  /** The currency's decimals (common/money.ts fractionDigitsOf); 2 by default. */
  fractionDigits?: number;
  /** RUN_ROWS_MAX by default. */
  maxRows?: number;
}

/** Longest cell excerpt a problem carries: enough to find the cell, never a whole pasted document. */
const VALUE_MAX = 40;

function excerpt(cell: string): string {
  const chars = [...cell.trim()];
  return chars.length <= VALUE_MAX ? chars.join('') : chars.slice(0, VALUE_MAX - 1).join('') + '…';
}

export function parsePaymentFile(text: string, options: ParseOptions = {}): PaymentFile {
  const fractionDigits = options.fractionDigits ?? 2;
  // money.ts checks fractionDigits: a wrong one is the caller's bug and throws there, up front.
  readAmount('0', fractionDigits);
  const maxRows = options.maxRows ?? RUN_ROWS_MAX;
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);

  const source = normalizeText(text);
  const refused = (problems: FileProblem[], layout: Pick<PaymentFile, 'delimiter'> & Partial<PaymentFile>): PaymentFile => ({
    rows: [],
    problems,
    decimal: '.',
    header: false,
    columns: [],
    ...layout,
  });
  if (source.includes('\0')) return refused([{ code: 'not_text' }], { delimiter: ',' });

  const delimiter = detectDelimiter(source);
  // Kept up to one past the limit (and a header); beyond that only counted, so a huge file costs
  // no memory for rows nobody will see.
  const records: CsvRecord[] = [];
  let count = 0;
  readRecords(source, delimiter, (record) => {
    if (isBlankRecord(record)) return;
    count++;
    if (records.length <= maxRows + 1) records.push(record);
  });

  const first = records[0];
  const header = first !== undefined && first.quote === undefined && looksLikeHeader(meaningfulCells(first.cells));
  const data = header ? records.slice(1) : records;
  const dataCount = header ? count - 1 : count;

  let columns: Column[];
  if (header) {
    const read = readHeader(meaningfulCells(first.cells));
    if (read.problems.length > 0) return refused(read.problems, { delimiter, header, columns: read.columns });
    columns = read.columns;
  } else {
    const widest = data.reduce((n, r) => Math.max(n, meaningfulCells(r.cells).length), 0);
    columns = POSITIONAL_COLUMNS.slice(0, Math.min(POSITIONAL_COLUMNS.length, Math.max(2, widest)));
  }
  if (dataCount === 0) return refused([{ code: 'empty' }], { delimiter, header, columns });
  if (dataCount > maxRows) return refused([{ code: 'too_many_rows', rows: dataCount, max: maxRows }], { delimiter, header, columns });

  // Without a header a row may hold any of the five positional columns, whatever the widest row.
  const order = header ? columns : POSITIONAL_COLUMNS;
  const amountAt = order.indexOf('amount');
  const decimal = detectDecimalMark(data.flatMap((r) => (r.quote === undefined && r.cells[amountAt] !== undefined ? [r.cells[amountAt]] : [])));
  const reader: RowReader = { order, delimiter, decimal, fractionDigits };
  const rows = data.map((record) => readRow(record, reader));
  markDuplicates(rows);
  return { rows, problems: [], delimiter, decimal, header, columns };
}

function readHeader(cells: readonly string[]): { columns: Column[]; problems: FileProblem[] } {
  const columns: Column[] = [];
  const problems: FileProblem[] = [];
  for (const cell of cells) {
    const column = columnNamed(cell);
    if (column === undefined) problems.push({ code: 'unknown_column', name: excerpt(cell) });
    else if (columns.includes(column)) problems.push({ code: 'duplicate_column', column });
    else columns.push(column);
  }
  if (!columns.includes('account')) problems.push({ code: 'no_account_column' });
  if (!columns.includes('amount')) problems.push({ code: 'no_amount_column' });
  return { columns, problems };
}

interface RowReader {
  /** Which column each cell position holds. */
  order: readonly Column[];
  delimiter: Delimiter;
  decimal: DecimalMark;
  fractionDigits: number;
}

function readRow(record: CsvRecord, read: RowReader): PaymentRow {
  const row: PaymentRow = { line: record.line, account: '', amount: null, problems: [] };
  if (record.quote !== undefined) {
    row.problems.push({ code: record.quote === 'unclosed' ? 'unclosed_quote' : 'malformed_quote' });
    return row;
  }
  const cells = meaningfulCells(record.cells);
  const cell = (column: Column): string => {
    const at = read.order.indexOf(column);
    return at === -1 ? '' : (cells[at] ?? '').trim();
  };

  const split = splitAmount(cells, read);
  // A split amount explains one cell too many; that row is refused for its amount alone.
  if (cells.length > read.order.length + (split ? 1 : 0)) {
    row.problems.push({ code: 'too_many_columns', count: cells.length, max: read.order.length });
  }

  const account = cell('account');
  if (account === '') row.problems.push({ code: 'account_missing' });
  else {
    row.account = normalizeAccountNumber(account);
    if (!isValidAccountNumber(row.account)) row.problems.push({ code: 'account_invalid', value: excerpt(account) });
  }

  const amount = cell('amount');
  const amountProblem = split ? { code: 'amount_split' as const, value: split } : checkAmount(amount, read, row);
  if (amountProblem) row.problems.push(amountProblem);

  for (const column of ['memo', 'name', 'reference'] as const) {
    const text = readText(column, cell(column));
    if (typeof text === 'string') row[column] = text;
    else if (text) row.problems.push(text);
  }
  return row;
}

/**
 * "12,50" or "1,250" written unquoted in a comma-separated file arrives as "12" and a cell of 1 to
 * 3 digits after it. Reading "12" would pay a wrong sum, so the row is refused instead: the joined
 * text, or undefined when the cells do not look split.
 */
function splitAmount(cells: readonly string[], read: RowReader): string | undefined {
  if (read.delimiter !== ',') return undefined;
  const at = read.order.indexOf('amount');
  const whole = cells[at]?.trim() ?? '';
  const tail = cells[at + 1]?.trim() ?? '';
  return /^\d+$/.test(whole) && /^\d{1,3}$/.test(tail) ? `${whole},${tail}` : undefined;
}

function checkAmount(cell: string, read: RowReader, row: PaymentRow): RowProblem | undefined {
  if (cell === '') return { code: 'amount_missing' };
  const value = excerpt(cell);
  const reading = readAmountCell(cell, read.decimal, read.fractionDigits);
  if (reading.ok) {
    if (reading.minor === 0) return { code: 'amount_not_positive', value };
    row.amount = reading.minor;
    return undefined;
  }
  switch (reading.problem.kind) {
    case 'empty':
      return { code: 'amount_missing' };
    case 'negative':
      return { code: 'amount_not_positive', value };
    case 'no-fraction':
    case 'too-many-fraction-digits':
      return { code: 'amount_precision', value, digits: read.fractionDigits };
    case 'too-large':
      return { code: 'amount_too_large', value };
    case 'signed':
    case 'exponent':
    case 'not-an-amount':
      return { code: 'amount_invalid', value };
  }
}

const TEXT_PROBLEMS = {
  memo: { tooLong: 'memo_too_long', unsafe: 'memo_unsafe' },
  name: { tooLong: 'name_too_long', unsafe: 'name_unsafe' },
  reference: { tooLong: 'reference_too_long', unsafe: 'reference_unsafe' },
} as const;

/**
 * Memo, name and reference, by memoSchema's rule (NFC, trimmed, at most 140 characters, nothing
 * invisible): the text, undefined when empty, or what is wrong. A line break inside a quoted cell
 * (Alt+Enter in a spreadsheet) becomes a space: the ledger keeps such texts on one line, and a
 * person means one line.
 */
function readText(column: 'memo' | 'name' | 'reference', cell: string): string | RowProblem | undefined {
  const text = cell.replace(/\s*\n\s*/g, ' ');
  if (text === '') return undefined;
  const parsed = memoSchema.safeParse(text);
  if (parsed.success) return parsed.data === '' ? undefined : parsed.data;
  // Whether the schema refused the length or the characters: the same length in plain letters tells.
  const length = [...text.normalize('NFC').trim()].length;
  const tooLong = !memoSchema.safeParse('a'.repeat(length)).success;
  return tooLong ? { code: TEXT_PROBLEMS[column].tooLong, length } : { code: TEXT_PROBLEMS[column].unsafe };
}

/** Marks each valid row that repeats an earlier valid row's account and amount, or its reference. */
function markDuplicates(rows: PaymentRow[]): void {
  const payments = new Map<string, number>();
  const references = new Map<string, number>();
  for (const row of rows) {
    if (row.problems.length > 0 || row.amount === null) continue;
    const payment = `${row.account} ${row.amount}`;
    const earlier = [payments.get(payment), row.reference === undefined ? undefined : references.get(row.reference)].filter(
      (line): line is number => line !== undefined,
    );
    if (earlier.length > 0) row.duplicateOf = Math.min(...earlier);
    if (!payments.has(payment)) payments.set(payment, row.line);
    if (row.reference !== undefined && !references.has(row.reference)) references.set(row.reference, row.line);
  }
}
