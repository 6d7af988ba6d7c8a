import { formatMinorPlain, fractionDigitsOf, readAmount } from '../../../../../common/money.js';
import { formatAccountNumber } from '../../../../../common/account-number.js';
import { t, uiLocale } from '../../../shared/i18n.js';
import { amountProblemMessage, asciiDigits, formatMoney as formatMoneyStrict } from '../../format.js';

/*
 * How the options page shows things to people: dates with Intl.DateTimeFormat, amounts with
 * common/money.ts (integer minor units → Intl.NumberFormat), both in the page's language
 * (uiLocale), and fingerprints as the CLI prints them.
 */

export const DEFAULT_CURRENCY = 'USD';

const DATE_TIME: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' };
const DATE: Intl.DateTimeFormatOptions = { dateStyle: 'medium' };
const TIME: Intl.DateTimeFormatOptions = { timeStyle: 'medium' };
const SHORT: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' };

function formatWith(options: Intl.DateTimeFormatOptions, d: Date): string {
  return new Intl.DateTimeFormat(uiLocale(), options).format(d);
}

function validDate(iso: string | number | Date): Date | undefined {
  const d = iso instanceof Date ? iso : new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function formatDateTime(iso: string | number | Date): string {
  const d = validDate(iso);
  return d ? formatWith(DATE_TIME, d) : String(iso);
}

/** "Nov 24, 3:40:21 AM": for dense tables (the full date is in the cell's title). */
export function formatDateTimeShort(iso: string | number | Date): string {
  const d = validDate(iso);
  return d ? formatWith(SHORT, d) : String(iso);
}

export function formatDate(iso: string | number | Date): string {
  const d = validDate(iso);
  return d ? formatWith(DATE, d) : String(iso);
}

export function formatTime(iso: string | number | Date): string {
  const d = validDate(iso);
  return d ? formatWith(TIME, d) : String(iso);
}

/** "3 d 4 h", "2 h 5 min", "45 s": uptime at a glance. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const n = (value: number): string => formatCount(value);
  if (days > 0) return t('duration_days_hours', n(days), n(hours));
  if (hours > 0) return t('duration_hours_minutes', n(hours), n(minutes));
  if (minutes > 0) return t('duration_minutes_seconds', n(minutes), n(s % 60));
  return t('duration_seconds', n(s));
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat(uiLocale()).format(n);
}

export function formatRate(n: number): string {
  return new Intl.NumberFormat(uiLocale(), { maximumFractionDigits: 1 }).format(n);
}

/** `33:15:2a:…`, the groups `bank-relay fingerprint` prints, so an operator can compare by eye. */
export function formatFingerprint(hex: string): string {
  return hex.toLowerCase().match(/../g)?.join(':') ?? hex;
}

export function formatAccount(account: string): string {
  return formatAccountNumber(account);
}

/** As the popup writes money, or plain digits for a currency code Intl does not know (which it refuses). */
export function formatMoney(minor: number, currency: string = DEFAULT_CURRENCY): string {
  try {
    return formatMoneyStrict(minor, currency);
  } catch {
    return formatMinorPlain(minor, 2);
  }
}

/** "-12.34": exact decimal text, for CSV files and for prefilling money inputs. */
export function formatMinorDecimal(minor: number, currency: string = DEFAULT_CURRENCY): string {
  return formatMinorPlain(minor, fractionDigitsOf(currency));
}

export type MoneyInput = { ok: true; value: number } | { ok: false; error: string };

/** What a person typed in a money field, as minor units, or what is wrong with it; `allowZero` for limits. */
export function parseMoneyInput(text: string, currency: string = DEFAULT_CURRENCY, options: { allowZero?: boolean } = {}): MoneyInput {
  const reading = readAmount(asciiDigits(text), fractionDigitsOf(currency));
  if (!reading.ok) return { ok: false, error: amountProblemMessage(reading.problem) };
  if (reading.minor === 0 && !options.allowZero) return { ok: false, error: t('amount_error_above_zero') };
  return { ok: true, value: reading.minor };
}

/** The currency a list of accounts is kept in (the relay has one). */
export function currencyOf(accounts: readonly { currency: string }[] | undefined): string {
  return accounts?.[0]?.currency ?? DEFAULT_CURRENCY;
}
