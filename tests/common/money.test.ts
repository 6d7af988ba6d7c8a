import { describe, expect, it } from 'vitest';
import { isBankError } from '../../common/errors.js';
import { MAX_AMOUNT, formatAmount, formatMinorPlain, isMinorAmount, parseAmount } from '../../common/money.js';

function refusal(text: string, fractionDigits?: number): string {
  try {
    parseAmount(text, fractionDigits);
  } catch (e) {
    if (isBankError(e)) {
      expect(e.code).toBe('BAD_REQUEST');
      return e.message;
    }
    throw e;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('parseAmount', () => {
  it.each([
    ['12', 1200],
    ['12.3', 1230],
    ['12.34', 1234],
    ['1,234.56', 123456],
    ['1,234,567', 123456700],
    ['  7.05 ', 705],
    ['0.29', 29],
    ['0.57', 57],
    ['1.15', 115],
    ['.5', 50],
    ['0', 0],
    ['00012.30', 1230],
  ])('%j → %i', (text, minor) => {
    expect(parseAmount(text)).toBe(minor);
  });

  it('honours the number of fraction digits', () => {
    expect(parseAmount('1234', 0)).toBe(1234);
    expect(parseAmount('1.234', 3)).toBe(1234);
    expect(refusal('1.5', 0)).toMatch(/whole amount/);
  });

  it('reaches exactly the largest safe integer and no further', () => {
    expect(parseAmount('90071992547409.91')).toBe(MAX_AMOUNT);
    expect(refusal('90071992547409.92')).toMatch(/too large/);
    expect(refusal('1' + '0'.repeat(30))).toMatch(/too large/);
  });

  it('refuses what is not a plain positive amount, with a clear message', () => {
    expect(refusal('')).toMatch(/enter an amount/);
    expect(refusal('   ')).toMatch(/enter an amount/);
    expect(refusal('-5')).toMatch(/negative/);
    expect(refusal('12.345')).toMatch(/at most 2 digits/);
    expect(refusal('1e3')).toMatch(/plain digits/);
    expect(refusal('1E-2')).toMatch(/plain digits/);
    for (const bad of ['abc', '12.', '1.2.3', '12,34', '1,2345', '1 000', '0x10', 'Infinity', 'NaN', '１２', '+5', '1.5$']) {
      expect(() => parseAmount(bad), bad).toThrow();
    }
  });
});

describe('formatting', () => {
  it('formatMinorPlain is exact', () => {
    expect(formatMinorPlain(123456)).toBe('1234.56');
    expect(formatMinorPlain(-5)).toBe('-0.05');
    expect(formatMinorPlain(0)).toBe('0.00');
    expect(formatMinorPlain(7, 0)).toBe('7');
    expect(formatMinorPlain(5, 3)).toBe('0.005');
    expect(formatMinorPlain(MAX_AMOUNT)).toBe('90071992547409.91');
    expect(() => formatMinorPlain(1.5)).toThrow(RangeError);
  });

  it('formatAmount uses Intl with the currency’s own fraction digits', () => {
    expect(formatAmount(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(formatAmount(-123456, 'USD', 'en-US')).toBe('-$1,234.56');
    expect(formatAmount(1234, 'JPY', 'en-US')).toBe('¥1,234');
    expect(formatAmount(MAX_AMOUNT, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
    expect(formatAmount(123456, 'EUR', 'de-DE')).toMatch(/^1\.234,56\s€$/);
  });

  it('parse and format round trip', () => {
    for (const minor of [1, 9, 10, 99, 100, 101, 123456789, MAX_AMOUNT]) {
      expect(parseAmount(formatMinorPlain(minor))).toBe(minor);
    }
  });

  it('isMinorAmount', () => {
    expect(isMinorAmount(1)).toBe(true);
    expect(isMinorAmount(MAX_AMOUNT)).toBe(true);
    for (const bad of [0, -1, 1.5, 2 ** 53, NaN, Infinity, '100', null]) expect(isMinorAmount(bad)).toBe(false);
  });
});
