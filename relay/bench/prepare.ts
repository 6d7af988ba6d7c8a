import { randomUUID } from 'node:crypto';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import { UserStore } from '../auth/users.js';
import { resolveConfig } from '../config.js';
import { openBankOffline } from '../cli/offline.js';

export const BENCH_PASSWORD = 'bench-customer-password';

/**
 * Creates `count` customers offline, each with an account and a large opening deposit.
 * One scrypt hash is shared by all (same password), so setup costs one hash, not thousands;
 * sign-in still runs the real scrypt check.
 */
export async function prepareBank(dataDir: string, count: number, opening: number): Promise<string[]> {
  const offline = await openBankOffline(resolveConfig({ dataDir }));
  try {
    const ledger = await offline.ledger();
    const template = await offline.users.prepare({ username: 'bench_template', password: BENCH_PASSWORD, displayName: 'Bench', role: 'user', status: 'active' });
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
  } finally {
    await offline.close();
  }
}

export function benchUser(i: number): string {
  return `bench_${String(i).padStart(7, '0')}`;
}
