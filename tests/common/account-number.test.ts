import { describe, expect, it } from 'vitest';
import {
  CASH_ACCOUNT,
  formatAccountNumber,
  isValidAccountNumber,
  makeAccountNumber,
  normalizeAccountNumber,
} from '../../common/account-number.js';

/** Independent reference: the IBAN check with BigInt. */
function ibanValid(s: string): boolean {
  const moved = s.slice(4) + s.slice(0, 4);
  const numeric = [...moved].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join('');
  return BigInt(numeric) % 97n === 1n;
}

const SAMPLE_SERIALS = [0, 1, 2, 9, 10, 42, 12345, 999_999, 1_000_000_000, 9_999_999_999];

describe('account numbers', () => {
  it('have the DB + 2 check digits + 10-digit serial layout', () => {
    for (const serial of SAMPLE_SERIALS) {
      const n = makeAccountNumber(serial);
      expect(n).toMatch(/^DB\d{12}$/);
      expect(Number(n.slice(4))).toBe(serial);
      expect(isValidAccountNumber(n)).toBe(true);
      expect(ibanValid(n)).toBe(true);
    }
  });

  it('the cash account is serial 0 and valid', () => {
    expect(CASH_ACCOUNT).toBe(makeAccountNumber(0));
    expect(CASH_ACCOUNT.slice(4)).toBe('0000000000');
    expect(isValidAccountNumber(CASH_ACCOUNT)).toBe(true);
  });

  it('refuses serials out of range', () => {
    for (const bad of [-1, 1.5, 10_000_000_000, NaN]) expect(() => makeAccountNumber(bad)).toThrow(RangeError);
  });

  it('normalizes and formats for display', () => {
    const n = makeAccountNumber(1);
    const shown = formatAccountNumber(n);
    expect(shown).toMatch(/^DB\d\d \d{4} \d{4} \d\d$/);
    expect(normalizeAccountNumber(shown.toLowerCase())).toBe(n);
    expect(isValidAccountNumber(` ${shown.toLowerCase()} `)).toBe(true);
  });

  it('refuses wrong formats', () => {
    const n = makeAccountNumber(7);
    for (const bad of ['', 'DB', n.slice(0, -1), n + '0', 'GB' + n.slice(2), n.replace('DB', 'D8'), n.slice(0, 4) + 'x' + n.slice(5)]) {
      expect(isValidAccountNumber(bad), bad).toBe(false);
    }
  });

  it('detects every single-digit substitution', () => {
    for (const serial of SAMPLE_SERIALS) {
      const n = makeAccountNumber(serial);
      for (let i = 2; i < n.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === n[i]) continue;
          const typo = n.slice(0, i) + d + n.slice(i + 1);
          expect(isValidAccountNumber(typo), typo).toBe(false);
        }
      }
    }
  });

  it('detects every adjacent transposition', () => {
    for (const serial of [...SAMPLE_SERIALS, 1_234_567_890, 9_081_726_354]) {
      const n = makeAccountNumber(serial);
      for (let i = 0; i + 1 < n.length; i++) {
        if (n[i] === n[i + 1]) continue;
        const swapped = n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2);
        expect(isValidAccountNumber(swapped), swapped).toBe(false);
      }
    }
  });
});
