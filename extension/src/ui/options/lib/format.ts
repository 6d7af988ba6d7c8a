import { formatAmount, formatMinorPlain, fractionDigitsOf, parseAmount } from '../../../../../common/money.js';
import { formatAccountNumber } from '../../../../../common/account-number.js';

/*
 * How the options page shows things to people: dates with Intl.DateTimeFormat, amounts with
 * common/money.ts (integer minor units → Intl.NumberFormat), fingerprints as the CLI prints them.
 */

export const DEFAULT_CURRENCY = 'USD';

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const shortFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' });

function validDate(iso: string | number | Date): Date | undefined {
  const d = iso instanceof Date ? iso : new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function formatDateTime(iso: string | number | Date): string {
  const d = validDate(iso);
  return d ? dateTimeFormat.format(d) : String(iso);
}

/** "Nov 24, 3:40:21 AM": for dense tables (the full date is in the cell's title). */
export function formatDateTimeShort(iso: string | number | Date): string {
  const d = validDate(iso);
  return d ? shortFormat.format(d) : String(iso);
}

export function formatDate(iso: string | number | Date): string {
  const d = validDate(iso);
  return d ? dateFormat.format(d) : String(iso);
}

export function formatTime(iso: string | number | Date): string {
  const d = validDate(iso);
  return d ? timeFormat.format(d) : String(iso);
}

/** "3 d 4 h", "2 h 5 min", "45 s": uptime at a glance. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${s % 60} s`;
  return `${s} s`;
}

const integerFormat = new Intl.NumberFormat();
const rateFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatCount(n: number): string {
  return integerFormat.format(n);
}

export function formatRate(n: number): string {
  return rateFormat.format(n);
}

/** `33:15:2a:…`, the groups `bank-relay fingerprint` prints, so an operator can compare by eye. */
export function formatFingerprint(hex: string): string {
  return hex.toLowerCase().match(/../g)?.join(':') ?? hex;
}

export function formatAccount(account: string): string {
  return formatAccountNumber(account);
}

export function formatMoney(minor: number, currency: string = DEFAULT_CURRENCY): string {
  try {
    return formatAmount(minor, currency);
  } catch {
    return formatMinorPlain(minor, 2);
  }
}

/** "-12.34": exact decimal text, for CSV files and for prefilling money inputs. */
export function formatMinorDecimal(minor: number, currency: string = DEFAULT_CURRENCY): string {
  return formatMinorPlain(minor, fractionDigitsOf(currency));
}

export type MoneyInput = { ok: true; value: number } | { ok: false; error: string };

/** What a person typed in a money field, as minor units; `allowZero` for limits. */
export function parseMoneyInput(text: string, currency: string = DEFAULT_CURRENCY, options: { allowZero?: boolean } = {}): MoneyInput {
  try {
    const value = parseAmount(text, fractionDigitsOf(currency));
    if (value === 0 && !options.allowZero) return { ok: false, error: 'enter an amount above zero' };
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : 'not an amount' };
  }
}

/** The currency a list of accounts is kept in (the relay has one). */
export function currencyOf(accounts: readonly { currency: string }[] | undefined): string {
  return accounts?.[0]?.currency ?? DEFAULT_CURRENCY;
}
