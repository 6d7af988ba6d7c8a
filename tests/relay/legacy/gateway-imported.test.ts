import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../../common/client/bank-client.js';
import { makeAccountNumber } from '../../../common/account-number.js';
import type { ImportReport } from '../../../relay/legacy/import/apply.js';
import { encodeRequest, expectLoginTwice, legacyConnect, legacyLogin, legacySignedIn, legacyToday, loginAccepted, loginRefused, type LegacySocket } from '../../helpers/legacy.js';
import { importLegacyFile } from '../../helpers/legacy-import.js';
import { gatewayLegacyRecord } from '../../../relay/legacy/record.js';
import { loginAs, startTestRelay, tempDir, type TestRelay } from '../../helpers/relay.js';

/*
 * LEGACY-PROTOCOL §5's checklist (secure mode) on a bank that came from the old system: the
 * fixture built from §3.2–3.3 goes in with `bank-relay legacy import`, then a relay on that data
 * directory serves the Qt client with the OLD identities: the usernames exactly as the old client
 * types them (also those today's rules renamed: `adham hossam`, `Youssef`), the old account
 * numbers (`ACC1003`, `Acc1001773`) in every command, the replies naming them as the old server
 * did, the imported history in Viewtransactionhistory, an imported administrator doing the admin
 * commands, and an imported password below today's policy still accepted here. Then
 * CreateNewUser's typed account number: an alias of the new account, also after a restart.
 */

const text = readFileSync(new URL('../../fixtures/legacy/BankDatabase.json', import.meta.url), 'utf8');
const today = legacyToday();
const HEAD = 'Date                  | Amount               \n------------------|------------------\n';
const row = (date: string, amount: string) => `${date.padEnd(15)} | ${amount.padEnd(15)}\n`;
const DENIED = 'Permission Denied Only users who are logged in Have the privilege of such feature........';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dataDir: string;
let report: ImportReport;
let t: TestRelay;
let port: number;
let admin: BankClient;

async function startOn(): Promise<void> {
  t = await startTestRelay({ dataDir, legacyPort: 0 });
  port = t.relay.legacyAddress!.port;
  // The imported bank's administrators are the old ones (no bootstrap admin): bankrelay/1 as admin2.
  admin = (await loginAs(t, 'tcp', 'admin2', 'superAdmin!')).client;
}

async function stop(): Promise<void> {
  admin?.close();
  await t?.stop();
}

const signedIn = (name: string, password: string): Promise<LegacySocket> => legacySignedIn(port, name, password);

/** The new bank's account of an imported customer (bankrelay/1's number). */
function newAccountOf(legacyAccount: string): string {
  return report.mappings.find((m) => m.legacyAccount === legacyAccount)!.account!;
}

async function balanceOf(legacyAccount: string): Promise<number> {
  const username = report.mappings.find((m) => m.legacyAccount === legacyAccount)!.username;
  return (await admin.request('admin.user.list', { query: username })).users.find((u) => u.username === username)!.accounts[0]!.balance;
}

beforeAll(async () => {
  dataDir = await tempDir('bank-legacy-gw-');
  report = await importLegacyFile(dataDir, text);
  expect(report.rejected).toEqual([]);
  await startOn();
}, 60_000);

