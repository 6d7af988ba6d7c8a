import { type AmountReading, readAmount } from '../money.js';

/*
 * Amounts in a payment file: the decimal mark is decided once for the whole file, then every
 * cell is rewritten into the notation readAmount (common/money.ts) reads, "1,234.56", and read
 * there, so the rules for digits, signs, grouping layout, precision and size are money.ts's own.
 */

export type DecimalMark = '.' | ',';

/** Spaces that group thousands: ordinary, no-break (fr-FR in older exports) and narrow no-break (fr-FR now). */
const GROUP_SPACE = /[ \u00A0\u202F]/g;

/**
 * What one amount cell says about the file's decimal mark, if anything:
 * - with both "." and ",", the last one is the decimal mark ("1.234,56" → ",");
 * - a mark that appears twice groups thousands, so the other one is decimal ("1.234.567" → ",");
 * - a single mark followed by exactly three digits ("1,234", "1.234") says nothing: it may group
 *   thousands or be a three-decimal amount; followed by any other number of digits it is the
 *   decimal mark ("12,50" → ",", "12.5" → ".").
 */
export function decimalHint(cell: string): DecimalMark | undefined {
  const s = cell.trim().replace(/^[-−+]/, '').replace(GROUP_SPACE, '');
  if (!/^[\d.,]*\d[\d.,]*$/.test(s)) return undefined;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  if (lastDot !== -1 && lastComma !== -1) return lastDot > lastComma ? '.' : ',';
  const mark: DecimalMark | undefined = lastDot !== -1 ? '.' : lastComma !== -1 ? ',' : undefined;
  if (mark === undefined) return undefined;
  if (s.indexOf(mark) !== s.lastIndexOf(mark)) return mark === '.' ? ',' : '.';
  const after = s.length - s.lastIndexOf(mark) - 1;
  return after === 3 || after === 0 ? undefined : mark;
}

/**
 * The file's decimal mark: a comma when some amount says so (decimalHint) and none says a point;
 * otherwise a point. A file that says both is read with a point, and its decimal-comma cells are
 * then refused one by one (readAmount accepts "," only as a 3-digit group), never misread.
 */
export function detectDecimalMark(cells: Iterable<string>): DecimalMark {
  let comma = false;
  for (const cell of cells) {
    const hint = decimalHint(cell);
    if (hint === '.') return '.';
    if (hint === ',') comma = true;
  }
  return comma ? ',' : '.';
}

/**
 * Reads one amount cell written with `decimal` as its decimal mark. Thousands may be grouped with
 * the other mark or with spaces, in groups of exactly three ("1.234,56", "1 234,56", "1,234.56");
 * any other layout is refused by readAmount rather than guessed.
 */
export function readAmountCell(cell: string, decimal: DecimalMark, fractionDigits: number): AmountReading {
  let s = cell.trim();
  const grouped = /^([-−+]?)(\d{1,3}(?:[ \u00A0\u202F]\d{3})+)([.,]\d+)?$/.exec(s);
  if (grouped) s = grouped[1]! + grouped[2]!.replace(GROUP_SPACE, decimal === '.' ? ',' : '.') + (grouped[3] ?? '');
  if (decimal === ',') s = s.replace(/[.,]/g, (mark) => (mark === '.' ? ',' : '.'));
  return readAmount(s, fractionDigits);
}
