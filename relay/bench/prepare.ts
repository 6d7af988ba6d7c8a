import { randomUUID } from 'node:crypto';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import { SessionStore } from '../auth/sessions.js';
import { UserStore } from '../auth/users.js';
import { resolveConfig } from '../config.js';
import { openBankOffline } from '../cli/offline.js';
import { randomAmount, randomOther } from './tally.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { openPgOffline } from '../store/postgres/pg-offline.js';

export const BENCH_PASSWORD = 'bench-customer-password';

/**
 * Creates `count` customers offline, each with an account and a large opening deposit.
 * One scrypt hash is shared by all (same password), so setup costs one hash, not thousands;
 * sign-in still runs the real scrypt check.
 */
export async function prepareBank(dataDir: string, count: number, opening: number): Promise<string[]> {
  const offline = await openBankOffline(resolveConfig({ dataDir }));
  try {
    return await openCustomers(offline.ledger, offline.users, count, opening);
  } finally {
    await offline.close();
  }
}

/** The same customers on an empty PostgreSQL store (`bench --store postgres://…`), before its relays start. */
export async function prepareBankPg(store: string, count: number, opening: number): Promise<string[]> {
  const offline = await openPgOffline(resolveConfig({ store }));
  try {
    await offline.reads.refreshCounts();
    if (offline.reads.counts().accounts > 1) throw new Error('the --store database already holds a bank; the bench needs an empty scratch database');
    return await openCustomers(offline.ledger, offline.users, count, opening);
  } finally {
    await offline.close();
  }
}

/** Opens the customers through either store's ledger, in chunks, each with its opening deposit. */
async function openCustomers(ledger: LedgerStore, users: UserStore, count: number, opening: number): Promise<string[]> {
  const template = await users.prepare({ username: 'bench_template', password: BENCH_PASSWORD, displayName: 'Bench', role: 'user', status: 'active' });
  const accounts: string[] = [];
  const by = { actor: 'operator', role: 'system' as const };
  const CHUNK = 500;
  for (let start = 0; start < count; start += CHUNK) {
    const chunk = Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => benchUser(start + i));
    const opened = await Promise.all(
      chunk.map((username) => {
        const record = { ...template, username, displayName: `Customer ${username.slice(6)}` };
        return ledger.openAccount(username, UserStore.insertOps(record), [UserStore.createdAudit(record, by, 'bench.user')]);
      }),
    );
    await Promise.all(
      opened.map((a) =>
        ledger.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: a.account, amount: opening, actor: 'operator' }, { ...by, action: 'admin.account.deposit' }),
      ),
    );
    accounts.push(...opened.map((a) => a.account));
  }
  return accounts;
}

/** Signs in `count` sessions offline (round-robin over the first `users` customers) and returns their tokens. */
export async function prepareSessions(dataDir: string, users: number, count: number): Promise<string[]> {
  const config = resolveConfig({ dataDir });
  const offline = await openBankOffline(config);
  try {
    const sessions = new SessionStore(offline.bank, offline.commits, config);
    const records = await Promise.all(Array.from({ length: Math.min(users, count) }, (_, i) => offline.users.get(benchUser(i))));
    const tokens: string[] = [];
    const CHUNK = 1000;
    for (let start = 0; start < count; start += CHUNK) {
      const issued = await Promise.all(
        Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => sessions.issue(records[(start + i) % records.length]!, 'auth.login')),
      );
      tokens.push(...issued.map((s) => s.token));
    }
    return tokens;
  } finally {
    await offline.close();
  }
}

/**
 * Adds `count` customer transfers between random prepared accounts offline (through the ledger,
 * so every rule, entry and audit record is as the relay writes them). Reports progress.
 */
export async function prepareTransfers(dataDir: string, accounts: string[], count: number, progress: (done: number) => void = () => {}): Promise<void> {
  const offline = await openBankOffline(resolveConfig({ dataDir }));
  try {
    const ledger = offline.ledger;
    const CHUNK = 2000;
    for (let start = 0; start < count; start += CHUNK) {
      await Promise.all(
        Array.from({ length: Math.min(CHUNK, count - start) }, () => {
          const from = Math.floor(Math.random() * accounts.length);
          const to = randomOther(accounts.length, from);
          const actor = benchUser(from);
          return ledger.move(
            { kind: 'transfer', transferId: randomUUID(), from: accounts[from]!, to: accounts[to]!, amount: randomAmount(), actor },
            { actor, role: 'user', action: 'transfer.create' },
          );
        }),
      );
      progress(Math.min(count, start + CHUNK));
    }
  } finally {
    await offline.close();
  }
}

export function benchUser(i: number): string {
  return `bench_${String(i).padStart(7, '0')}`;
}