afterAll(async () => {
  await stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('§5 on an imported bank, with the old identities', () => {
  it('2, 3: Login with the old name answers the exact JSON, again on a new connection', async () => {
    await expectLoginTwice(port, 'David_hector', 'pa55word!');
  });

  it('names today\'s rules renamed sign in exactly as the Qt client types them, and only so', async () => {
    const s = await legacyConnect(port);
    expect(await legacyLogin(s, 'adham hossam', 'adham-pass-88')).toEqual(loginAccepted('adham hossam'));
    expect(await legacyLogin(s, 'Youssef', 'youssef!2025')).toEqual(loginAccepted('Youssef'));
    expect(await legacyLogin(s, 'Mariam_Ali', 'mariam#77')).toEqual(loginAccepted('Mariam_Ali'));
    // The old server matched names exactly: another spelling is not that person on this port.
    expect(await legacyLogin(s, 'adham  hossam', 'adham-pass-88')).toEqual(loginRefused('adham  hossam'));
    s.close();
  });

  it('4-6: a wrong password, an unknown user; an imported administrator signs in as admin', async () => {
    const s = await legacyConnect(port);
    expect(await legacyLogin(s, 'admin2', 'wrong')).toEqual(loginRefused('admin2'));
    expect(await legacyLogin(s, 'nobody', 'x')).toEqual(loginRefused('nobody'));
    expect(await legacyLogin(s, 'admin2', 'superAdmin!')).toEqual(loginAccepted('admin2', 'admin'));
    s.close();
  });

  it('an imported password below today\'s policy is still accepted on the legacy port (customer and administrator)', async () => {
    const s = await legacyConnect(port);
    expect(await legacyLogin(s, 'omar.k', '1234')).toEqual(loginAccepted('omar.k'));
    expect(await s.send('ViewAccountbalance', ['ACC1005'])).toBe('user Account : ACC1005  - user Balance : 8010');
    expect(await s.send('GetAccountnumber', ['omar.k'])).toBe('User Name : omar.k   -  Account Number -> ACC1005');
    s.close();
    const a = await legacyConnect(port);
    expect(await legacyLogin(a, 'admin3', 'root3')).toEqual(loginAccepted('admin3', 'admin'));
    expect(await a.send('GetAccountnumberByAdmin', ['admin3', 'omar.k'])).toBe('Account Number => ACC1005');
    a.close();
  });

  it('the Qt client\'s own way: Login on one connection, the dashboard on the next, all in old names and numbers', async () => {
    const login = await legacyConnect(port, '127.0.0.31');
    expect(JSON.parse(await login.send('Login', ['Youssef', 'youssef!2025'])).pass).toBe(true);
    login.close();
    await sleep(50);
    const dash = await legacyConnect(port, '127.0.0.31');
    expect(await dash.send('GetAccountnumber', ['Youssef'])).toBe('User Name : Youssef   -  Account Number -> Acc1001773');
    expect(await dash.send('ViewAccountbalance', ['Acc1001773'])).toBe('user Account : Acc1001773  - user Balance : 493700');
    // Matched exactly, as the old server did: another case is no account.
    expect(await dash.send('ViewAccountbalance', ['ACC1001773'])).toBe('user Account : ACC1001773  - user Balance : -1');
    expect(await dash.send('Viewtransactionhistory', ['Acc1001773', '2'])).toBe(HEAD + row('2025-05-12', '200.00') + row('2025-05-01', '300.00'));
    dash.close();
  });

  it('7: ViewAccountbalance by old number: own; unknown and others\' read as -1', async () => {
    const s = await signedIn('David_hector', 'pa55word!');
    expect(await s.send('ViewAccountbalance', ['ACC1003'])).toBe('user Account : ACC1003  - user Balance : 3796');
    expect(await s.send('ViewAccountbalance', ['ACC9999'])).toBe('user Account : ACC9999  - user Balance : -1');
    expect(await s.send('ViewAccountbalance', ['ACC1002'])).toBe('user Account : ACC1002  - user Balance : -1');
    // The bank's own number of the same account still answers (and is shown as typed).
    expect(await s.send('ViewAccountbalance', [newAccountOf('ACC1003')])).toBe(`user Account : ${newAccountOf('ACC1003')}  - user Balance : 3796`);
    s.close();
  });

  it('8: Viewtransactionhistory shows the imported history as the old server did (not the import\'s opening deposit)', async () => {
    const s = await signedIn('David_hector', 'pa55word!');
    expect(await s.send('Viewtransactionhistory', ['ACC1003', '2'])).toBe(
      'Date                  | Amount               \n------------------|------------------\n2024-12-27      | 3000.00        \n2024-12-06      | 2000.00        \n',
    );
    expect(await s.send('Viewtransactionhistory', ['ACC1003', '0'])).toBe(HEAD + row('2024-12-27', '3000.00') + row('2024-12-06', '2000.00') + row('2024-12-06', '-2000.00'));
    expect(await s.send('Viewtransactionhistory', ['ACC1003', 'abc'])).toBe(HEAD + row('2024-12-27', '3000.00') + row('2024-12-06', '2000.00') + row('2024-12-06', '-2000.00'));
    expect(await s.send('Viewtransactionhistory', ['NOPE', '1'])).toBe('User does not exist.');
    expect(await s.send('Viewtransactionhistory', ['ACC1002', '1'])).toBe('User does not exist.');
    s.close();
  });

  it('9, 10: MakeTransaction by old number: refused for customers; an imported administrator deposits and withdraws', async () => {
    const user = await signedIn('David_hector', 'pa55word!');
    expect(await user.send('MakeTransaction', ['ACC1003', '-96'])).toBe('Permission Denied Only admins can deposit or withdraw money; send money with a Wire Transfer........');
    user.close();
    const a = await signedIn('admin1', 'admin-one-pass');
    expect(await a.send('MakeTransaction', ['ACC1003', '-96'])).toBe("Balance updated successfully\nUser's new balance: 3700");
    expect(await a.send('MakeTransaction', ['ACC1003', '-999999'])).toBe('Insufficient Funds.....');
    expect(await a.send('MakeTransaction', ['NOPE', '5'])).toBe('Account Number does not Exists');
    expect(await a.send('ViewAccountbalance', ['ACC1003'])).toBe('user Account : ACC1003  - user Balance : 3700');
    // The administrator sees the new entry on top of the imported history.
    expect(await a.send('Viewtransactionhistory', ['ACC1003', '0'])).toBe(
      HEAD + row(today, '-96.00') + row('2024-12-27', '3000.00') + row('2024-12-06', '2000.00') + row('2024-12-06', '-2000.00'),
    );
    expect(await a.send('MakeTransaction', ['ACC1003', '96'])).toBe("Balance updated successfully\nUser's new balance: 3796");
    a.close();
  });

  it('11-13: TransferAmount between old numbers, from the signed-in customer\'s own account only', async () => {
    const s = await signedIn('Mariam_Ali', 'mariam#77');
    expect(await s.send('TransferAmount', ['ACC1004', 'ACC1006', '1'])).toBe('Money transferred from account: ACC1004 to account: ACC1006 successfully.');
    expect(await balanceOf('ACC1004')).toBe(47699_00);
    expect(await balanceOf('ACC1006')).toBe(51991_00);
    expect(await s.send('Viewtransactionhistory', ['ACC1004', '2'])).toBe(HEAD + row(today, '-1.00') + row('2025-02-01', '50000.00'));
    expect(await s.send('TransferAmount', ['ACC1001', 'ACC1002', '1'])).toBe('The account initiating the transfer does not exist.');
    expect(await s.send('TransferAmount', ['ACC1004', 'ACC1004', '1'])).toBe('user Can not use this method to transfer money to himself.....');
    // The same account under its two numbers is still a transfer to oneself.
    expect(await s.send('TransferAmount', ['ACC1004', newAccountOf('ACC1004'), '1'])).toBe('user Can not use this method to transfer money to himself.....');
    expect(await s.send('TransferAmount', ['ACC1004', 'ACC1006', 'abc'])).toBe('The amount is not valid: use digits with at most 2 decimals, e.g. 12.50.');
    expect(await s.send('TransferAmount', ['ACC1004', 'ACC1006', '0'])).toBe('Transfer amount Must not be zero');
    expect(await s.send('TransferAmount', ['ACC1004', 'ACC1006', '-5'])).toBe('The transferred amount should be positive.');
    expect(await s.send('TransferAmount', ['ACC1004', 'NOPE', '1'])).toBe('The receiver account does not exist.');
    expect(await s.send('TransferAmount', ['ACC1004', 'acc1006', '1'])).toBe('The receiver account does not exist.');
    s.close();
    const john = await signedIn('john_doe', 'johnny-2024');
    expect(await john.send('TransferAmount', ['ACC1001', 'ACC1002', '1000'])).toBe('Operation failed due to insufficient funds.');
    john.close();
    const sara = await signedIn('Sara_Ahmed', 'sara-secret-1');
    expect(await sara.send('Viewtransactionhistory', ['ACC1006', '1'])).toBe(HEAD + row(today, '1.00'));
    sara.close();
  });

  it('14: GetAccountnumber with the old name answers the old number', async () => {
    const s = await signedIn('john_doe', 'johnny-2024');
    expect(await s.send('GetAccountnumber', ['john_doe'])).toBe('User Name : john_doe   -  Account Number -> ACC1001');
    expect(await s.send('GetAccountnumber', ['jane_smith'])).toBe(DENIED);
    s.close();
    const adham = await signedIn('adham hossam', 'adham-pass-88');
    expect(await adham.send('GetAccountnumber', ['adham hossam'])).toBe('User Name : adham hossam   -  Account Number -> ACC10038');
    adham.close();
    const a = await signedIn('admin1', 'admin-one-pass');
    expect(await a.send('GetAccountnumber', ['admin1'])).toBe('Permission Denied Only users Have the privilege of such feature........');
    a.close();
  });

  it('15: GetAccountnumberByAdmin: the imported administrator\'s own name, old names in, old numbers out', async () => {
    const a = await signedIn('admin1', 'admin-one-pass');
    expect(await a.send('GetAccountnumberByAdmin', ['admin1', 'jane_smith'])).toBe('Account Number => ACC1002');
    expect(await a.send('GetAccountnumberByAdmin', ['admin1', 'adham hossam'])).toBe('Account Number => ACC10038');
    expect(await a.send('GetAccountnumberByAdmin', ['admin1', 'Youssef'])).toBe('Account Number => Acc1001773');
    expect(await a.send('GetAccountnumberByAdmin', ['admin1', 'admin2'])).toBe('Admin can not view the account number of other admins');
    expect(await a.send('GetAccountnumberByAdmin', ['admin2', 'jane_smith'])).toBe('This feature is avalabile to admins Only......');
    a.close();
    const u = await signedIn('john_doe', 'johnny-2024');
    expect(await u.send('GetAccountnumberByAdmin', ['john_doe', 'jane_smith'])).toBe('This feature is avalabile to admins Only......');
    u.close();
  });

  it('16: ViewBankDataBase lists the 8 imported customers by old name and number, with their old history, passwords masked', async () => {
    const u = await signedIn('john_doe', 'johnny-2024');
    expect(await u.send('ViewBankDataBase', ['john_doe'])).toBe('User does not have the privilege to access this method');
    u.close();
    const a = await signedIn('admin1', 'admin-one-pass');
    const table = await a.send('ViewBankDataBase', ['admin1']);
    expect(table.startsWith('Users Table:\nUsername')).toBe(true);
    const names = [...table.matchAll(/^(\S+(?: \S+)?)\s+\*{8}\s+(\S+)\s/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(names.sort()).toEqual(
      [
      ['john_doe', 'ACC1001'],
      ['jane_smith', 'ACC1002'],
      ['David_hector', 'ACC1003'],
      ['Mariam_Ali', 'ACC1004'],
      ['omar.k', 'ACC1005'],
      ['Sara_Ahmed', 'ACC1006'],
      ['adham hossam', 'ACC10038'],
      ['Youssef', 'Acc1001773'],
      ].map(([n, a]) => `${n} ${a}`).sort());
    for (const secret of ['pa55word!', 'johnny-2024', 'root3', '1234  ']) expect(table).not.toContain(secret);
    expect(table).toContain('David_hector   ********       ACC1003                3796.00');
    expect(table).toContain('    - Date: 2024-12-27, Amount: 3000.00, Transaction Id 1288266476\n');
    expect(table).toContain('    - Date: 2025-05-12, Amount: 200.00, Transaction Id 0000000001\n');
    expect(table).not.toContain('admin1 ');
    a.close();
  });

  it('17, 18: CreateNewUser keeps the typed account number as an alias; Update and Delete use it', async () => {
    const a = await signedIn('admin2', 'superAdmin!');
    const create = (fields: Record<string, unknown>) => a.send('CreateNewUser', ['admin2', JSON.stringify(fields)]);
    expect(await create({ account_number: 'ACC2001', balance: 100, password: 'pw', username: 'new_user' })).toBe('Error: The password is not valid: it must be at least 8 characters.');
    expect(await create({ account_number: 'ACC2001', balance: 100, password: 'new-user-pass', username: 'new_user' })).toBe(
      'Success: New user with account number ACC2001 has been successfully created.',
    );
    expect(await create({ account_number: 'ACC2001', balance: 100, password: 'new-user-pass', username: 'new_user' })).toBe('Error: A user with the provided username already exists.');
    // An account number already taken, old or new, by someone else.
    expect(await create({ account_number: 'ACC2001', balance: 1, password: 'other-user-pass', username: 'other_user' })).toBe('Error: An account with the provided account number already exists.');
    expect(await create({ account_number: 'ACC1003', balance: 1, password: 'other-user-pass', username: 'other_user' })).toBe('Error: An account with the provided account number already exists.');
    expect(await create({ account_number: newAccountOf('ACC1004'), balance: 1, password: 'other-user-pass', username: 'other_user' })).toBe(
      'Error: An account with the provided account number already exists.',
    );
    expect(await create({ account_number: 'Acc1001773', balance: 1, password: 'other-user-pass', username: 'other_user' })).toBe(
      'Error: An account with the provided account number already exists.',
    );
    expect(await create({ account_number: 'ACC1003', balance: 1, password: 'other-user-pass', username: 'David_hector' })).toBe('Error: A user with the provided username already exists.');
    expect(await create({ account_number: 'ACC2002', balance: 1, password: 'other-user-pass', username: 'admin1' })).toBe('Error: the  user name that was submitted  does not match user previlages....');
    expect(await create({})).toBe("Error: Missing essential fields. Please provide 'username', 'password', 'account_number', and 'balance'.");

    expect(await a.send('ViewAccountbalance', ['ACC2001'])).toBe('user Account : ACC2001  - user Balance : 100');
    expect(await a.send('UpdateUser', ['admin2', 'ACC2001', '{"balance":250}'])).toBe('User with account number ACC2001 has been successfully updated.');
    expect(await a.send('ViewAccountbalance', ['ACC2001'])).toBe('user Account : ACC2001  - user Balance : 250');
    const made = (await admin.request('admin.user.list', { query: 'new_user' })).users.find((u) => u.username === 'new_user')!;
    expect(made.accounts[0]!.balance).toBe(25000);
    expect(made.legacy).toEqual({ username: 'new_user', account: 'ACC2001' });
    expect(await a.send('GetAccountnumberByAdmin', ['admin2', 'new_user'])).toBe('Account Number => ACC2001');
    a.close();

    // The customer signs in and works with the number the administrator typed.
    const c = await signedIn('new_user', 'new-user-pass');
    expect(await c.send('GetAccountnumber', ['new_user'])).toBe('User Name : new_user   -  Account Number -> ACC2001');
    expect(await c.send('TransferAmount', ['ACC2001', 'ACC1003', '50'])).toBe('Money transferred from account: ACC2001 to account: ACC1003 successfully.');
    c.close();

    // The alias write is audited, by the administrator who created the user.
    const audit = await admin.request('admin.audit.query', { action: 'legacy.alias', limit: 50 });
    const entry = audit.entries.find((e) => e.action === 'legacy.alias' && e.target === 'new_user');
    expect(entry, JSON.stringify(audit.entries.map((e) => e.action))).toMatchObject({ actor: 'admin2', details: { legacyAccount: 'ACC2001' } });
  });

  it('CreateNewUser: one number, two administrators at once: one gets it; a name with a space signs in as typed; the bank\'s own numbering is refused', async () => {
    const a1 = await signedIn('admin1', 'admin-one-pass');
    const a2 = await signedIn('admin2', 'superAdmin!');
    const fields = (username: string, account: string) => JSON.stringify({ account_number: account, balance: 5, password: `${username}-password`, username });
    a1.write(encodeRequest('CreateNewUser', ['admin1', fields('racer_one', 'ACC3001')]));
    a2.write(encodeRequest('CreateNewUser', ['admin2', fields('racer_two', 'ACC3001')]));
    const replies = [await a1.read(), await a2.read()].sort();
    expect(replies).toEqual(['Error: An account with the provided account number already exists.', 'Success: New user with account number ACC3001 has been successfully created.']);
    const holders = (await admin.request('admin.user.list', { query: 'racer_' })).users.filter((u) => u.legacy?.account === 'ACC3001');
    expect(holders).toHaveLength(1);

    expect(await a1.send('CreateNewUser', ['admin1', JSON.stringify({ account_number: 'ACC3002', balance: 0, password: 'spaced-password', username: 'Laila Hassan' })])).toBe(
      'Success: New user with account number ACC3002 has been successfully created.',
    );
    expect(await a1.send('GetAccountnumberByAdmin', ['admin1', 'Laila Hassan'])).toBe('Account Number => ACC3002');
    // A number in the bank's own numbering that names no account yet: the bank may give it out later.
    expect(await a1.send('CreateNewUser', ['admin1', JSON.stringify({ account_number: makeAccountNumber(900_000), balance: 0, password: 'other-user-pass', username: 'fourth_user' })])).toBe(
      "Error: The account number is not valid: it is in this bank's own numbering, which only the bank gives out; type another.",
    );
    a1.close();
    a2.close();
    const laila = await legacyConnect(port);
    expect(await legacyLogin(laila, 'Laila Hassan', 'spaced-password')).toEqual(loginAccepted('Laila Hassan'));
    expect(await laila.send('GetAccountnumber', ['Laila Hassan'])).toBe('User Name : Laila Hassan   -  Account Number -> ACC3002');
    laila.close();
    const made = (await admin.request('admin.user.list', { query: 'laila' })).users[0]!;
    expect(made).toMatchObject({ username: 'laila_hassan', displayName: 'Laila Hassan', legacy: { username: 'Laila Hassan', account: 'ACC3002' } });
  });

  it('CreateNewUser with a number another relay recorded moments ago (not yet in this relay\'s index): the user is made, without it, and the reply names the bank\'s own number', async () => {
    // Another relay of the bank recording ACC3003, as its writer does: this relay's alias index never heard of it.
    const { users, commits } = t.relay.context;
    await admin.request('admin.user.create', { username: 'elsewhere_user', password: 'elsewhere-pass', displayName: 'Elsewhere', role: 'user' });
    const elsewhere = (await users.get('elsewhere_user'))!;
    await commits.commit([{ type: 'user', user: { ...elsewhere, legacy: gatewayLegacyRecord('Elsewhere', 'ACC3003', new Date()) }, from: elsewhere.version ?? 0 }]);

    const a = await signedIn('admin1', 'admin-one-pass');
    const reply = await a.send('CreateNewUser', ['admin1', JSON.stringify({ account_number: 'ACC3003', balance: 0, password: 'late-user-pass', username: 'late_user' })]);
    a.close();
    const late = (await admin.request('admin.user.list', { query: 'late_user' })).users[0]!;
    expect(reply).toBe(`Success: New user with account number ${late.accounts[0]!.account} has been successfully created.`);
    expect(late.legacy).toBeUndefined();
    const holders = (await admin.request('admin.user.list', { query: '_user' })).users.filter((u) => u.legacy?.account === 'ACC3003');
    expect(holders.map((u) => u.username)).toEqual(['elsewhere_user']);
  });

  it('18: after a restart the typed number still reaches the new account; Delete refuses money, then closes', async () => {
    await stop();
    await startOn();
    const a = await signedIn('admin2', 'superAdmin!');
    expect(await a.send('ViewAccountbalance', ['ACC2001'])).toBe('user Account : ACC2001  - user Balance : 200');
    expect(await a.send('DeleteUser', ['admin2', 'ACC2001'])).toBe('Error: The account ACC2001 still holds money; move the balance out before deleting the user.');
    expect(await a.send('UpdateUser', ['admin2', 'ACC2001', '{"balance":0}'])).toBe('User with account number ACC2001 has been successfully updated.');
    expect(await a.send('DeleteUser', ['admin2', 'ACC2001'])).toBe('Success: User with account number ACC2001 has been successfully deleted.');
    expect(await a.send('DeleteUser', ['admin2', 'ACC2001'])).toBe('Error: This account is not registered in the database.');
    // A closed user's old number is still theirs: it is not given out again.
    expect(await a.send('CreateNewUser', ['admin2', JSON.stringify({ account_number: 'ACC2001', balance: 0, password: 'third-user-pass', username: 'third_user' })])).toBe(
      'Error: An account with the provided account number already exists.',
    );
    a.close();
    const s = await signedIn('David_hector', 'pa55word!');
    expect(await s.send('ViewAccountbalance', ['ACC1003'])).toBe('user Account : ACC1003  - user Balance : 3846');
    s.close();
  }, 30_000);

  it('the bank still verifies after all of it', async () => {
    expect((await admin.request('admin.ledger.verify', {})).ok).toBe(true);
    expect((await admin.request('admin.audit.verify', {})).ok).toBe(true);
  });
});
