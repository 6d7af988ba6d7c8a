import type { AuditEntry } from '../../../common/schemas/models.js';
import { verifyChain, type ChainVerdict } from '../../audit/chain.js';
import { AuditPostingMatch } from '../../ledger/audit-match.js';
import type { LedgerVerdict } from '../../ledger/verdict.js';
import type { AccountState, TransferRecord } from '../../ledger/types.js';
import { CHUNK, parseLegKey, transfersOf, type JournalRow } from './journal.js';
import { chunksForward } from './journal-reads.js';
import type { LevelTables, ReadAt } from './tables.js';

/** Marks a stored value that is not valid JSON; verifyChain reports it as a break at its place. */
const UNREADABLE = Symbol('unreadable audit entry');

/**
 * `audit verify` on the embedded store: the chain recomputed from genesis against the stored
 * head, both read from one LevelDB snapshot, so a relay writing meanwhile never makes the head
 * and the log disagree (a false alarm).
 */
export async function verifyLevelAudit(bank: LevelTables): Promise<ChainVerdict> {
  const snapshot = bank.db.snapshot();
  try {
    const head = await bank.auditHead({ snapshot });
    return await verifyChain(decodeEach(bank, { snapshot }), head);
  } finally {
    await snapshot.close();
  }
}

/**
 * The entries as raw text, each parsed on its own: with the sublevel's JSON encoding one
 * corrupted value would throw out of the iterator and the verifier could not say where.
 */
async function* decodeEach(bank: LevelTables, at: ReadAt): AsyncGenerator<unknown> {
  for await (const text of bank.audit.values({ ...at, valueEncoding: 'utf8' }) as AsyncIterable<string>) {
    try {
      yield JSON.parse(text) as unknown;
    } catch {
      yield UNREADABLE;
    }
  }
}

/** One account as the journal tells it, replayed in the ledger's order. */
interface Replayed {
  /** Entries so far. */
  n: number;
  /** Running balance. */
  balance: number;
  /** A fingerprint of the (entry number, seq) sequence, to compare with the history index. */
  legs: number;
}

/** Folds one more leg into an account's fingerprint of its history. */
export function foldLeg(h: number, n: number, seq: number): number {
  h = Math.imul(h ^ n, 0x9e3779b1) >>> 0;
  return Math.imul(h ^ seq, 0x85ebca6b) >>> 0;
}

/**
 * `ledger verify` on the embedded store, from one consistent snapshot (the relay may keep
 * writing). The journal is replayed in the ledger's order: seqs run 1..n without a gap, every
 * transfer moves money between known accounts, each of its legs is its account's next entry
 * with the running balance right after it, and each is the posting the audit log records at its
 * place. Then every account ends where the replay ends (entries and balance), the balances sum
 * to 0, and each account's history index names exactly its entries, in order.
 */
export async function verifyLevelLedger(bank: LevelTables): Promise<LedgerVerdict> {
  const snapshot = bank.db.snapshot();
  const at = { snapshot };
  const accounts = new Map<string, AccountState>();
  let sum = 0;
  let transfers = 0;
  const fail = (problem: string): LedgerVerdict => ({ ok: false, accounts: accounts.size, transfers, sum, problem });
  try {
    for await (const raw of bank.accounts.values(at)) {
      const a = raw as AccountState;
      accounts.set(a.account, a);
      sum += a.balance;
    }
    const replayed = new Map<string, Replayed>();
    const leg = (account: string, t: TransferRecord, amount: number, n: number, after: number): string | undefined => {
      if (!accounts.has(account)) return `transfer ${t.id} moves money of unknown account ${account}`;
      let r = replayed.get(account);
      if (!r) replayed.set(account, (r = { n: 0, balance: 0, legs: 0 }));
      if (n !== r.n + 1) return `account ${account}: entry ${r.n + 1} is missing (found ${n})`;
      r.n = n;
      r.balance += amount;
      if (after !== r.balance) return `account ${account} entry ${n}: balanceAfter ${after}, running sum ${r.balance}`;
      r.legs = foldLeg(r.legs, n, t.seq);
      return undefined;
    };
    const match = new AuditPostingMatch(bank.audit.values(at) as AsyncIterable<AuditEntry>);
    let expectedChunk = 0;
    let short = false;
    for await (const [chunk, rows] of chunksForward(bank, at)) {
      if (chunk !== expectedChunk) return fail(`the journal skips from chunk ${expectedChunk - 1} to ${chunk} (transfers ${expectedChunk * CHUNK + 1}…${chunk * CHUNK} are missing)`);
      if (short) return fail(`journal chunk ${chunk - 1} is not full, yet chunk ${chunk} follows it`);
      expectedChunk++;
      short = rows.length < CHUNK;
      for (const t of transfersOf(chunk, rows as JournalRow[])) {
        transfers++;
        if (t.from === t.to) return fail(`transfer ${t.id} pays ${t.from} itself`);
        const problem = leg(t.from, t, -t.amount, t.fromEntry, t.fromBalanceAfter) ?? leg(t.to, t, t.amount, t.toEntry, t.toBalanceAfter) ?? (await match.next(t));
        if (problem) return fail(problem);
      }
    }
    const unmatched = await match.finish();
    if (unmatched) return fail(unmatched);
    for (const a of accounts.values()) {
      const r = replayed.get(a.account) ?? { n: 0, balance: 0, legs: 0 };
      if (a.entrySeq !== r.n) return fail(`account ${a.account} records ${a.entrySeq} entries but has ${r.n}`);
      if (a.balance !== r.balance) return fail(`account ${a.account}: balance ${a.balance} but its entries sum to ${r.balance}`);
    }
    if (sum !== 0) return fail(`the balances sum to ${sum}, not 0`);

    // The history index: each account's runs, in order, name its entries 1..n and their seqs.
    const indexed = new Map<string, { n: number; legs: number }>();
    for await (const [key, seqs] of bank.legs.iterator(at)) {
      const [account, first] = parseLegKey(key);
      let x = indexed.get(account);
      if (!x) indexed.set(account, (x = { n: 0, legs: 0 }));
      if (first !== x.n + 1) return fail(`account ${account}: its history index skips from entry ${x.n} to ${first}`);
      for (const seq of seqs as number[]) {
        x.n++;
        x.legs = foldLeg(x.legs, x.n, seq);
      }
    }
    for (const [account, r] of replayed) {
      const x = indexed.get(account);
      if (!x || x.n !== r.n || x.legs !== r.legs) return fail(`account ${account}: its history index does not list its ${r.n} entries as the journal has them`);
    }
    for (const account of indexed.keys()) if (!replayed.has(account)) return fail(`the history index lists entries of ${account}, which has none`);
    return { ok: true, accounts: accounts.size, transfers, sum };
  } catch (err) {
    return fail(`could not read the ledger: ${(err as Error).message}`);
  } finally {
    await snapshot.close();
  }
}
