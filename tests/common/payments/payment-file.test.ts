import { describe, expect, it } from 'vitest';
import { formatAccountNumber, makeAccountNumber } from '../../../common/account-number.js';
import {
  type PaymentFile,
  type PaymentProblem,
  type PaymentRow,
  describeProblem,
  parsePaymentFile,
} from '../../../common/payments/payment-file.js';
import { RUN_ROWS_MAX } from '../../../common/schemas/models.js';

const A = makeAccountNumber(101);
const B = makeAccountNumber(202);
const C = makeAccountNumber(303);
/** A with its last check digit changed: the shape of an account, the wrong check digits. */
const TYPO = A.slice(0, 3) + String((Number(A[3]) + 1) % 10) + A.slice(4);

/** The money-moving part of each row, for comparing files written differently. */
function payments(file: PaymentFile): [string, number | null, string | undefined][] {
  return file.rows.map((r) => [r.account, r.amount, r.memo]);
}

function only(file: PaymentFile): PaymentRow {
  expect(file.problems).toEqual([]);
  expect(file.rows).toHaveLength(1);
  return file.rows[0]!;
}

function problemsOf(file: PaymentFile): { line: number; problems: PaymentProblem[] }[] {
  return file.rows.filter((r) => r.problems.length > 0).map((r) => ({ line: r.line, problems: r.problems }));
}

