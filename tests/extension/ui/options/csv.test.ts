// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../../common/schemas/models.js';
import { csvCell, toCsv } from '../../../../common/csv.js';
import { statementCsv, transfersCsv } from '../../../../extension/src/ui/options/lib/csv.js';
import { parseDateRange } from '../../../../extension/src/ui/options/lib/dates.js';
import { collectStatement, collectTransfers } from '../../../../extension/src/ui/options/lib/paging.js';

const A = 'DB18000000000101';

function e(ts: string, amount: number, patch: Partial<Entry> = {}): Entry {
  return { transferId: `00000000-0000-4000-8000-${ts.replace(/\D/g, '').slice(0, 12)}`, ts, amount, counterparty: A, balanceAfter: 1000, ...patch };
}

describe('CSV cells', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-42)).toBe('-42');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+49 30 1234')).toBe("'+49 30 1234");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
  });

  it('quotes a cell with a semicolon, so a spreadsheet that splits on ";" cannot make a formula of its tail', () => {
    expect(csvCell('rent;=cmd|"/c calc"!A1')).toBe(`"rent;=cmd|""/c calc""!A1"`);
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('=x;y')).toBe(`"'=x;y"`);
  });

  it('keeps plain numbers, negative ones included, as numbers', () => {
    expect(csvCell('-12.34')).toBe('-12.34');
    expect(csvCell('0.05')).toBe('0.05');
    expect(csvCell('-')).toBe("'-");
  });

  it('joins rows with CRLF and ends with one', () => {
    expect(toCsv(['a', 'b'], [[1, 'x'], ['=y', 'z,w']])).toBe("a,b\r\n1,x\r\n'=y,\"z,w\"\r\n");
  });
});

describe('statement CSV', () => {
  it('writes signed decimal amounts, counterparty, memo and balance after', () => {
    const csv = statementCsv(
      [
        e('2024-05-01T09:00:00.000Z', 12_345, { memo: 'Salary, May', balanceAfter: 12_345 }),
        e('2024-05-02T10:30:00.000Z', -505, { memo: '=cmd|calc', balanceAfter: 11_840 }),
      ],
      'USD',
    );
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('date,transferId,amount,counterparty,memo,balanceAfter');
    expect(lines[1]).toBe(`2024-05-01T09:00:00.000Z,00000000-0000-4000-8000-202405010900,123.45,${A},"Salary, May",123.45`);
    expect(lines[2]).toBe(`2024-05-02T10:30:00.000Z,00000000-0000-4000-8000-202405021030,-5.05,${A},'=cmd|calc,118.40`);
    expect(lines[3]).toBe('');
  });

  it('writes transfers with from, to and amount', () => {
    const csv = transfersCsv([{ id: 'id-1', from: A, to: 'DB45000000000000', amount: 7, ts: '2024-05-01T00:00:00.000Z', status: 'posted' }], 'USD');
    expect(csv).toBe(`date,transferId,from,to,amount,memo\r\n2024-05-01T00:00:00.000Z,id-1,${A},DB45000000000000,0.07,\r\n`);
  });
});

describe('collecting a statement through history pages', () => {
  // Newest first, as account.history returns them; 3 pages.
  const pages: Record<string, { entries: Entry[]; next?: string }> = {
    start: { entries: [e('2024-06-02T00:00:00.000Z', 1), e('2024-05-31T12:00:00.000Z', 2)], next: 'p2' },
    p2: { entries: [e('2024-05-20T00:00:00.000Z', -3), e('2024-05-01T00:00:00.000Z', 4)], next: 'p3' },
    p3: { entries: [e('2024-04-30T23:59:59.000Z', 5), e('2024-04-01T00:00:00.000Z', 6)], next: 'p4' },
  };

  it('skips newer entries, stops at the first older one, and returns oldest first', async () => {
    const asked: (string | undefined)[] = [];
    const found = await collectStatement(
      async (before) => {
        asked.push(before);
        return pages[before ?? 'start']!;
      },
      { since: '2024-05-01T00:00:00.000Z', until: '2024-05-31T23:59:59.999Z' },
    );
    expect(found.map((x) => x.amount)).toEqual([4, -3, 2]);
    expect(asked).toEqual([undefined, 'p2', 'p3']);
  });

  it('ends at the last page, and never loops on a repeated cursor', async () => {
    let n = 0;
    const found = await collectStatement(
      async () => {
        n++;
        return { entries: [e(`2024-05-0${n}T00:00:00.000Z`, n)], next: 'same' };
      },
      {},
    );
    expect(n).toBe(2);
    expect(found).toHaveLength(2);
    const all = await collectTransfers(async (cursor) =>
      cursor ? { transfers: [] } : { transfers: [{ id: 'a', from: A, to: A, amount: 1, ts: '2024-05-01T00:00:00.000Z', status: 'posted' as const }], next: 'x' },
    );
    expect(all).toHaveLength(1);
  });
});

describe('date ranges from date inputs', () => {
  it('covers whole local days and refuses impossible or reversed dates', () => {
    const r = parseDateRange({ from: '2024-05-01', to: '2024-05-31' });
    expect(new Date(r.since!).getDate()).toBe(1);
    expect(new Date(r.since!).getHours()).toBe(0);
    expect(new Date(r.until!).getHours()).toBe(23);
    expect(new Date(r.until!).getMilliseconds()).toBe(999);
    expect(parseDateRange({ from: '2024-02-31', to: '' }).errors.from).toBeTruthy();
    expect(parseDateRange({ from: '2024-05-02', to: '2024-05-01' }).errors.to).toMatch(/on or after/);
    expect(parseDateRange({ from: '', to: '' }, { required: true }).errors).toEqual({ from: 'choose the first day', to: 'choose the last day' });
    expect(parseDateRange({ from: '', to: '' })).toEqual({ errors: {} });
  });
});
