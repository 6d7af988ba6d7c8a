import { BankError } from './errors.js';

/**
 * Money is an integer number of minor units (cents). Nothing here multiplies
 * or divides floats: text is split into digit strings and joined, so
 * "0.29" is 29, never 28.999999….
 */

export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

// Grouping commas are only accepted in the canonical 3-digit layout, so a
// European "1.234,56" or a typo like "12,34" is refused instead of guessed.
const AMOUNT_RE = /^(?:(\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?|\.(\d+))$/;

function badAmount(message: string): BankError {
  return new BankError('BAD_REQUEST', message);
}

function checkFractionDigits(fractionDigits: number): void {
  if (!Number.isInteger(fractionDigits) || fractionDigits < 0 || fractionDigits > 20) {
    throw new RangeError(`fractionDigits must be an integer 0..20, got ${fractionDigits}`);
  }
}

/**
 * Why a text is not an amount. parseAmount words each one in English for the relay's answers;
 * the wallet's pages say the same in the person's language.
 */
export type AmountProblem =
  | { kind: 'empty' }
  | { kind: 'negative' }
  | { kind: 'signed' }
  | { kind: 'exponent' }
  | { kind: 'not-an-amount'; text: string }
  | { kind: 'no-fraction' }
  | { kind: 'too-many-fraction-digits'; fractionDigits: number }
  | { kind: 'too-large' };

export type AmountReading = { ok: true; minor: number } | { ok: false; problem: AmountProblem };

/**
 * Reads what a person typed ("12", "12.3", "1,234.56") as minor units, or says what is wrong
 * with it. Zero is accepted (a limit may be 0); whether an amount must be > 0 is the caller's
 * rule (see `isMinorAmount`, `amountSchema`).
 */
export function readAmount(text: string, fractionDigits = 2): AmountReading {
  checkFractionDigits(fractionDigits);
  const fail = (problem: AmountProblem): AmountReading => ({ ok: false, problem });
  const s = text.trim();
  if (s === '') return fail({ kind: 'empty' });
  if (/^[-−]/.test(s)) return fail({ kind: 'negative' });
  if (/^\+/.test(s)) return fail({ kind: 'signed' });
  if (/\d[eE][+-]?\d/.test(s)) return fail({ kind: 'exponent' });
  const m = AMOUNT_RE.exec(s);
  if (!m) return fail({ kind: 'not-an-amount', text: s });
  const whole = (m[1] ?? '0').replaceAll(',', '');
  const fraction = m[2] ?? m[3] ?? '';
  if (fraction.length > fractionDigits) {
    return fail(fractionDigits === 0 ? { kind: 'no-fraction' } : { kind: 'too-many-fraction-digits', fractionDigits });
  }
  const minor = BigInt(whole + fraction.padEnd(fractionDigits, '0'));
  if (minor > BigInt(MAX_AMOUNT)) return fail({ kind: 'too-large' });
  return { ok: true, minor: Number(minor) };
}

/** The relay's (English) wording of each problem, after a field name ("amount: …"). */
export function amountProblemText(problem: AmountProblem): string {
  switch (problem.kind) {
    case 'empty':
      return 'enter an amount';
    case 'negative':
      return 'the amount cannot be negative';
    case 'signed':
      return 'write the amount without a sign';
    case 'exponent':
      return 'write the amount as plain digits, e.g. 1234.56';
    case 'not-an-amount':
      return `"${problem.text}" is not an amount; write it like 1234.56 or 1,234.56`;
    case 'no-fraction':
      return 'this currency has no fractional part; enter a whole amount';
    case 'too-many-fraction-digits':
      return `use at most ${problem.fractionDigits} digits after the decimal point`;
    case 'too-large':
      return 'the amount is too large';
  }
}

/** readAmount, throwing a BAD_REQUEST BankError with the English wording of what is wrong. */
export function parseAmount(text: string, fractionDigits = 2): number {
  const reading = readAmount(text, fractionDigits);
  if (!reading.ok) throw badAmount(amountProblemText(reading.problem));
  return reading.minor;
}

/** A valid amount to move: a safe integer number of minor units, > 0. */
export function isMinorAmount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

/** How many digits follow the point in a currency (USD 2, JPY 0, BHD 3); 2 for a code Intl does not know. */
export function fractionDigitsOf(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "1234.56", "-0.05", "7" (fractionDigits 0): exact, no grouping, no currency. */
export function formatMinorPlain(minor: number, fractionDigits = 2): string {
  checkFractionDigits(fractionDigits);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not a whole number of minor units: ${minor}`);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(fractionDigits + 1, '0');
  if (fractionDigits === 0) return sign + digits;
  const cut = digits.length - fractionDigits;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/**
 * "$1,234.56" for a person. The number reaches Intl as an exact decimal
 * string, so no float rounding can creep in; the currency's own number of
 * fraction digits (USD 2, JPY 0, BHD 3) decides where the point goes.
 */
export function formatAmount(minor: number, currency = 'USD', locale?: string): string {
  const digits = fractionDigitsOf(currency);
  const fmt = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return fmt.format(formatMinorPlain(minor, digits) as `${number}`);
}
