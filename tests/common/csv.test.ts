import { describe, expect, it } from 'vitest';
import { csvCell, csvDecimal, toCsv } from '../../common/csv.js';

// Quoting as needed and formula defusing are tested with the options page's exports
// (tests/extension/ui/options/csv.test.ts); this is what common/csv.ts adds for the payment runs.

describe('quoting every text cell', () => {
  it('quotes text, leaves numbers and decimals bare, and writes nothing for no value', () => {
    expect(csvCell('plain', { quoteText: true })).toBe('"plain"');
    expect(csvCell('', { quoteText: true })).toBe('""');
    expect(csvCell('say "hi"', { quoteText: true })).toBe('"say ""hi"""');
    expect(csvCell(-42, { quoteText: true })).toBe('-42');
    expect(csvCell(csvDecimal('-12.30'), { quoteText: true })).toBe('-12.30');
    expect(csvCell(undefined, { quoteText: true })).toBe('');
    expect(csvCell(null, { quoteText: true })).toBe('');
  });

  it('still defuses formula starts, and keeps plain numbers in text as data', () => {
    expect(csvCell('=1+1', { quoteText: true })).toBe(`"'=1+1"`);
    expect(csvCell('@x', { quoteText: true })).toBe(`"'@x"`);
    expect(csvCell('\r\n', { quoteText: true })).toBe(`"'\r\n"`);
    expect(csvCell('-12.34', { quoteText: true })).toBe('"-12.34"');
  });

  it('writes the header as needed, and the rows quoted', () => {
    expect(toCsv(['a', 'b'], [[1, 'x'], [csvDecimal('0.50'), '=y']], { quoteText: true })).toBe(`a,b\r\n1,"x"\r\n0.50,"'=y"\r\n`);
  });

  it('takes only plain decimals as numbers', () => {
    for (const bad of ['1e3', '', '1,5', ' 1', '=1', '.5', '1.']) expect(() => csvDecimal(bad)).toThrow(RangeError);
    expect(csvCell(csvDecimal('7'))).toBe('7');
  });
});
