import { describe, expect, it } from 'vitest';
import {
  currencyFractionDigits,
  dayLabel,
  formatAsOf,
  formatFingerprint,
  formatSignedMoney,
  groupByDay,
  parseAmountInput,
  relativeTime,
} from '../../../../extension/src/ui/format.js';

const NOW = new Date(2024, 4, 15, 12, 0);
const at = (d: number, h: number, m = 0) => new Date(2024, 4, d, h, m).toISOString();

describe('format', () => {
  it('money: signed with a real minus, exact from minor units', () => {
    expect(formatSignedMoney(1_234)).toBe('+$12.34');
    expect(formatSignedMoney(-29)).toBe('\u2212$0.29');
    expect(formatSignedMoney(Number.MAX_SAFE_INTEGER)).toBe('+$90,071,992,547,409.91');
    expect(currencyFractionDigits('JPY')).toBe(0);
    expect(currencyFractionDigits('BHD')).toBe(3);
  });

  it('amount input: minor units, a leading symbol tolerated, messages for people', () => {
    expect(parseAmountInput('12.34')).toEqual({ ok: true, minor: 1_234 });
    expect(parseAmountInput(' $1,000 ')).toEqual({ ok: true, minor: 100_000 });
    expect(parseAmountInput('USD 0.29')).toEqual({ ok: true, minor: 29 });
    expect(parseAmountInput('1234', 'JPY')).toEqual({ ok: true, minor: 1_234 });
    expect(parseAmountInput('')).toEqual({ ok: false, error: 'Enter an amount' });
    expect(parseAmountInput('0.00')).toEqual({ ok: false, error: 'Enter an amount greater than zero' });
    expect(parseAmountInput('-5')).toEqual({ ok: false, error: 'The amount cannot be negative' });
    expect(parseAmountInput('1.5', 'JPY')).toEqual({ ok: false, error: 'This currency has no fractional part; enter a whole amount' });
  });

  it('groups newest-first items into consecutive local days', () => {
    const items = [at(15, 11), at(15, 1), at(14, 23), at(12, 9), at(12, 8)];
    const groups = groupByDay(items, (x) => x, NOW, 'en-US');
    expect(groups.map((g) => [g.label, g.items.length])).toEqual([
      ['Today', 2],
      ['Yesterday', 1],
      ['Sunday, May 12', 2],
    ]);
    expect(dayLabel(new Date(2023, 11, 31), NOW, 'en-US')).toBe('Sunday, December 31, 2023');
  });

  it('relative times and "as of"', () => {
    expect(relativeTime(new Date(NOW.getTime() - 30_000).toISOString(), NOW)).toBe('just now');
    expect(relativeTime(at(15, 11, 59), NOW)).toBe('1 min ago');
    expect(relativeTime(at(15, 11, 30), NOW)).toBe('30 min ago');
    expect(relativeTime(at(15, 9), NOW)).toBe('3 h ago');
    expect(relativeTime(at(14, 9), NOW)).toBe('yesterday');
    expect(relativeTime(at(2, 9), NOW, 'en-US')).toBe('May 2');
    expect(formatAsOf(at(15, 9, 5), NOW, 'en-US')).toMatch(/^9:05\sAM$/);
    expect(formatAsOf(at(14, 18, 30), NOW, 'en-US')).toMatch(/^May 14, 6:30\sPM$/);
  });

  it('fingerprints in groups of four', () => {
    expect(formatFingerprint('AB12cd34EF')).toBe('ab12 cd34 ef');
  });
});
