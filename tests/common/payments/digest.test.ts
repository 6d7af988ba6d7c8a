import { describe, expect, it } from 'vitest';
import { formatAccountNumber, makeAccountNumber } from '../../../common/account-number.js';
import { runDigest } from '../../../common/payments/digest.js';
import { type PaymentRow, parsePaymentFile } from '../../../common/payments/payment-file.js';

const A = makeAccountNumber(101);
const B = makeAccountNumber(202);
const C = makeAccountNumber(303);

async function digestOf(text: string): Promise<string> {
  const file = parsePaymentFile(text);
  expect(file.problems).toEqual([]);
  return runDigest(file.rows);
}

/** The same three payments, saved the ways spreadsheets and people save them. */
const RESAVED = [
  `account,amount,memo\n${A},1234.50,"Rent, May"\n${B},12,\n${C},0.05,"say ""hi"""\n`,
  `${A},"1,234.50","Rent, May"\n${B},12.00\n${C},.05,"say ""hi"""`,
  `\uFEFFAccount;Amount;Memo\r\n${formatAccountNumber(A)};1.234,50;Rent, May\r\n\r\n${B};12;\r\n${C};0,05;"say ""hi"""\r\n`,
  `memo\tamount\taccount\tname\treference\n"Rent, May"\t1 234.50\t${A.toLowerCase()}\tLandlord\tR-1\n\t12\t${B}\tBob\tR-2\nsay "hi"\t0.05\t${C}\t\t\n`,
  `${A};"1234,5";"  Rent, May  ";Someone else;X\r${B};12;;;\r${C};"0,05";"say ""hi""";;`,
];

describe('runDigest', () => {
  it('is the lowercase hex SHA-256 of a fixed canonical form', async () => {
    const rows: PaymentRow[] = [{ line: 1, account: A, amount: 123450, memo: 'Rent', problems: [] }];
    const expected = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(`["bank-payment-run/1",[["${A}",123450,"Rent"]]]`));
    expect(await runDigest(rows)).toBe(Buffer.from(expected).toString('hex'));
    expect(await runDigest(rows)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same payments in a re-saved file', async () => {
    const digests = await Promise.all(RESAVED.map(digestOf));
    expect(new Set(digests).size).toBe(1);
  });

  it('ignores name and reference, which move no money', async () => {
    expect(await digestOf(`${A},1,memo,Jane,R1\n`)).toBe(await digestOf(`${A},1,memo,John,R2\n`));
  });

  it('counts valid rows only: a refused row is not paid', async () => {
    expect(await digestOf(`${A},1\nnot an account,2\n${B},3\n`)).toBe(await digestOf(`${A},1\n${B},3\n`));
    expect(await digestOf(`${A},1\n${A},1\n`)).not.toBe(await digestOf(`${A},1\n`));
  });

  it('changes with any account, amount, memo or the order', async () => {
    const base = `${A},12.50,Rent\n${B},3,Gas\n`;
    const changed = [
      `${C},12.50,Rent\n${B},3,Gas\n`,
      `${A},12.51,Rent\n${B},3,Gas\n`,
      `${A},12.50,rent\n${B},3,Gas\n`,
      `${A},12.50,Rent \u00B7\n${B},3,Gas\n`,
      `${A},12.50\n${B},3,Gas\n`,
      `${B},3,Gas\n${A},12.50,Rent\n`,
      `${A},12.50,Rent\n`,
      // Cells shifted between rows: a naive join of the cells would not notice.
      `${A},12.50,"Rent"\n${B},3,"Gas"\n${C},1,\n`,
    ];
    const digests = await Promise.all([base, ...changed].map(digestOf));
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('has a digest for no valid rows (the caller refuses such a run; the digest need not)', async () => {
    expect(await runDigest([])).toMatch(/^[0-9a-f]{64}$/);
  });
});
