/*
 * CSV writing (RFC 4180: CRLF line ends, fields with a comma, quote or line break are quoted and
 * their quotes doubled) that is also safe to open in a spreadsheet. Fields with a semicolon are
 * quoted too: a spreadsheet in a locale whose list separator is ";" splits an unquoted one there,
 * and the part after it could start a formula. A text cell starting with = + - @ (or a tab /
 * carriage return) would be run as a formula, so it gets a leading apostrophe. Plain numbers such
 * as "-12.34" are data, not formulas, and stay as they are.
 *
 * Shared by the options page's exports and the payment-run results (common/payments), so both
 * defuse the same way.
 */

/**
 * An exact decimal written as a bare number, never quoted, even where every text cell is quoted:
 * an amount like "90071992547409.91" has no exact JavaScript number, so it travels as text.
 */
export interface CsvDecimal {
  readonly decimal: string;
}

export type CsvValue = string | number | CsvDecimal | null | undefined;

export interface CsvOptions {
  /**
   * Quote every text cell, not only those that need it, so a reader that guesses types (or splits
   * on another separator) keeps each text whole; numbers and `CsvDecimal`s stay bare.
   */
  quoteText?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;
const NEEDS_QUOTES = /[",;\r\n]/;

/** Marks an exact decimal string ("-12.34", "7") as a number cell; anything else is a bug. */
export function csvDecimal(text: string): CsvDecimal {
  if (!PLAIN_NUMBER.test(text)) throw new RangeError(`not a plain decimal: ${JSON.stringify(text)}`);
  return { decimal: text };
}

export function csvCell(value: CsvValue, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return value.decimal;
  const text = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return options.quoteText || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The header is ours (fixed column names), so it is written as needed even with `quoteText`:
 * readers match it as plain words.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[], options: CsvOptions = {}): string {
  const lines = [header.map((name) => csvCell(name)).join(',')];
  for (const row of rows) lines.push(row.map((value) => csvCell(value, options)).join(','));
  return lines.join('\r\n') + '\r\n';
}
