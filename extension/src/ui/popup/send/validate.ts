import { isValidAccountNumber, normalizeAccountNumber } from '../../../../../common/account-number.js';
import { charCount, parseAmountInput } from '../../format.js';

export const MEMO_MAX = 140;

/** The payee field's problem, if any; `own` is the paying account (paying yourself is refused). */
export function payeeError(text: string, own?: string): string | undefined {
  const n = normalizeAccountNumber(text);
  if (!n) return "Enter the payee's account number";
  if (!/^DB\d{12}$/.test(n)) return 'Account numbers look like DB35 0000 0000 01 (DB and 12 digits)';
  if (!isValidAccountNumber(n)) return "The check digits don't match: look for a mistyped or swapped digit";
  if (own && n === normalizeAccountNumber(own)) return "That's your own account: enter someone else's";
  return undefined;
}

/** Whether the payee has been typed out in full, so checking it now is not premature. */
export function payeeComplete(text: string): boolean {
  return normalizeAccountNumber(text).length >= 14;
}

export function amountError(text: string, currency: string): string | undefined {
  const parsed = parseAmountInput(text, currency);
  return parsed.ok ? undefined : parsed.error;
}

export function memoError(text: string): string | undefined {
  return charCount(text.trim()) > MEMO_MAX ? `Keep the memo to ${MEMO_MAX} characters` : undefined;
}
