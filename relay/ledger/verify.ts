import type { Entry } from '../../common/schemas/models.js';
import { entryKey, type BankDb } from '../store/db.js';
import type { AccountState, TransferRecord } from './types.js';
import { EntryChainCheck } from './entry-chain.js';

export interface LedgerVerdict {
  ok: boolean;
  accounts: number;
  transfers: number;
  sum: number;
  problem?: string;
}

/**
 * Checks the ledger as stored, from one consistent snapshot (the relay may keep writing):
 * every account's entries run 1..n with running balances that end at its balance, the sum of
 * all balances is 0, and every transfer has both legs with opposite amounts.
 */
export async function verifyLedger(bank: BankDb): Promise<LedgerVerdict> {
  const snapshot = bank.db.snapshot();
  try {
    const accounts = new Map<string, AccountState>();
    let sum = 0;
    for await (const raw of bank.accounts.values({ snapshot })) {
      const a = raw as AccountState;
      accounts.set(a.account, a);
      sum += a.balance;
    }
    let transfers = 0;
    const fail = (problem: string): LedgerVerdict => ({ ok: false, accounts: accounts.size, transfers, sum, problem });

    // Entries, account by account in key order.
    const chains = new EntryChainCheck(accounts);
    for await (const [key, raw] of bank.entries.iterator({ snapshot })) {
      const problem = chains.next(key.slice(0, key.indexOf('!')), Number(key.slice(key.indexOf('!') + 1)), raw as Entry);
      if (problem) return fail(problem);
    }
    const problem = chains.finish();
    if (problem) return fail(problem);
    const entryCount = chains.count;
    if (sum !== 0) return fail(`the balances sum to ${sum}, not 0`);

    // Both legs of every transfer, checked in batches.
    let batch: TransferRecord[] = [];
    const checkBatch = async (): Promise<string | undefined> => {
      const keys = batch.flatMap((t) => [entryKey(t.from, t.fromEntry), entryKey(t.to, t.toEntry)]);
      const legs = (await bank.entries.getMany(keys, { snapshot })) as (Entry | undefined)[];
      for (let i = 0; i < batch.length; i++) {
        const t = batch[i]!;
        const out = legs[2 * i];
        const into = legs[2 * i + 1];
        if (!out || out.transferId !== t.id || out.amount !== -t.amount) return `transfer ${t.id}: the paying leg is missing or wrong`;
        if (!into || into.transferId !== t.id || into.amount !== t.amount) return `transfer ${t.id}: the receiving leg is missing or wrong`;
      }
      batch = [];
      return undefined;
    };
    for await (const raw of bank.transfers.values({ snapshot })) {
      transfers++;
      batch.push(raw as TransferRecord);
      if (batch.length === 500) {
        const p = await checkBatch();
        if (p) return fail(p);
      }
    }
    const p = await checkBatch();
    if (p) return fail(p);
    if (entryCount !== 2 * transfers) return fail(`${entryCount} entries for ${transfers} transfers (expected ${2 * transfers})`);
    return { ok: true, accounts: accounts.size, transfers, sum };
  } finally {
    await snapshot.close();
  }
}
