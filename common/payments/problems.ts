/*
 * What can be wrong with a payment file, as codes with parameters and never as sentences: the
 * extension words each code in the person's language from its own message files, and the CLI,
 * logs and tests use `describeProblem`'s English. A new code needs a case in describeProblem
 * (the compiler insists) and a message in the extension.
 */

/** A column of a payment file. */
export type Column = 'account' | 'amount' | 'memo' | 'name' | 'reference';

/**
 * Wrong with one row, which is reported at its line. `value` is the cell as written (trimmed,
 * cut to 40 characters), so the person can find it.
 */
export type RowProblem =
  | { code: 'account_missing' }
  /** Not an account number of this bank, or a wrong check digit (a typo). */
  | { code: 'account_invalid'; value: string }
  | { code: 'amount_missing' }
  /** Not an amount in the file's notation: letters, a currency sign, an exponent, a misplaced separator. */
  | { code: 'amount_invalid'; value: string }
  /** Zero or negative: a payment moves money to the payee. */
  | { code: 'amount_not_positive'; value: string }
  /** More decimals than the currency has (`digits`: how many it has). */
  | { code: 'amount_precision'; value: string; digits: number }
  | { code: 'amount_too_large'; value: string }
  /**
   * In a comma-separated file, a whole amount followed by a cell of 1 to 3 digits ("12,50" or
   * "1,250" written without quotes): the comma most likely split the amount, and reading "12"
   * would pay the wrong sum. `value` is the two cells joined by the comma.
   */
  | { code: 'amount_split'; value: string }
  /**
   * Memo, name and reference follow the memo's rule (memoSchema): `length` is in characters after
   * NFC and trimming; "unsafe" text has control or invisible formatting characters (bidi
   * overrides, zero-width), which make it show other than it is. One code per column rather than a
   * column parameter, so each translation can be a whole sentence.
   */
  | { code: 'memo_too_long'; length: number }
  | { code: 'memo_unsafe' }
  | { code: 'name_too_long'; length: number }
  | { code: 'name_unsafe' }
  | { code: 'reference_too_long'; length: number }
  | { code: 'reference_unsafe' }
  /** More cells than the file has columns (`max`). */
  | { code: 'too_many_columns'; count: number; max: number }
  /** A quoted field that never closes; the row is read to the end of its line and the next line starts afresh. */
  | { code: 'unclosed_quote' }
  /** A closing quote followed by something other than a separator, e.g. `"abc"d`. */
  | { code: 'malformed_quote' };

/** Wrong with the file as a whole; while there is one, the file has no rows to pay. */
export type FileProblem =
  /** No payment rows: nothing, blank lines only, or a header alone. */
  | { code: 'empty' }
  /** Binary or UTF-16 (it holds NUL characters): not a UTF-8 text file. */
  | { code: 'not_text' }
  | { code: 'too_many_rows'; rows: number; max: number }
  /** A header cell that names no known column (`name` as written, '' for an empty one between others). */
  | { code: 'unknown_column'; name: string }
  | { code: 'duplicate_column'; column: Column }
  | { code: 'no_account_column' }
  | { code: 'no_amount_column' };

export type PaymentProblem = RowProblem | FileProblem;

/** A short English sentence for the CLI, logs and tests; people see the extension's own wording. */
export function describeProblem(p: PaymentProblem): string {
  switch (p.code) {
    case 'account_missing':
      return 'the account number is missing';
    case 'account_invalid':
      return `"${p.value}" is not a valid account number (wrong format or check digits)`;
    case 'amount_missing':
      return 'the amount is missing';
    case 'amount_invalid':
      return `"${p.value}" is not an amount`;
    case 'amount_not_positive':
      return `the amount "${p.value}" must be greater than zero`;
    case 'amount_precision':
      return p.digits === 0
        ? `the amount "${p.value}" must be a whole number`
        : `the amount "${p.value}" has more than ${p.digits} decimal digits`;
    case 'amount_too_large':
      return `the amount "${p.value}" is too large`;
    case 'amount_split':
      return `the amount "${p.value}" was split by an unquoted comma; quote it or use a decimal point`;
    case 'memo_too_long':
      return `the memo is too long (${p.length} characters)`;
    case 'memo_unsafe':
      return 'the memo contains control or invisible formatting characters';
    case 'name_too_long':
      return `the name is too long (${p.length} characters)`;
    case 'name_unsafe':
      return 'the name contains control or invisible formatting characters';
    case 'reference_too_long':
      return `the reference is too long (${p.length} characters)`;
    case 'reference_unsafe':
      return 'the reference contains control or invisible formatting characters';
    case 'too_many_columns':
      return `the row has ${p.count} cells but the file has ${p.max} columns`;
    case 'unclosed_quote':
      return 'a quoted field is never closed';
    case 'malformed_quote':
      return 'a closing quote is followed by something other than a separator';
    case 'empty':
      return 'the file has no payment rows';
    case 'not_text':
      return 'the file is not UTF-8 text (save it as CSV UTF-8)';
    case 'too_many_rows':
      return `the file has ${p.rows} rows; at most ${p.max} are allowed`;
    case 'unknown_column':
      return p.name === '' ? 'the header has an empty column name' : `the header names an unknown column "${p.name}"`;
    case 'duplicate_column':
      return `the header names the ${p.column} column twice`;
    case 'no_account_column':
      return 'the header has no account column';
    case 'no_amount_column':
      return 'the header has no amount column';
  }
}
