import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LegacyFileError, parseLegacyFile, toMinorUnits } from '../../../relay/legacy/import/parse.js';
import { mapUsername, planImport } from '../../../relay/legacy/import/plan.js';
import { historyWithLegacy, toLegacyEntry } from '../../../relay/legacy/history.js';
import { mustChangePassword } from '../../../relay/legacy/record.js';

/*
 * The reader of the old Qt bank's BankDatabase.json (LEGACY-PROTOCOL §3), on its own: the
 * fixture built from §3.2–3.3 reads whole, and a file of every quirk §3/§3.4 name gets each record
 * imported, changed or rejected with its reason.
 */
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/legacy/${name}`, import.meta.url), 'utf8');

describe('parseLegacyFile on the sample-shaped fixture (§3.3)', () => {
  const parsed = parseLegacyFile(fixture('BankDatabase.json'));

  it('finds 8 users and 3 admins at positions 0 and 1, balances summing to 633186, 30 history entries with their ids', () => {
    expect(parsed.layout).toBe('positional');
    expect(parsed.inFile).toEqual({ users: 8, admins: 3, history: 30 });
    expect(parsed.customers.map((c) => c.account)).toEqual(['ACC1001', 'ACC1002', 'ACC1003', 'ACC1004', 'ACC1005', 'ACC1006', 'ACC10038', 'Acc1001773']);
    expect(parsed.customers.reduce((n, c) => n + c.balance, 0)).toBe(633186_00);
    const ids = parsed.customers.flatMap((c) => c.history.map((h) => h.id));
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(parsed.admins.map((a) => a.username)).toEqual(['admin1', 'admin2', 'admin3']);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.changed).toEqual([]);
  });

  it('keeps each history newest first (same-day entries in the file\'s order), amounts in minor units, ids with their leading zeros', () => {
    const david = parsed.customers.find((c) => c.username === 'David_hector')!;
    expect(david.history).toEqual([
      { id: '1288266476', date: '2024-12-27', amount: 300000 },
      { id: '7001234567', date: '2024-12-06', amount: 200000 },
      { id: '7001234568', date: '2024-12-06', amount: -200000 },
    ]);
    expect(parsed.customers[0]!.history.at(-1)).toEqual({ id: '0040650000', date: '2024-12-27', amount: 300000 });
  });

  it('flags passwords below today\'s policy, and only those; notes unknown keys; ignores is_logged_in', () => {
    expect(parsed.customers.filter((c) => c.weakPassword).map((c) => c.username)).toEqual(['omar.k']);
    expect(parsed.admins.filter((a) => a.weakPassword).map((a) => a.username)).toEqual(['admin3']);
    expect(parsed.warnings).toEqual([{ place: 'users[5]', who: 'Sara_Ahmed', reason: 'unknown key "note" not imported' }]);
  });
});

describe('parseLegacyFile on a file of every quirk', () => {
  const parsed = parseLegacyFile(fixture('BankDatabase-quirks.json'));
  const rejectedAt = (place: string) => parsed.rejected.filter((f) => f.place === place).map((f) => f.reason);

  it('reads users and admins by key wherever they are, with a warning', () => {
    expect(parsed.layout).toBe('by-key');
    expect(parsed.warnings[0]).toMatchObject({ place: 'file', reason: expect.stringMatching(/not at positions 0 and 1 .*users at \[2\], admins at \[0\]/) });
    expect(parsed.inFile).toEqual({ users: 18, admins: 3, history: 5 });
  });

  it('rejects each bad record with its reason, and keeps the rest', () => {
    expect(rejectedAt('users[3]')).toEqual(['balance is null, not a number']);
    expect(rejectedAt('users[4]')).toEqual(['balance is the text "100", not a number']);
    expect(rejectedAt('users[5]')).toEqual(['balance is negative (-50.00): not imported; a person must settle it']);
    expect(rejectedAt('users[7]')).toEqual(['duplicate account number "ACC1001" (first at users[0])']);
    expect(rejectedAt('users[2]')).toEqual([expect.stringMatching(/^username "Jane_Smith" differs only in case or width from the one at users\[1\]/)]);
    expect(rejectedAt('users[10]')).toEqual([expect.stringMatching(/"admin1" is in both users and admins: a person must decide/)]);
    expect(rejectedAt('admins[0]')).toEqual([expect.stringMatching(/"admin1" is in both users and admins/)]);
    expect(rejectedAt('users[12]')).toEqual(['password is missing: nobody could sign in']);
    expect(rejectedAt('users[13]')).toEqual(['balance 1.234 has more than 2 decimals']);
    expect(rejectedAt('users[17]')).toEqual(['not a user record (an object)']);
    expect(parsed.rejected).toHaveLength(12);
    expect(parsed.customers.map((c) => c.username)).toEqual(['john_doe', 'jane_smith', 'half', 'adham hossam', 'x', 'with_email', 'Ünïcödé Name', 'a_very_long_username_from_the_old_bank_x', 'zero']);
    expect(parsed.admins.map((a) => a.username)).toEqual(['admin2', 'root']);
  });

  it('rejects single history entries (amount with 3 decimals, impossible date), generates a missing id, keeps amounts of 0', () => {
    expect(rejectedAt('users[0].transactions[1]')).toEqual(['amount 10.005 has more than 2 decimals']);
    expect(rejectedAt('users[0].transactions[2]')).toEqual(['date is the text "2025-13-01", not a yyyy-MM-dd day']);
    expect(parsed.changed).toEqual([{ place: 'users[0].transactions[0]', who: 'john_doe', reason: 'no transactionId: imported as "ACC1001-5"' }]);
    expect(parsed.customers[0]!.history).toEqual([
      { id: 'ACC1001-5', date: '2025-01-26', amount: -450000, generated: true },
      { id: '3333333333', date: '2024-12-30', amount: 0 },
      { id: '0040650000', date: '2024-12-27', amount: 1250 },
    ]);
  });

  it('takes fractional balances with up to 2 decimals exactly, and notes unknown keys', () => {
    expect(parsed.customers.find((c) => c.username === 'half')).toMatchObject({ balance: 49050, weakPassword: true });
    expect(parsed.warnings.map((w) => `${w.place} ${w.reason}`)).toEqual(
      expect.arrayContaining(['users[11] unknown key "email" not imported', 'admins[2] unknown key "balance" not imported']),
    );
  });

  it('refuses a whole file only when it cannot be a bank', () => {
    expect(() => parseLegacyFile('{"users": [')).toThrow(LegacyFileError);
    expect(() => parseLegacyFile('[{"people": []}]')).toThrow(/no "users" and no "admins"/);
    expect(() => parseLegacyFile('[{"users": []}, {"users": []}]')).toThrow(/"users" appears 2 times/);
    expect(() => parseLegacyFile('[{"users": {}}]')).toThrow(/"users" at \[0\] is not a list/);
    // A byte-order mark and a file with users only are fine.
    expect(parseLegacyFile('\uFEFF{"users": []}')).toMatchObject({ layout: 'by-key', customers: [], admins: [] });
  });
});

describe('amounts, names, the import plan and legacy paging', () => {
  it('converts amounts to minor units only when exact (§3.4.2)', () => {
    expect(toMinorUnits(3796)).toBe(379600);
    expect(toMinorUnits(0.1 + 0.2)).toBe(30);
    expect(toMinorUnits(-0)).toBe(0);
    expect(toMinorUnits(1e300)).toEqual({ reason: '1e+300 is too large' });
    expect(toMinorUnits(0.001)).toEqual({ reason: '0.001 has more than 2 decimals' });
    expect(toMinorUnits('5')).toEqual({ reason: 'is the text "5", not a number' });
  });

  it('maps usernames to today\'s rules, keeping what it can', () => {
    expect(mapUsername('john_doe')).toEqual({ username: 'john_doe', mapping: 'kept' });
    expect(mapUsername('David_hector')).toEqual({ username: 'david_hector', mapping: 'folded' });
    expect(mapUsername('adham hossam')).toEqual({ username: 'adham_hossam', mapping: 'renamed' });
    expect(mapUsername('x')).toEqual({ username: 'x_user', mapping: 'renamed' });
    expect(mapUsername('Ünïcödé Name')).toEqual({ username: 'unicode_name', mapping: 'renamed' });
    expect(mapUsername('a_very_long_username_from_the_old_bank_x')).toEqual({ username: 'a_very_long_username_from_the_ol', mapping: 'renamed' });
    expect(mapUsername('!!!')).toEqual({ username: 'legacy_user', mapping: 'renamed' });
  });

  it('plans new names around those taken, and recognises what an earlier run imported', async () => {
    const parsed = parseLegacyFile(fixture('BankDatabase.json'));
    const plan = await planImport(parsed, {
      byLegacyAccount: async (a) => (a === 'ACC1001' ? { username: 'john_doe', role: 'user', legacyUsername: 'john_doe', legacyAccount: 'ACC1001' } : a === 'ACC1002' ? { username: 'someone', role: 'user', legacyUsername: 'someone_else', legacyAccount: 'ACC1002' } : undefined),
      byLegacyUsername: async () => undefined,
      isTaken: async (n) => n === 'admin1' || n === 'john_doe',
    });
    expect(plan.rejected).toEqual([{ place: 'users[1]', who: 'jane_smith', reason: 'old account number "ACC1002" was imported earlier for "someone_else" (now someone)' }]);
    const byOld = new Map(plan.records.map((r) => [r.source.username, r]));
    expect(byOld.get('john_doe')).toMatchObject({ username: 'john_doe', already: { username: 'john_doe' } });
    expect(byOld.get('admin1')).toMatchObject({ username: 'admin1_2', mapping: 'taken', signIn: expect.stringMatching(/belongs to another user of this bank/) });
    expect(byOld.get('adham hossam')).toMatchObject({ username: 'adham_hossam', mapping: 'renamed', displayName: 'adham hossam', signIn: 'signs in as "adham_hossam", or with the old name "adham hossam" (an alias)' });
    expect(byOld.get('David_hector')).toMatchObject({ username: 'david_hector', mapping: 'folded' });
  });

  it('pages the account\'s own entries, then the imported ones, newest first, one cursor over both', async () => {
    const own = Array.from({ length: 5 }, (_, i) => ({ transferId: `00000000-0000-4000-8000-00000000000${5 - i}`, ts: '2025-06-01T00:00:00.000Z', amount: 100, counterparty: 'x', balanceAfter: 500 - 100 * i }));
    const ownPage = async (limit: number, before: string | undefined) => {
      const from = before === undefined ? 0 : 5 - Number(before) + 1;
      const entries = own.slice(from, from + limit);
      return from + limit < own.length ? { entries, next: String(5 - (from + limit) + 1) } : { entries };
    };
    const legacy = [3, 2, 1].map((n) => toLegacyEntry({ id: `L${n}`, date: `2024-0${n}-01`, amount: n }, 'ACC1'));
    const pages: string[][] = [];
    let before: string | undefined;
    for (;;) {
      const page = await historyWithLegacy(ownPage, legacy, 3, before);
      pages.push([...page.entries.map((e) => e.transferId.slice(-1)), ...page.legacyEntries.map((e) => e.legacyId)]);
      if (page.next === undefined) break;
      before = page.next;
    }
    expect(pages).toEqual([['5', '4', '3'], ['2', '1', 'L3'], ['L2', 'L1']]);
    expect(legacy[0]).toEqual({ kind: 'legacy', legacyId: 'L3', date: '2024-03-01', ts: '2024-03-01T00:00:00.000Z', amount: 3, legacyAccount: 'ACC1' });
    expect((await historyWithLegacy(ownPage, legacy, 10, 'legacy:0')).legacyEntries.map((e) => e.legacyId)).toEqual(['L3', 'L2', 'L1']);
    await expect(historyWithLegacy(ownPage, legacy, 10, 'legacy:9')).rejects.toThrow(/not a cursor/);
  });

  it('asks for a new password while the imported weak one is in use, and stops once it is changed', () => {
    const legacy = { username: 'omar.k', importedAt: '', source: '', weakPasswordHash: 'scrypt$h1', history: [] };
    expect(mustChangePassword({ passwordHash: 'scrypt$h1', legacy })).toBe(true);
    expect(mustChangePassword({ passwordHash: 'scrypt$h2', legacy })).toBe(false);
    expect(mustChangePassword({ passwordHash: 'scrypt$h1' })).toBe(false);
  });
});
