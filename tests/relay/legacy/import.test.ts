import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASH_ACCOUNT } from '../../../common/account-number.js';
import type { ImportReport } from '../../../relay/legacy/import/apply.js';
import { openingTransferId } from '../../../relay/legacy/record.js';
import { importLegacyFile } from '../../helpers/legacy-import.js';
import { connect, loginAs, startTestRelay, tempDir, type TestRelay } from '../../helpers/relay.js';

/*
 * `bank-relay legacy import` in process, on LevelDB: the fixture built from LEGACY-PROTOCOL
 * §3.2–3.3 goes in through the bank's one writer; then a relay on that data directory serves
 * the imported people over bankrelay/1 (old names as sign-in aliases, the imported history in
 * account.history, a weak password to change), both verifiers pass, and a second import
 * changes nothing.
 */
const text = readFileSync(new URL('../../fixtures/legacy/BankDatabase.json', import.meta.url), 'utf8');

const importInto = (dataDir: string, dryRun = false): Promise<ImportReport> => importLegacyFile(dataDir, text, dryRun);

let dataDir: string;
let first: ImportReport;
let t: TestRelay;

beforeAll(async () => {
  dataDir = await tempDir('bank-legacy-');
  first = await importInto(dataDir);
  t = await startTestRelay({ dataDir });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('legacy import into a LevelDB bank, then served over bankrelay/1', () => {
  it('imports every record: 8 customers with their balances as opening deposits, 3 admins, 30 history entries', () => {
    expect(first.rejected).toEqual([]);
    expect(first.wrote).toBe(true);
    expect(first.imported).toEqual({ users: 8, admins: 3, history: 30, balances: 633186_00 });
    expect(first.mappings.map((m) => [m.legacyUsername, m.username, m.status])).toEqual([
      ['john_doe', 'john_doe', 'imported'],
      ['jane_smith', 'jane_smith', 'imported'],
      ['David_hector', 'david_hector', 'imported'],
      ['Mariam_Ali', 'mariam_ali', 'imported'],
      ['omar.k', 'omar.k', 'imported'],
      ['Sara_Ahmed', 'sara_ahmed', 'imported'],
      ['adham hossam', 'adham_hossam', 'imported'],
      ['Youssef', 'youssef', 'imported'],
      ['admin1', 'admin1', 'imported'],
      ['admin2', 'admin2', 'imported'],
      ['admin3', 'admin3', 'imported'],
    ]);
    expect(first.mappings.filter((m) => m.mustChangePassword).map((m) => m.legacyUsername)).toEqual(['omar.k', 'admin3']);
  });

  it('the old name signs in as it always did (case, spaces), and the sign-in result names the old account', async () => {
    const { client } = await loginAs(t, 'tcp', 'adham hossam', 'adham-pass-88');
    const again = await connect(t, 'ws');
    try {
      const login = await again.request('auth.login', { username: 'David_hector', password: 'pa55word!' });
      expect(login.user.username).toBe('david_hector');
      expect(login.user.legacy).toEqual({ username: 'David_hector', account: 'ACC1003' });
      expect(login.accounts[0]!.balance).toBe(3796_00);
      expect(login.mustChangePassword).toBeUndefined();
      const adham = await client.request('account.list', {});
      expect(adham.accounts[0]!.balance).toBe(12000_00);
      // A name that is neither a user nor an alias is the usual refusal.
      await expect(again.request('auth.login', { username: 'adham  hossam', password: 'adham-pass-88' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      client.close();
      again.close();
    }
  });

  it('a password below today\'s policy still signs in, with mustChangePassword until the person changes it', async () => {
    const c = await connect(t, 'tcp');
    try {
      const login = await c.request('auth.login', { username: 'omar.k', password: '1234' });
      expect(login.mustChangePassword).toBe(true);
      const resumed = await (await connect(t, 'tcp')).request('auth.resume', { token: login.token });
      expect(resumed.mustChangePassword).toBe(true);
    } finally {
      c.close();
    }
    const { client } = await loginAs(t, 'tcp', 'omar.k', '1234');
    await client.request('auth.changePassword', { oldPassword: '1234', newPassword: 'a much better password' });
    const after = await (await connect(t, 'tcp')).request('auth.login', { username: 'omar.k', password: 'a much better password' });
    expect(after.mustChangePassword).toBeUndefined();
    client.close();
  });

  it('account.history shows the opening deposit, then (only when asked) the imported entries, newest first, across pages', async () => {
    const { client } = await loginAs(t, 'tcp', 'David_hector', 'pa55word!');
    try {
      const plain = await client.request('account.history', {});
      expect(plain.entries).toHaveLength(1);
      expect(plain.entries[0]).toMatchObject({ transferId: openingTransferId('ACC1003'), amount: 3796_00, counterparty: CASH_ACCOUNT, memo: 'Opening balance imported from the old bank (ACC1003)', balanceAfter: 3796_00 });
      expect(plain.legacyEntries).toBeUndefined();
      const p1 = await client.request('account.history', { legacy: true, limit: 2 });
      expect(p1.entries.map((e) => e.amount)).toEqual([3796_00]);
      expect(p1.legacyEntries).toEqual([{ kind: 'legacy', legacyId: '1288266476', date: '2024-12-27', ts: '2024-12-27T00:00:00.000Z', amount: 3000_00, legacyAccount: 'ACC1003' }]);
      const p2 = await client.request('account.history', { legacy: true, limit: 2, before: p1.next! });
      expect(p2.entries).toEqual([]);
      expect(p2.legacyEntries!.map((e) => [e.legacyId, e.amount])).toEqual([['7001234567', 2000_00], ['7001234568', -2000_00]]);
      expect(p2.next).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it('the admin sees the old username and account beside each imported user; ledger and audit verify', async () => {
    // The import made administrators, so the relay made none of its own on its first start.
    const { client } = await loginAs(t, 'tcp', 'admin2', 'superAdmin!');
    try {
      const { users } = await client.request('admin.user.list', { limit: 50 });
      expect(users.find((u) => u.username === 'youssef')).toMatchObject({ legacy: { username: 'Youssef', account: 'Acc1001773' }, accounts: [{ balance: 493700_00 }] });
      expect(users.find((u) => u.username === 'admin2')).toMatchObject({ role: 'admin', legacy: { username: 'admin2' } });
      expect(users.map((u) => u.username)).not.toContain('admin');
      expect(await client.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
      expect(await client.request('admin.audit.verify', {})).toMatchObject({ ok: true });
      const audit = await client.request('admin.audit.query', { action: 'legacy.import', limit: 100 });
      // One per user, one for the batch of opening deposits, one for the file.
      expect(audit.entries).toHaveLength(11 + 1 + 1);
      expect(JSON.stringify(audit.entries)).not.toMatch(/pa55word|superAdmin|adham-pass/);
    } finally {
      client.close();
    }
  });

  it('resolves old names and account numbers for the legacy gateway (exactly, as the old system matched)', async () => {
    const aliases = t.relay.context.legacy;
    expect(await aliases.byLegacyAccount('ACC1003')).toEqual({ username: 'david_hector', role: 'user', legacyUsername: 'David_hector', legacyAccount: 'ACC1003' });
    expect(await aliases.byLegacyAccount('acc1003')).toBeUndefined();
    expect(await aliases.byLegacyUsername('adham hossam')).toMatchObject({ username: 'adham_hossam', legacyAccount: 'ACC10038' });
    expect(await aliases.byLegacyUsername('david_hector')).toBeUndefined();
    expect(await aliases.byLegacyUsername('admin3')).toEqual({ username: 'admin3', role: 'admin', legacyUsername: 'admin3' });
    const resolved = await aliases.resolveAccount(t.relay.context.ledger, 'ACC1004');
    expect(resolved).toMatchObject({ alias: { username: 'mariam_ali' }, account: { owner: 'mariam_ali', balance: 47700_00 } });
  });
});

describe('importing the same file again', () => {
  it('changes nothing and says so', async () => {
    const head = (await t.relay.context.bank.auditHead()).seq;
    await t.stop();
    try {
      const again = await importInto(dataDir);
      expect(again.wrote).toBe(false);
      expect(again.imported).toEqual({ users: 0, admins: 0, history: 0, balances: 0 });
      expect(again.alreadyImported).toMatchObject({ users: 8, admins: 3, history: 30 });
      // omar.k changed his password since: that is no business of the import.
      expect(again.mappings.every((m) => m.status === 'already imported')).toBe(true);
    } finally {
      t = await startTestRelay({ dataDir });
    }
    expect((await t.relay.context.bank.auditHead()).seq).toBe(head);
  });
});
