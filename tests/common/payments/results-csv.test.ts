import { describe, expect, it } from 'vitest';
import { makeAccountNumber } from '../../../common/account-number.js';
import { RUN_RESULTS_HEADER, type RunResultRow, runResultsCsv } from '../../../common/payments/results-csv.js';
import { parsePaymentFile } from '../../../common/payments/payment-file.js';

const A = makeAccountNumber(101);
const B = makeAccountNumber(202);
const ID = '123e4567-e89b-42d3-a456-426614174000';

function row(patch: Partial<RunResultRow> = {}): RunResultRow {
  return { line: 2, account: A, amount: 123450, transferId: ID, status: 'posted', ...patch };
}

describe('runResultsCsv', () => {
  it('writes the header, then every text cell quoted and the line and amount bare', () => {
    const csv = runResultsCsv([row({ memo: 'Rent', name: 'Jane', reference: 'R-1' })], 'USD');
    expect(csv).toBe(
      'line,account,name,reference,amount,memo,transferId,status,error_code,error_message\r\n' +
        `2,"${A}","Jane","R-1",1234.50,"Rent","${ID}","posted",,\r\n`,
    );
    expect(RUN_RESULTS_HEADER.join(',')).toBe('line,account,name,reference,amount,memo,transferId,status,error_code,error_message');
  });

  it('writes amounts as exact decimals in the currency’s own digits', () => {
    const amounts = (currency: string, amount: number) => runResultsCsv([row({ amount })], currency).split('\r\n')[1]!.split(',')[4];
    expect(amounts('USD', 5)).toBe('0.05');
    expect(amounts('JPY', 1234)).toBe('1234');
    expect(amounts('BHD', 1234)).toBe('1.234');
    expect(amounts('USD', Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
  });

  it('defuses formula starts, doubles quotes and keeps semicolons inside quotes', () => {
    const csv = runResultsCsv(
      [
        row({
          memo: '=HYPERLINK("http://evil","x")',
          name: '+49 30 1234',
          reference: '-2+3',
          status: 'failed',
          error: { code: 'INSUFFICIENT_FUNDS', message: '@SUM(A1); not enough money' },
        }),
        row({ line: 3, account: B, memo: 'rent;=cmd|"/c calc"!A1', name: '\tTabbed', reference: '\rCR', status: 'in_doubt' }),
        row({ line: 4, memo: '-12.34', name: 'say "hi"', status: 'excluded' }),
      ],
      'EUR',
    );
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe(
      `2,"${A}","'+49 30 1234","'-2+3",1234.50,"'=HYPERLINK(""http://evil"",""x"")","${ID}","failed","INSUFFICIENT_FUNDS","'@SUM(A1); not enough money"`,
    );
    expect(lines[2]).toBe(`3,"${B}","'\tTabbed","'\rCR",1234.50,"rent;=cmd|""/c calc""!A1","${ID}","in_doubt",,`);
    // A plain number in a text cell is data: quoted like any text, not defused.
    expect(lines[3]).toBe(`4,"${A}","say ""hi""",,1234.50,"-12.34","${ID}","excluded",,`);
    expect(lines[4]).toBe('');
  });

  it('reads back through the payment file reader: the results are themselves a valid payment file', () => {
    const csv = runResultsCsv([row({ memo: 'Rent, May; "flat"', name: 'Roe, Jane', reference: 'R-1' })], 'USD');
    // The reader does not know the results' extra columns, so it says which; the values still split right.
    const file = parsePaymentFile(csv);
    expect(file.problems.map((p) => p.code)).toEqual(['unknown_column', 'unknown_column', 'unknown_column', 'unknown_column', 'unknown_column']);
    expect(file.delimiter).toBe(',');
  });

  it('writes nothing but the header for no rows', () => {
    expect(runResultsCsv([], 'USD')).toBe(`${RUN_RESULTS_HEADER.join(',')}\r\n`);
  });
});
