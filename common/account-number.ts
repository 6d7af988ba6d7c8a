/**
 * Account numbers: "DB" + 2 check digits + 10-digit serial, e.g. "DB35 0000 0000 01".
 * The check digits are ISO 7064 MOD 97-10 exactly as in an IBAN, so every
 * single mistyped digit and every swap of two adjacent characters is caught
 * before any lookup.
 */

const COUNTRY = 'DB';
const SERIAL_DIGITS = 10;
const MAX_SERIAL = 10 ** SERIAL_DIGITS - 1;
const FORMAT_RE = /^DB\d{12}$/;

/**
 * The ISO 7064 MOD 97-10 remainder of a string read as IBAN reads it (letters become 10..35,
 * digits stay), one character at a time with integer arithmetic: every request checks every
 * account number it names, so this runs on the hot path.
 */
function mod97(s: string, from = 0, to = s.length, carried = 0): number {
  let rest = carried;
  for (let i = from; i < to; i++) {
    const code = s.charCodeAt(i);
    rest = code >= 65 && code <= 90 ? (rest * 100 + (code - 55)) % 97 : (rest * 10 + (code - 48)) % 97;
  }
  return rest;
}

function checkDigits(serial: string): string {
  return String(98 - mod97(serial + COUNTRY + '00')).padStart(2, '0');
}

export function makeAccountNumber(serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 0 || serial > MAX_SERIAL) {
    throw new RangeError(`account serial must be an integer 0..${MAX_SERIAL}, got ${serial}`);
  }
  const padded = String(serial).padStart(SERIAL_DIGITS, '0');
  return COUNTRY + checkDigits(padded) + padded;
}

/** The bank's own cash account; deposits and withdrawals move money against it. */
export const CASH_ACCOUNT = makeAccountNumber(0);

/** Accepts what people paste: any case, spaces anywhere. */
export function normalizeAccountNumber(s: string): string {
  // Most arrive as written by software, already in this form: no copy then.
  if (FORMAT_RE.test(s)) return s;
  return s.replace(/\s+/g, '').toUpperCase();
}

export function isValidAccountNumber(s: string): boolean {
  const n = normalizeAccountNumber(s);
  if (!FORMAT_RE.test(n)) return false;
  // As IBAN reads it: the serial first, then the country and the check digits.
  return mod97(n, 0, 4, mod97(n, 4)) === 1;
}

/** Valid and already in the stored form (no spaces, upper case): what software sends. */
export function isCanonicalAccountNumber(s: string): boolean {
  return FORMAT_RE.test(s) && mod97(s, 0, 4, mod97(s, 4)) === 1;
}

/** "DB35 0000 0000 01": groups of 4 for reading aloud and copying by eye. */
export function formatAccountNumber(s: string): string {
  return normalizeAccountNumber(s).replace(/(.{4})(?=.)/g, '$1 ');
}
