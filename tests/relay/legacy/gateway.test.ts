import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, loginAs, startTestRelay, type TestRelay } from '../../helpers/relay.js';
import type { BankClient } from '../../../common/client/bank-client.js';
import { encodeRequest, expectLoginTwice, legacyConnect, legacyLogin, legacySignedIn, LegacySocket, legacyToday, loginAccepted, loginRefused, xor } from '../../helpers/legacy.js';

/*
 * LEGACY-PROTOCOL §5's conformance checklist, in secure mode, over real sockets against a real
 * relay with the gateway on. The fixture follows the spec's sample file's shapes (customers with
 * balances and history, two administrators), in this bank's own numbers: without an import, an
 * old account number is simply this bank's account number.
 */

const today = legacyToday();

let t: TestRelay;
let port: number;
let admin: BankClient;
const acct: Record<string, string> = {};

async function customer(username: string, password: string, displayName: string, deposits: number[]): Promise<void> {
  const { accounts } = await admin.request('admin.user.create', { username, password, displayName, role: 'user' });
  acct[username] = accounts[0]!.account;
  for (const amount of deposits) await admin.request('admin.account.deposit', { transferId: crypto.randomUUID(), account: acct[username]!, amount });
}

const signedIn = (name: string, password: string): Promise<LegacySocket> => legacySignedIn(port, name, password);

beforeAll(async () => {
  t = await startTestRelay({ legacyPort: 0 });
  port = t.relay.legacyAddress!.port;
  admin = (await loginAs(t, 'tcp', 'admin', ADMIN_PASSWORD)).client;
  await customer('david_hector', 'pa55word!', 'David_hector', [79600, 200000, 100000]);
  await customer('john_doe', 'john-pass-1', 'john_doe', [49000]);
  await customer('jane_smith', 'pa55word!', 'jane_smith', [1100000]);
  await customer('acc1004', 'pass-1004!', 'acc1004', [4770000]);
  await customer('acc1006', 'pass-1006!', 'acc1006', [5199000]);
  await admin.request('admin.user.create', { username: 'admin1', password: 'admin1-pass', displayName: 'admin1', role: 'admin' });
  await admin.request('admin.user.create', { username: 'admin2', password: 'superAdmin!', displayName: 'admin2', role: 'admin' });
});

afterAll(async () => {
  admin?.close();
  await t?.stop();
});

