import { formatAmount, readAmount, type AmountProblem } from '../../../common/money.js';
import { ltr, t, tPlural, uiLocale } from '../shared/i18n.js';

/*
 * How the pages show money, dates and keys. Money stays in integer minor units until the very
 * last step (common/money.ts hands Intl an exact decimal string), and dates are shown in the
 * person's own time zone, in the language of the page (uiLocale, shared/i18n.ts). `locale` and
 * `now` are parameters so tests are stable.
 */

const fractionDigitsCache = new Map<string, number>();

/** The currency's own number of fraction digits: USD 2, JPY 0, BHD 3. */
export function currencyFractionDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/** "$" for USD in en-US, "US$" elsewhere, "€" for EUR: what to show in front of an amount field. */
export function currencySymbol(currency: string, locale = uiLocale()): string {
  const part = new Intl.NumberFormat(locale, { style: 'currency', currency })
    .formatToParts(0)
    .find((p) => p.type === 'currency');
  return part?.value ?? currency;
}

/**
 * "$1,234.56" (negative: "-$1,234.56"). In a right-to-left page the amount is kept left to right
 * as a whole: left to the surrounding text's direction, "US$" would read "$US".
 */
export function formatMoney(minor: number, currency = 'USD', locale = uiLocale()): string {
  return ltr(formatAmount(minor, currency, locale));
}

/** "+$12.34" or "−$5.00" (a real minus sign): the direction is part of what people read. */
export function formatSignedMoney(minor: number, currency = 'USD', locale = uiLocale()): string {
  const abs = formatAmount(Math.abs(minor), currency, locale);
  if (minor > 0) return ltr(`+${abs}`);
  if (minor < 0) return ltr(`\u2212${abs}`);
  return ltr(abs);
}

/** Arabic-Indic and Eastern Arabic-Indic digits and separators, as a phone keyboard may type them. */
const NATIVE_DIGITS = /[\u0660-\u0669\u06f0-\u06f9\u066b\u066c]/g;

/** "١٢٫٥" → "12.5": the digits people may type in an Arabic page, read as the ASCII ones parseAmount knows. */
export function asciiDigits(text: string): string {
  return text.replace(NATIVE_DIGITS, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\u066b') return '.';
    if (c === '\u066c') return ',';
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

/** What is wrong with an amount, as a sentence in the page's language. */
export function amountProblemMessage(problem: AmountProblem): string {
  switch (problem.kind) {
    case 'empty':
      return t('amount_error_empty');
    case 'negative':
      return t('amount_error_negative');
    case 'signed':
      return t('amount_error_signed');
    case 'exponent':
      return t('amount_error_exponent');
    case 'not-an-amount':
      return t('amount_error_not_an_amount', problem.text);
    case 'no-fraction':
      return t('amount_error_no_fraction');
    case 'too-many-fraction-digits':
      return tPlural('amount_error_fraction_digits', problem.fractionDigits);
    case 'too-large':
      return t('amount_error_too_large');
  }
}

export type AmountInput = { ok: true; minor: number } | { ok: false; error: string };

/**
 * What someone typed in an amount field, as minor units > 0, or the message to show next to
 * the field. A leading currency symbol or code ("$12", "USD 12") is accepted and ignored.
 */
export function parseAmountInput(text: string, currency = 'USD', locale = uiLocale()): AmountInput {
  let s = asciiDigits(text).trim();
  for (const prefix of [currencySymbol(currency, locale), currencySymbol(currency, 'en-US'), currency]) {
    if (prefix && s.toUpperCase().startsWith(prefix.toUpperCase())) {
      s = s.slice(prefix.length).trim();
      break;
    }
  }
  const reading = readAmount(s, currencyFractionDigits(currency));
  if (!reading.ok) return { ok: false, error: amountProblemMessage(reading.problem) };
  if (reading.minor <= 0) return { ok: false, error: t('amount_error_zero') };
  return { ok: true, minor: reading.minor };
}

export function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** The local calendar day of a date, "2024-05-01", for grouping. */
export function dayKey(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

function isYesterday(date: Date, now: Date): boolean {
  return dayKey(date) === dayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
}

/** "Today", "Yesterday", "Monday, 29 April" (with the year when it is not this year's). */
export function dayLabel(date: Date, now = new Date(), locale = uiLocale()): string {
  if (dayKey(date) === dayKey(now)) return t('day_today');
  if (isYesterday(date, now)) return t('day_yesterday');
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(date.getFullYear() !== now.getFullYear() && { year: 'numeric' }),
  }).format(date);
}

export interface DayGroup<T> {
  key: string;
  label: string;
  items: T[];
}

/** Items already sorted newest first become consecutive day groups, in the same order. */
export function groupByDay<T>(items: readonly T[], tsOf: (item: T) => string, now = new Date(), locale = uiLocale()): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  for (const item of items) {
    const date = new Date(tsOf(item));
    const key = dayKey(date);
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.items.push(item);
    else groups.push({ key, label: dayLabel(date, now, locale), items: [item] });
  }
  return groups;
}

/** "14:32" (or "2:32 PM", as the locale writes it). */
export function formatTime(iso: string, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

/** "29 Apr 2024, 14:32". */
export function formatDateTime(iso: string, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** "just now", "5 min ago", "3 h ago", "yesterday", then the date. */
export function relativeTime(iso: string, now = new Date(), locale = uiLocale()): string {
  const date = new Date(iso);
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds < 45) return t('time_just_now');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return tPlural('time_minutes_ago', minutes);
  const hours = Math.round(minutes / 60);
  if (hours < 24 && dayKey(date) === dayKey(now)) return tPlural('time_hours_ago', hours);
  if (isYesterday(date, now)) return t('time_yesterday');
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }).format(date);
}

/** When a cached value was last confirmed: "14:32" today, "29 Apr, 14:32" before. */
export function formatAsOf(iso: string, now = new Date(), locale = uiLocale()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (dayKey(date) === dayKey(now)) return formatTime(iso, locale);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(date);
}

/** A key fingerprint in groups of four, so two can be compared by eye: "3f2a 9c01 …". */
export function formatFingerprint(hex: string): string {
  return hex
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '')
    .replace(/(.{4})(?=.)/g, '$1 ');
}

/** Counts what people see as characters (code points), as the relay's memo limit does. */
export function charCount(s: string): number {
  return [...s].length;
}

/** A count as the page's language writes it: "1,234". */
export function formatNumber(n: number, locale = uiLocale()): string {
  return new Intl.NumberFormat(locale).format(n);
}
