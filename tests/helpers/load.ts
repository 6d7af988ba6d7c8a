import { randomUUID } from 'node:crypto';
import type { BankClient } from '../../common/client/bank-client.js';

/**
 * Keeps `clients` sending transfers (each to a random other account of `accounts`, several in
 * flight each) until `work` settles, then waits for what they have in flight; answers how many
 * were acknowledged while `work` ran, and `work`'s own result.
 */
export async function whileWriting<T>(clients: readonly BankClient[], accounts: readonly string[], work: () => Promise<T>, inFlight = 4): Promise<{ acknowledged: number; result: T }> {
  let running = true;
  let acknowledged = 0;
  const writers = clients.flatMap((c, i) =>
    Array.from({ length: inFlight }, async () => {
      while (running) {
        let to = accounts[Math.floor(Math.random() * accounts.length)]!;
        if (to === accounts[i % accounts.length]) to = accounts[(i + 1) % accounts.length]!;
        const r = await c.call('transfer.create', { transferId: randomUUID(), to, amount: 1 + Math.floor(Math.random() * 50) });
        if (r.ok) acknowledged++;
      }
    }),
  );
  try {
    const result = await work();
    return { acknowledged, result };
  } finally {
    running = false;
    await Promise.all(writers);
  }
}
