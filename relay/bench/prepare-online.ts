import { BankError } from '../../common/errors.js';
import type { BankClient } from '../../common/client/bank-client.js';
import { BENCH_PASSWORD, benchUser } from './prepare.js';

/**
 * For a relay elsewhere (`bench --url`): the same customers as prepareBank, made through an
 * admin's connection. Customers left by an earlier run are reused (same names and password).
 */
export async function prepareBankOnline(admin: BankClient, count: number, opening: number, concurrency = 16): Promise<string[]> {
  const accounts: string[] = new Array<string>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const username = benchUser(i);
      try {
        const made = await admin.request('admin.user.create', { username, password: BENCH_PASSWORD, displayName: `Customer ${i}`, role: 'user', openingDeposit: opening });
        accounts[i] = made.accounts[0]!.account;
      } catch (err) {
        if (!(err instanceof BankError) || err.code !== 'CONFLICT') throw err;
        const found = await admin.request('admin.user.list', { query: username, limit: 10 });
        const user = found.users.find((u) => u.username === username);
        if (!user?.accounts[0]) throw new Error(`${username} exists on the relay but has no account`);
        accounts[i] = user.accounts[0].account;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return accounts;
}

/** Session tokens for the connections scenario against a relay elsewhere: one sign-in (and connection) each. */
export async function prepareSessionsOnline(open: () => Promise<BankClient>, users: number, count: number, concurrency = 16): Promise<string[]> {
  const tokens: string[] = new Array<string>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const client = await open();
      try {
        tokens[i] = (await client.request('auth.login', { username: benchUser(i % users), password: BENCH_PASSWORD })).token;
      } finally {
        client.close();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tokens;
}