describe('§5 conformance (secure mode)', () => {
  it('1: the greeting counts connections from 1', async () => {
    const fresh = await startTestRelay({ legacyPort: 0 });
    try {
      const a = await LegacySocket.connect(fresh.relay.legacyAddress!.port);
      expect(await a.greeting()).toBe('Welcome from server dear Client_1');
      const b = await LegacySocket.connect(fresh.relay.legacyAddress!.port);
      expect(await b.greeting()).toBe('Welcome from server dear Client_2');
      a.close();
      b.close();
    } finally {
      await fresh.stop();
    }
  });

  it('2, 3: Login answers the exact JSON, and again on a new connection (no is_logged_in flag)', async () => {
    await expectLoginTwice(port, 'David_hector', 'pa55word!');
  });

  it('4, 5: a wrong password and an unknown user get the same reply', async () => {
    const s = await legacyConnect(port);
    expect(await legacyLogin(s, 'admin2', 'wrong')).toEqual(loginRefused('admin2'));
    expect(await legacyLogin(s, 'nobody', 'x')).toEqual(loginRefused('nobody'));
    s.close();
  });

  it('6: an administrator signs in as admin', async () => {
    const s = await legacyConnect(port);
    expect(await legacyLogin(s, 'admin2', 'superAdmin!')).toEqual(loginAccepted('admin2', 'admin'));
    s.close();
  });

  it('7: ViewAccountbalance: own account; unknown and others\' read as -1; signed out is refused', async () => {
    const s = await signedIn('David_hector', 'pa55word!');
    expect(await s.send('ViewAccountbalance', [acct.david_hector!])).toBe(`user Account : ${acct.david_hector}  - user Balance : 3796`);
    expect(await s.send('ViewAccountbalance', ['ACC9999'])).toBe('user Account : ACC9999  - user Balance : -1');
    expect(await s.send('ViewAccountbalance', [acct.jane_smith!])).toBe(`user Account : ${acct.jane_smith}  - user Balance : -1`);
    s.close();
    const anon = await legacyConnect(port, '127.0.0.9');
    expect(await anon.send('ViewAccountbalance', [acct.david_hector!])).toBe('Permission Denied Only users who are logged in Have the privilege of such feature........');
    anon.close();
  });

  it('8: Viewtransactionhistory: the table, a count, all rows, an unknown account', async () => {
    const s = await signedIn('David_hector', 'pa55word!');
    const row = (amount: string) => `${today.padEnd(15)} | ${amount.padEnd(15)}\n`;
    const head = 'Date                  | Amount               \n------------------|------------------\n';
    expect(await s.send('Viewtransactionhistory', [acct.david_hector!, '2'])).toBe(head + row('1000.00') + row('2000.00'));
    expect(await s.send('Viewtransactionhistory', [acct.david_hector!, '0'])).toBe(head + row('1000.00') + row('2000.00') + row('796.00'));
    expect(await s.send('Viewtransactionhistory', ['NOPE', '1'])).toBe('User does not exist.');
    expect(await s.send('Viewtransactionhistory', [acct.jane_smith!, '1'])).toBe('User does not exist.');
    s.close();
  });

  it('9, 10: MakeTransaction is refused for customers; an administrator deposits or withdraws', async () => {
    const user = await signedIn('David_hector', 'pa55word!');
    expect(await user.send('MakeTransaction', [acct.david_hector!, '100'])).toBe(
      'Permission Denied Only admins can deposit or withdraw money; send money with a Wire Transfer........',
    );
    user.close();
    const a = await signedIn('admin2', 'superAdmin!');
    expect(await a.send('MakeTransaction', [acct.david_hector!, '-96'])).toBe("Balance updated successfully\nUser's new balance: 3700");
    expect(await a.send('MakeTransaction', [acct.david_hector!, '-999999'])).toBe('Insufficient Funds.....');
    expect(await a.send('MakeTransaction', ['NOPE', '5'])).toBe('Account Number does not Exists');
    expect(await a.send('MakeTransaction', [acct.david_hector!, 'abc'])).toBe('The amount is not valid: use digits with at most 2 decimals, e.g. 12.50.');
    expect(await a.send('MakeTransaction', [acct.david_hector!, '96'])).toBe("Balance updated successfully\nUser's new balance: 3796");
    a.close();
  });

  it('11-13: TransferAmount from the signed-in customer\'s own account only', async () => {
    const s = await signedIn('acc1004', 'pass-1004!');
    expect(await s.send('TransferAmount', [acct.acc1004!, acct.acc1006!, '1'])).toBe(`Money transferred from account: ${acct.acc1004} to account: ${acct.acc1006} successfully.`);
    expect((await admin.request('admin.user.list', { query: 'acc100' })).users.map((u) => u.accounts[0]!.balance)).toEqual([4769900, 5199100]);
    expect(await s.send('TransferAmount', [acct.john_doe!, acct.jane_smith!, '1'])).toBe('The account initiating the transfer does not exist.');
    expect(await s.send('TransferAmount', [acct.acc1004!, acct.acc1006!, '48000'])).toBe('Operation failed due to insufficient funds.');
    expect(await s.send('TransferAmount', [acct.acc1004!, acct.acc1004!, '1'])).toBe('user Can not use this method to transfer money to himself.....');
    expect(await s.send('TransferAmount', [acct.acc1004!, acct.acc1006!, 'abc'])).toBe('The amount is not valid: use digits with at most 2 decimals, e.g. 12.50.');
    expect(await s.send('TransferAmount', [acct.acc1004!, acct.acc1006!, '0'])).toBe('Transfer amount Must not be zero');
    expect(await s.send('TransferAmount', [acct.acc1004!, acct.acc1006!, '-5'])).toBe('The transferred amount should be positive.');
    expect(await s.send('TransferAmount', [acct.acc1004!, 'NOPE', '1'])).toBe('The receiver account does not exist.');
    s.close();
  });

  it('14: GetAccountnumber answers only the signed-in customer\'s own name', async () => {
    const s = await signedIn('john_doe', 'john-pass-1');
    expect(await s.send('GetAccountnumber', ['john_doe'])).toBe(`User Name : john_doe   -  Account Number -> ${acct.john_doe}`);
    expect(await s.send('GetAccountnumber', ['jane_smith'])).toBe('Permission Denied Only users who are logged in Have the privilege of such feature........');
    s.close();
    const a = await signedIn('admin2', 'superAdmin!');
    expect(await a.send('GetAccountnumber', ['admin1'])).toBe('Permission Denied Only users Have the privilege of such feature........');
    a.close();
  });

  it('15: GetAccountnumberByAdmin needs the signed-in administrator\'s own name', async () => {
    const a = await signedIn('admin2', 'superAdmin!');
    expect(await a.send('GetAccountnumberByAdmin', ['admin2', 'jane_smith'])).toBe(`Account Number => ${acct.jane_smith}`);
    expect(await a.send('GetAccountnumberByAdmin', ['admin1', 'jane_smith'])).toBe('This feature is avalabile to admins Only......');
    expect(await a.send('GetAccountnumberByAdmin', ['admin2', 'admin1'])).toBe('Admin can not view the account number of other admins');
    a.close();
    const u = await signedIn('john_doe', 'john-pass-1');
    expect(await u.send('GetAccountnumberByAdmin', ['john_doe', 'jane_smith'])).toBe('This feature is avalabile to admins Only......');
    expect(await u.send('GetAccountnumberByAdmin', ['admin2', 'jane_smith'])).toBe('This feature is avalabile to admins Only......');
    u.close();
  });

  it('16: ViewBankDataBase for the signed-in administrator, passwords masked', async () => {
    const u = await signedIn('john_doe', 'john-pass-1');
    expect(await u.send('ViewBankDataBase', ['john_doe'])).toBe('User does not have the privilege to access this method');
    expect(await u.send('ViewBankDataBase', ['admin2'])).toBe('User does not have the privilege to access this method');
    u.close();
    const a = await signedIn('admin2', 'superAdmin!');
    const table = await a.send('ViewBankDataBase', ['admin2']);
    expect(table.startsWith('Users Table:\nUsername')).toBe(true);
    for (const name of ['david_hector', 'john_doe', 'jane_smith', 'acc1004', 'acc1006']) expect(table).toContain(name);
    expect(table).not.toContain('admin1');
    expect(table).not.toContain('pa55word!');
    expect(table).toContain(`david_hector   ********       ${acct.david_hector}`);
    expect(table).toContain('  Transactions:\n    - Date: ');
    a.close();
  });

  it('17, 18: CreateNewUser, UpdateUser and DeleteUser through the admin ops', async () => {
    const a = await signedIn('admin2', 'superAdmin!');
    const create = (fields: Record<string, unknown>) => a.send('CreateNewUser', ['admin2', JSON.stringify(fields)]);
    expect(await create({ account_number: 'ACC2001', balance: 100, password: 'pw', username: 'new_user' })).toBe('Error: The password is not valid: it must be at least 8 characters.');
    // The typed number becomes the new account's old number (an alias): the reply and later commands use it.
    expect(await create({ account_number: 'ACC2001', balance: 100, password: 'new-user-pass', username: 'new_user' })).toBe(
      'Success: New user with account number ACC2001 has been successfully created.',
    );
    const number = 'ACC2001';
    expect(await create({ account_number: 'ACC2001', balance: 100, password: 'new-user-pass', username: 'new_user' })).toBe('Error: A user with the provided username already exists.');
    expect(await create({})).toBe("Error: Missing essential fields. Please provide 'username', 'password', 'account_number', and 'balance'.");
    expect(await create({ account_number: 'X', balance: 1, password: 'new-user-pass', username: 'admin1' })).toBe('Error: the  user name that was submitted  does not match user previlages....');
    expect(await a.send('CreateNewUser', ['admin1', '{}'])).toBe('Error: Only admins can create new users.');
    expect(await a.send('CreateNewUser', ['admin2', 'not json'])).toBe('Error: Invalid JSON data provided for new user creation.');

    expect(await a.send('UpdateUser', ['admin2', number, '{"balance":250}'])).toBe(`User with account number ${number} has been successfully updated.`);
    expect((await admin.request('admin.user.list', { query: 'new_user' })).users[0]!.accounts[0]!.balance).toBe(25000);
    expect(await a.send('UpdateUser', ['admin2', number, '{"username":"renamed"}'])).toBe('A user can not be renamed: create a new user instead...');
    expect(await a.send('UpdateUser', ['admin2', number, '{"is_logged_in":true}'])).toBe("Only 'username', 'password' and 'balance' can be updated...");
    expect(await a.send('UpdateUser', ['admin2', 'NOPE', '{}'])).toBe('This account is not registered in the database...');
    expect(await a.send('UpdateUser', ['admin1', number, '{}'])).toBe('Only Admins can update user information...');

    expect(await a.send('DeleteUser', ['admin2', number])).toBe(`Error: The account ${number} still holds money; move the balance out before deleting the user.`);
    expect(await a.send('UpdateUser', ['admin2', number, '{"balance":0}'])).toBe(`User with account number ${number} has been successfully updated.`);
    expect(await a.send('DeleteUser', ['admin2', number])).toBe(`Success: User with account number ${number} has been successfully deleted.`);
    expect(await a.send('DeleteUser', ['admin2', number])).toBe('Error: This account is not registered in the database.');
    expect((await admin.request('admin.user.list', { query: 'new_user' })).users[0]!.status).toBe('closed');
    a.close();
  });

  it('19: unknown commands, wrong arg counts, a wrong Size, too few args', async () => {
    const s = await legacyConnect(port);
    expect(await s.send('Logout', ['x'])).toBe("can't execute a command that does not exist in the registry.....");
    expect(await s.send('Login', [])).toBe('in Valid number of arguments');
    expect(await s.send('Login', ['a', 'b', 'c', 'd'])).toBe('in Valid number of arguments');
    expect(await s.send('Login', ['a'])).toBe('in Valid number of arguments');
    expect(await s.send('TransferAmount', ['a', 'b'])).toBe('in Valid number of arguments');
    s.write(encodeRequest('Login', ['a', 'b'], { size: 99 }));
    expect(await s.read(1000)).toBe('');
    expect(await s.send('Logout', ['x'])).toBe("can't execute a command that does not exist in the registry.....");
    s.close();
  });

  it('19: three wrong Sizes close the connection', async () => {
    const s = await legacyConnect(port);
    for (let i = 0; i < 3; i++) s.write(encodeRequest('Login', ['a', 'b'], { size: 99 }));
    expect(await s.waitClosed(5000)).toBe(true);
  });

  it('20: two requests in one write get two replies, in order', async () => {
    const s = await legacyConnect(port);
    s.write(Buffer.concat([encodeRequest('Logout', ['x']), encodeRequest('Login', ['a'])]));
    expect(await s.read()).toBe("can't execute a command that does not exist in the registry.....in Valid number of arguments");
    s.close();
  });

  it('20: a request split into two writes 50 ms apart gets one reply', async () => {
    const s = await legacyConnect(port);
    const ct = encodeRequest('Login', ['admin2', 'superAdmin!']);
    s.write(ct.subarray(0, 60));
    await new Promise((r) => setTimeout(r, 50));
    s.write(ct.subarray(60));
    expect(JSON.parse(await s.read()).pass).toBe(true);
    s.close();
  });

  it('20: the "Send" box (JSON plus its 32-byte hash) gets the old reply, and the connection goes on', async () => {
    const s = await legacyConnect(port);
    const ct = encodeRequest('', [], { data: 'hello bank' });
    s.write(Buffer.concat([ct, createHash('sha256').update(ct).digest()]));
    expect(await s.read()).toBe('in Valid number of arguments');
    expect(await s.send('Logout', ['x'])).toBe("can't execute a command that does not exist in the registry.....");
    s.close();
  });
});

describe('hostile input', () => {
  it('garbage gets the old error text and the gateway keeps serving', async () => {
    const s = await legacyConnect(port);
    s.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(await s.read()).toBe('in Valid number of arguments');
    s.write(xor(Buffer.from('{"command": 5, "args": {"a": 1}}')));
    expect(await s.read()).toBe('in Valid number of arguments');
    s.write(xor(Buffer.from('{]')));
    expect(await s.read()).toBe('in Valid number of arguments');
    expect(await s.send('Logout', ['x'])).toBe("can't execute a command that does not exist in the registry.....");
    s.close();
  });

  it('a request that never ends is cut off at 64 KiB', async () => {
    const s = await legacyConnect(port);
    s.write(xor(Buffer.from(`{"data": "${'a'.repeat(70 * 1024)}`)));
    expect(await s.waitClosed(5000)).toBe(true);
    const after = await legacyConnect(port);
    expect(await after.send('Logout', ['x'])).toBe("can't execute a command that does not exist in the registry.....");
    after.close();
  });
});