describe('reading the formats people save', () => {
  const expected = [
    [A, 1250, 'Salary May'],
    [B, 100000, undefined],
  ];

  it('reads a comma-separated file with a header', () => {
    const file = parsePaymentFile(`account,amount,memo\n${A},12.50,Salary May\n${B},1000,\n`);
    expect(file).toMatchObject({ delimiter: ',', decimal: '.', header: true, columns: ['account', 'amount', 'memo'], problems: [] });
    expect(payments(file)).toEqual(expected);
    expect(file.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(file.rows.every((r) => r.problems.length === 0 && r.duplicateOf === undefined)).toBe(true);
  });

  it('reads a file without a header by position: account, amount, memo, name, reference', () => {
    const file = parsePaymentFile(`${A},12.50,Salary May,Jane Roe,PAY-1\n${B},1000\n`);
    expect(file).toMatchObject({ header: false, columns: ['account', 'amount', 'memo', 'name', 'reference'] });
    expect(payments(file)).toEqual(expected);
    expect(file.rows[0]).toMatchObject({ line: 1, name: 'Jane Roe', reference: 'PAY-1' });
    expect(parsePaymentFile(`${A},12.50\n`).columns).toEqual(['account', 'amount']);
  });

  it('takes header columns in any order, in any case, with aliases', () => {
    const file = parsePaymentFile(` Reference ;Payee; AMOUNT ;Description;Account_Number\nR1;Jane;12,50;Salary May;${formatAccountNumber(A)}\n`);
    expect(file).toMatchObject({ delimiter: ';', decimal: ',', header: true, columns: ['reference', 'name', 'amount', 'memo', 'account'] });
    expect(only(file)).toMatchObject({ line: 2, account: A, amount: 1250, memo: 'Salary May', name: 'Jane', reference: 'R1' });
    expect(parsePaymentFile(`IBAN,Amount\n${A},1\n`).columns).toEqual(['account', 'amount']);
    expect(parsePaymentFile(`account no.,amount,ref,payee name\n${A},1,x,y\n`).columns).toEqual(['account', 'amount', 'reference', 'name']);
  });

  it('reads a semicolon-separated file with decimal commas and thousands points', () => {
    const file = parsePaymentFile(`${A};12,50;Salary May\n${B};1.000,00\n${C};2.345\n`);
    expect(file).toMatchObject({ delimiter: ';', decimal: ',', header: false });
    expect(payments(file)).toEqual([...expected, [C, 234500, undefined]]);
  });

  it('tells a semicolon file with commas in its memos from a comma file with semicolons in its memos', () => {
    const semicolons = parsePaymentFile(`${A};12,50;Rent, May\n${B};3,00;Gas, water, light\n`);
    expect(semicolons).toMatchObject({ delimiter: ';', decimal: ',' });
    expect(payments(semicolons)).toEqual([
      [A, 1250, 'Rent, May'],
      [B, 300, 'Gas, water, light'],
    ]);
    const commas = parsePaymentFile(`${A},12.50,Rent; May\n${B},3,Gas; water; light\n`);
    expect(commas).toMatchObject({ delimiter: ',', decimal: '.' });
    expect(payments(commas)).toEqual([
      [A, 1250, 'Rent; May'],
      [B, 300, 'Gas; water; light'],
    ]);
  });

  it('reads a tab-separated file', () => {
    const file = parsePaymentFile(`account\tamount\tmemo\n${A}\t12.50\tSalary, May; bonus\n`);
    expect(file).toMatchObject({ delimiter: '\t', decimal: '.' });
    expect(only(file)).toMatchObject({ amount: 1250, memo: 'Salary, May; bonus' });
  });

  it('reads quoted fields with separators, doubled quotes and line breaks', () => {
    const file = parsePaymentFile(
      `account,amount,memo,name\n"${A}","1,234.50","Rent; May, ""flat 2""","Roe, Jane"\n${B},"12,50","two\r\nlines",x\n${C},7,"a\n\n  b",y\n`,
    );
    expect(file).toMatchObject({ delimiter: ',', problems: [] });
    // A quoted "12,50" in a comma file is a decimal comma only if no amount says "point": here "1,234.50" does.
    expect(file.rows.map((r) => [r.line, r.amount, r.memo, r.name, r.problems.map((p) => p.code)])).toEqual([
      [2, 123450, 'Rent; May, "flat 2"', 'Roe, Jane', []],
      [3, null, 'two lines', 'x', ['amount_invalid']],
      [5, 700, 'a b', 'y', []],
    ]);
    const comma = parsePaymentFile(`${A},"12,50",memo\n${B},"1.000,5"\n`);
    expect(comma).toMatchObject({ delimiter: ',', decimal: ',' });
    expect(payments(comma)).toEqual([
      [A, 1250, 'memo'],
      [B, 100050, undefined],
    ]);
    const semicolon = parsePaymentFile(`account;amount;memo\n${A};"12,50";"x;y"\n`);
    expect(only(semicolon)).toMatchObject({ amount: 1250, memo: 'x;y' });
    // Everything quoted, as some exports write it: the separator is still told apart.
    const allQuoted = parsePaymentFile(`"${A}";"12,50";"a, b"\n"${B}";"3";"c"\n`);
    expect(allQuoted).toMatchObject({ delimiter: ';', decimal: ',' });
    expect(payments(allQuoted)).toEqual([
      [A, 1250, 'a, b'],
      [B, 300, 'c'],
    ]);
    expect(parsePaymentFile(`"${A}","12.50","a; b"\n`)).toMatchObject({ delimiter: ',', rows: [{ amount: 1250, memo: 'a; b' }] });
  });

  it('ignores a byte order mark, CRLF or CR line ends, blank lines and trailing empty columns', () => {
    const plain = parsePaymentFile(`account,amount,memo\n${A},12.50,Salary May\n${B},1000\n`);
    const messy = parsePaymentFile(`\uFEFFaccount,amount,memo,,\r\n\r\n   \r\n${A},12.50,Salary May,,\r\n,,,\r\n\r\n${B},1000,,\r\n\r\n`);
    expect(messy).toMatchObject({ header: true, columns: ['account', 'amount', 'memo'], problems: [] });
    expect(payments(messy)).toEqual(payments(plain));
    expect(messy.rows.map((r) => r.line)).toEqual([4, 7]);
    const oldMac = parsePaymentFile(`\uFEFF${A},12.50\r${B},1000\r`);
    expect(payments(oldMac)).toEqual([
      [A, 1250, undefined],
      [B, 100000, undefined],
    ]);
    expect(oldMac.rows.map((r) => r.line)).toEqual([1, 2]);
    // Mixed line ends (two exports glued together) still split on each.
    expect(parsePaymentFile(`${A},1\r\n${B},2\n${C},3\r`).rows.map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it('normalizes account numbers as people write them', () => {
    expect(only(parsePaymentFile(`${formatAccountNumber(A).toLowerCase()},5\n`)).account).toBe(A);
  });

  it('accepts thousands grouped by spaces (also no-break ones) when unambiguous', () => {
    expect(only(parsePaymentFile(`${A};1 234,56\n`)).amount).toBe(123456);
    expect(only(parsePaymentFile(`${A};1\u202F234\u00A0567,8\n`)).amount).toBe(123456780);
    expect(only(parsePaymentFile(`${A},1 234.56\n`)).amount).toBe(123456);
    expect(only(parsePaymentFile(`${A},12 34.56\n`)).problems).toEqual([{ code: 'amount_invalid', value: '12 34.56' }]);
  });

  it('decides the decimal mark once per file', () => {
    // Ambiguous alone ("1.234"), a comma elsewhere makes the point a thousands separator.
    expect(payments(parsePaymentFile(`${A};1.234\n${B};0,5\n`))).toEqual([
      [A, 123400, undefined],
      [B, 50, undefined],
    ]);
    // No hint either way: a point, so "1,234" is one thousand two hundred and thirty-four.
    expect(parsePaymentFile(`${A};1,234\n`)).toMatchObject({ decimal: '.', rows: [{ amount: 123400 }] });
    // Both marks as decimals: read with a point, and the comma rows are refused, never misread.
    const mixed = parsePaymentFile(`${A};12,50\n${B};3.25\n`);
    expect(mixed.decimal).toBe('.');
    expect(problemsOf(mixed)).toEqual([{ line: 1, problems: [{ code: 'amount_invalid', value: '12,50' }] }]);
    // Three decimals for a three-decimal currency.
    expect(payments(parsePaymentFile(`${A};1,234\n${B};1,5\n`, { fractionDigits: 3 }))).toEqual([
      [A, 1234, undefined],
      [B, 1500, undefined],
    ]);
  });
});

describe('problems, each at its line', () => {
  it('reports every row problem code with its parameters', () => {
    const memo141 = 'm'.repeat(141);
    const lines = [
      'account,amount,memo,name,reference', // 1
      `,12.50`, // 2
      `${TYPO},12.50`, // 3
      `DB00 nonsense,12.50`, // 4
      `${A},`, // 5
      `${A},12.5x`, // 6
      `${A},-3`, // 7
      `${A},0`, // 8
      `${A},0.001`, // 9
      `${A},100000000000000000000`, // 10
      `${A},1e3`, // 11
      `${A},12,50,memo`, // 12
      `${A},1,${memo141}`, // 13
      `${A},1,"bidi \u202Eevil"`, // 14
      `${A},1,ok,${'n'.repeat(200)}`, // 15
      `${A},1,ok,"zero\u200Bwidth"`, // 16
      `${A},1,ok,x,${'r'.repeat(150)}`, // 17
      `${A},1,ok,x,"\u0007bell"`, // 18
      `${A},1,ok,x,y,extra`, // 19
      `${A},"12.50"x,memo`, // 20
      `${B},7`, // 21
    ];
    const file = parsePaymentFile(lines.join('\n'));
    expect(file.problems).toEqual([]);
    expect(problemsOf(file)).toEqual([
      { line: 2, problems: [{ code: 'account_missing' }] },
      { line: 3, problems: [{ code: 'account_invalid', value: TYPO }] },
      { line: 4, problems: [{ code: 'account_invalid', value: 'DB00 nonsense' }] },
      { line: 5, problems: [{ code: 'amount_missing' }] },
      { line: 6, problems: [{ code: 'amount_invalid', value: '12.5x' }] },
      { line: 7, problems: [{ code: 'amount_not_positive', value: '-3' }] },
      { line: 8, problems: [{ code: 'amount_not_positive', value: '0' }] },
      { line: 9, problems: [{ code: 'amount_precision', value: '0.001', digits: 2 }] },
      { line: 10, problems: [{ code: 'amount_too_large', value: '100000000000000000000' }] },
      { line: 11, problems: [{ code: 'amount_invalid', value: '1e3' }] },
      { line: 12, problems: [{ code: 'amount_split', value: '12,50' }] },
      { line: 13, problems: [{ code: 'memo_too_long', length: 141 }] },
      { line: 14, problems: [{ code: 'memo_unsafe' }] },
      { line: 15, problems: [{ code: 'name_too_long', length: 200 }] },
      { line: 16, problems: [{ code: 'name_unsafe' }] },
      { line: 17, problems: [{ code: 'reference_too_long', length: 150 }] },
      { line: 18, problems: [{ code: 'reference_unsafe' }] },
      { line: 19, problems: [{ code: 'too_many_columns', count: 6, max: 5 }] },
      { line: 20, problems: [{ code: 'malformed_quote' }] },
    ]);
    // The row after a broken quote is read on its own line, not swallowed.
    expect(file.rows.at(-1)).toMatchObject({ line: 21, account: B, amount: 700, problems: [] });
    for (const row of file.rows) for (const p of row.problems) expect(describeProblem(p)).toMatch(/^[a-z"]/);
  });

  it('counts a memo in characters after NFC and trimming, as the relay does', () => {
    const composed = 'é'.repeat(140);
    expect(only(parsePaymentFile(`${A},1,"  ${composed.normalize('NFD')}  "\n`)).memo).toBe(composed);
  });

  it('cuts a long cell in a problem to 40 characters', () => {
    const row = only(parsePaymentFile(`${'DB' + '9'.repeat(60)},1\n`));
    expect(row.problems).toEqual([{ code: 'account_invalid', value: 'DB' + '9'.repeat(37) + '…' }]);
  });

  it('reports an unclosed quote at its line and goes on reading the next line', () => {
    const file = parsePaymentFile(`${A},1,ok\n${B},2,"never closed\n${C},3,fine\n`);
    expect(file.problems).toEqual([]);
    expect(file.rows.map((r) => [r.line, r.account, r.amount, r.problems])).toEqual([
      [1, A, 100, []],
      [2, '', null, [{ code: 'unclosed_quote' }]],
      [3, C, 300, []],
    ]);
  });

  it('still finds the separator when every line has a stray quote, and says so per row', () => {
    for (const d of [',', ';', '\t']) {
      const file = parsePaymentFile(`${A}${d}"1"x${d}"memo"\n${B}${d}2${d}"open\n`);
      expect(file.delimiter).toBe(d);
      expect(problemsOf(file)).toEqual([
        { line: 1, problems: [{ code: 'malformed_quote' }] },
        { line: 2, problems: [{ code: 'unclosed_quote' }] },
      ]);
    }
  });

  it('with a header, refuses cells past the last column', () => {
    const file = parsePaymentFile(`account,amount\n${A},12.50,surprise\n${B},1,,\n`);
    expect(problemsOf(file)).toEqual([{ line: 2, problems: [{ code: 'too_many_columns', count: 3, max: 2 }] }]);
    // An unquoted decimal comma in a comma file with a header: the split is the problem, not the extra cell.
    expect(problemsOf(parsePaymentFile(`account,amount\n${A},12,5\n`))).toEqual([
      { line: 2, problems: [{ code: 'amount_split', value: '12,5' }] },
    ]);
  });

  it('reports header problems once, for the file, with no rows', () => {
    const cases: [string, PaymentFile['problems']][] = [
      [`account,amount,date\n${A},1,2024-05-01\n`, [{ code: 'unknown_column', name: 'date' }]],
      [`account,,amount\n${A},,1\n`, [{ code: 'unknown_column', name: '' }]],
      [`account,amount,payee,name\n${A},1,x,y\n`, [{ code: 'duplicate_column', column: 'name' }]],
      [`amount,memo\n1,x\n`, [{ code: 'no_account_column' }]],
      [`account,sum\n${A},1\n`, [{ code: 'unknown_column', name: 'sum' }, { code: 'no_amount_column' }]],
    ];
    for (const [text, problems] of cases) {
      const file = parsePaymentFile(text);
      expect(file.problems, text).toEqual(problems);
      expect(file.rows).toEqual([]);
      expect(file.header).toBe(true);
    }
  });

  it('says a file with no payment rows is empty', () => {
    for (const text of ['', '\uFEFF', '\n\r\n  \n', ';;;\n', 'account,amount,memo\n', 'account;amount\n\n\n']) {
      expect(parsePaymentFile(text).problems, JSON.stringify(text)).toEqual([{ code: 'empty' }]);
    }
  });

  it('says a binary or UTF-16 file is not text', () => {
    const utf16 = String.fromCharCode(...new Uint8Array(new Uint16Array([...`${A},1\n`].map((c) => c.charCodeAt(0))).buffer));
    expect(parsePaymentFile(utf16)).toMatchObject({ rows: [], problems: [{ code: 'not_text' }] });
  });

  it('never throws on garbage', () => {
    const garbage = ['"', '""""', '"a"b"c', ',,,,,,,,,,,,,,,\n', '\u0007\u0001', 'x'.repeat(100_000), '"\n'.repeat(1000), ';\t,"\r'.repeat(500)];
    for (const text of garbage) expect(() => parsePaymentFile(text)).not.toThrow();
  });

  it('throws on a wrong option, which is a bug in the caller', () => {
    expect(() => parsePaymentFile('', { fractionDigits: 1.5 })).toThrow(RangeError);
    expect(() => parsePaymentFile('', { maxRows: 0 })).toThrow(RangeError);
  });
});

describe('row limit', () => {
  const rows = (n: number, header = true): string =>
    (header ? 'account;amount;memo\n' : '') + Array.from({ length: n }, (_, i) => `${makeAccountNumber(i + 1)};${i + 1},00;row ${i + 1}`).join('\n');

  it(`accepts ${RUN_ROWS_MAX} rows`, () => {
    const file = parsePaymentFile(rows(RUN_ROWS_MAX));
    expect(file.problems).toEqual([]);
    expect(file.rows).toHaveLength(RUN_ROWS_MAX);
    expect(file.rows.every((r) => r.problems.length === 0)).toBe(true);
    expect(file.rows.at(-1)).toMatchObject({ line: RUN_ROWS_MAX + 1, amount: RUN_ROWS_MAX * 100, memo: `row ${RUN_ROWS_MAX}` });
  });

  it(`refuses ${RUN_ROWS_MAX + 1} rows as one file problem, not ${RUN_ROWS_MAX + 1} row problems`, () => {
    expect(parsePaymentFile(rows(RUN_ROWS_MAX + 1))).toMatchObject({
      rows: [],
      problems: [{ code: 'too_many_rows', rows: RUN_ROWS_MAX + 1, max: RUN_ROWS_MAX }],
    });
    expect(parsePaymentFile(rows(20_000, false)).problems).toEqual([{ code: 'too_many_rows', rows: 20_000, max: RUN_ROWS_MAX }]);
    expect(parsePaymentFile(rows(3), { maxRows: 2 }).problems).toEqual([{ code: 'too_many_rows', rows: 3, max: 2 }]);
  });

  it('parses a full file quickly enough not to matter (timed by eye in the output, never asserted)', () => {
    const text = `account,amount,memo,name,reference\n` + Array.from({ length: RUN_ROWS_MAX }, (_, i) => `${makeAccountNumber(i + 1)},"1,${String(i % 1000).padStart(3, '0')}.50","Salary, ""May""",Name ${i},REF-${i}`).join('\r\n');
    const started = performance.now();
    const file = parsePaymentFile(text);
    const ms = performance.now() - started;
    console.log(`parsed ${file.rows.length} rows (${text.length} characters) in ${ms.toFixed(1)} ms`);
    expect(file.rows).toHaveLength(RUN_ROWS_MAX);
    expect(file.rows.filter((r) => r.problems.length > 0)).toEqual([]);
  });
});

describe('duplicates', () => {
  it('marks a row repeating an earlier valid row’s account and amount, or its reference', () => {
    const file = parsePaymentFile(
      [
        'account,amount,memo,reference',
        `${A},12.50,first,R1`, // 2
        `${B},12.50,other payee,R2`, // 3
        `${A},12.50,same payment again,R3`, // 4 → 2
        `${A},12.51,other amount,R1`, // 5 → 2 (reference)
        `${C},1,,R2`, // 6 → 3 (reference)
        `${C},2,no reference,`, // 7
        `${C},3,,`, // 8: an empty reference repeats nothing
        `${TYPO},12.50,invalid rows are not compared,R1`, // 9
        `${C},2,after an invalid one,R9`, // 10 → 7
      ].join('\n'),
    );
    expect(file.rows.map((r) => [r.line, r.duplicateOf])).toEqual([
      [2, undefined],
      [3, undefined],
      [4, 2],
      [5, 2],
      [6, 3],
      [7, undefined],
      [8, undefined],
      [9, undefined],
      [10, 7],
    ]);
    // A warning, not a problem.
    expect(file.rows[2]!.problems).toEqual([]);
  });
});
