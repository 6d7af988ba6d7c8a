import { describe, expect, it } from 'vitest';
import { makeAccountNumber } from '../../common/account-number.js';
import { AccountTable } from '../../relay/ledger/account-table.js';
import { LedgerEngine } from '../../relay/ledger/engine.js';
import type { AccountState, LedgerRules } from '../../relay/ledger/types.js';

const RULES: LedgerRules = { currency: 'USD', largeTransferAlert: 1_000_000, defaultLimits: { perTransfer: 100_000, perDay: 500_000 } };

function account(number: string, owner: string | null = 'alice'): AccountState {
  return { account: number, owner, status: 'active', balance: 0, entrySeq: 0, createdAt: '2026-01-01T00:00:00.000Z' };
}

/** The same serial under other check digits: a number the bank never made. */
function otherCheckDigits(number: string): string {
  const cc = (Number(number.slice(2, 4)) + 1) % 100;
  return `DB${String(cc).padStart(2, '0')}${number.slice(4)}`;
}

describe('AccountTable', () => {
  it('finds accounts by number, serials in any order and far apart, and only under their own check digits', () => {
    const table = new AccountTable();
    const serials = [5, 0, 70_000, 4_095, 4_096, 123_456_789, 1];
    for (const s of serials) table.set(account(makeAccountNumber(s)));
    expect(table.size).toBe(serials.length);
    for (const s of serials) expect(table.get(makeAccountNumber(s))?.account).toBe(makeAccountNumber(s));
    expect(table.get(otherCheckDigits(makeAccountNumber(5)))).toBeUndefined();
    expect(table.get(makeAccountNumber(6))).toBeUndefined();
    expect(table.has(makeAccountNumber(70_000))).toBe(true);
    // In serial order, which is the order the bank opened them.
    expect([...table.values()].map((a) => a.account)).toEqual([...serials].sort((x, y) => x - y).map(makeAccountNumber));
  });

  it('keeps numbers of another shape, and a second number for one serial, apart without losing either', () => {
    const table = new AccountTable();
    const made = makeAccountNumber(9);
    const twin = otherCheckDigits(made);
    for (const n of [made, twin, 'LEGACY-1', 'DB99999999999999', 'DBxx0000000001']) table.set(account(n));
    expect(table.size).toBe(5);
    for (const n of [made, twin, 'LEGACY-1', 'DB99999999999999', 'DBxx0000000001']) expect(table.get(n)?.account).toBe(n);
    // Setting one again replaces it.
    table.set({ ...account(made), balance: 7 });
    table.set({ ...account('LEGACY-1'), balance: 8 });
    expect(table.size).toBe(5);
    expect(table.get(made)?.balance).toBe(7);
    expect(table.get('LEGACY-1')?.balance).toBe(8);
  });
});

describe('LedgerEngine: owners of loaded accounts', () => {
  it('indexes loaded accounts by owner in opening order, in slices or all at once when asked, loads again from the first', () => {
    const engine = new LedgerEngine(RULES);
    // Read in key order (check digits first), not in the order they were opened.
    const opened = Array.from({ length: 50 }, (_, i) => account(makeAccountNumber(i + 1), `owner_${i % 7}`));
    const byKey = [...opened].sort((a, b) => (a.account < b.account ? -1 : 1));
    engine.loadAccounts(byKey.slice(0, 20));
    engine.loadAccounts(byKey.slice(20));
    engine.load([], [], 51, 0);
    expect(engine.indexOwners(10)).toBe(false);
    expect(engine.indexOwners(10)).toBe(false);
    // Asking before the slices are done finishes the index first.
    expect(engine.accountsOf('owner_3').map((a) => a.account)).toEqual(opened.filter((a) => a.owner === 'owner_3').map((a) => a.account));
    expect(engine.indexOwners(10)).toBe(true);
    for (let o = 0; o < 7; o++) {
      expect(engine.accountsOf(`owner_${o}`).map((a) => a.account)).toEqual(opened.filter((a) => a.owner === `owner_${o}`).map((a) => a.account));
    }
    // An account opened now comes after the loaded ones; a freeze reaches them all.
    const added = engine.openAccount('owner_3', new Date('2026-02-01T00:00:00.000Z'));
    expect(engine.accountsOf('owner_3').at(-1)).toBe(added);
    expect(engine.setOwnerStatus('owner_3', 'frozen').length).toBe(opened.filter((a) => a.owner === 'owner_3').length + 1);
  });
});
