import { isValidAccountNumber, normalizeAccountNumber } from '../../../../../common/account-number.js';
import { t } from '../../../shared/i18n.js';
import { charCount, formatNumber, parseAmountInput } from '../../format.js';

export const MEMO_MAX = 140;

/** The payee field's problem, if any; `own` is the paying account (paying yourself is refused). */
export function payeeError(text: string, own?: string): string | undefined {
  const n = normalizeAccountNumber(text);
  if (!n) return t('send_payee_missing');
  if (!/^DB\d{12}$/.test(n)) return t('send_payee_format');
  if (!isValidAccountNumber(n)) return t('send_payee_check_digits');
  if (own && n === normalizeAccountNumber(own)) return t('send_payee_own');
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
  return charCount(text.trim()) > MEMO_MAX ? t('send_memo_too_long', formatNumber(MEMO_MAX)) : undefined;
}
