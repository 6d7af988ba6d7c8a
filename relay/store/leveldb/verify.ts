import type { AuditEntry, Entry } from '../../../common/schemas/models.js';
import { verifyChain, type ChainVerdict } from '../../audit/chain.js';
import { AuditPostingMatch } from '../../ledger/audit-match.js';
import { EntryChainCheck } from '../../ledger/entry-chain.js';
import type { LedgerVerdict } from '../../ledger/verdict.js';
import type { AccountState, TransferRecord } from '../../ledger/types.js';
import { entryKey, txlogKey, type LevelTables, type ReadAt } from './tables.js';

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

/** Transfers read per round trip while walking the ledger's order. */
const BATCH = 500;

/**
 * `ledger verify` on the embedded store, from one consistent snapshot (the relay may keep
 * writing): every account's entries run 1..n with running balances that end at its balance,
 * the sum of all balances is 0, every transfer (in the ledger's order, seq 1..n) has both legs
 * with opposite amounts, and each is the posting the audit log records at its place.
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

    // Entries, account by account in key order.
    const chains = new EntryChainCheck(accounts);
    for await (const [key, raw] of bank.entries.iterator(at)) {
      const problem = chains.next(key.slice(0, key.indexOf('!')), Number(key.slice(key.indexOf('!') + 1)), raw as Entry);
      if (problem) return fail(problem);
    }
    const problem = chains.finish();
    if (problem) return fail(problem);
    if (sum !== 0) return fail(`the balances sum to ${sum}, not 0`);

    // Every transfer in the ledger's order: both legs, and its audit record.
    const match = new AuditPostingMatch(bank.audit.values(at) as AsyncIterable<AuditEntry>);
    let ids: string[] = [];
    const checkBatch = async (): Promise<string | undefined> => {
      const records = (await bank.transfers.getMany(ids, at)) as (TransferRecord | undefined)[];
      for (let i = 0; i < ids.length; i++) {
        const t = records[i];
        if (!t) return `the ledger's order names transfer ${ids[i]} at seq ${transfers - ids.length + i + 1}, which is not stored`;
        if (t.seq !== transfers - ids.length + i + 1) return `transfer ${t.id} is stored with seq ${t.seq} at seq ${transfers - ids.length + i + 1} of the ledger's order`;
      }
      const legs = (await bank.entries.getMany(records.flatMap((t) => [entryKey(t!.from, t!.fromEntry), entryKey(t!.to, t!.toEntry)]), at)) as (Entry | undefined)[];
      for (let i = 0; i < records.length; i++) {
        const t = records[i]!;
        const out = legs[2 * i];
        const into = legs[2 * i + 1];
        if (!out || out.transferId !== t.id || out.amount !== -t.amount) return `transfer ${t.id}: the paying leg is missing or wrong`;
        if (!into || into.transferId !== t.id || into.amount !== t.amount) return `transfer ${t.id}: the receiving leg is missing or wrong`;
        const p = await match.next(t);
        if (p) return p;
      }
      ids = [];
      return undefined;
    };
    for await (const [key, id] of bank.txlog.iterator({ ...at, gt: txlogKey(0) })) {
      transfers++;
      if (Number(key) !== transfers) return fail(`the ledger's order skips from seq ${transfers - 1} to ${Number(key)}`);
      ids.push(id as string);
      if (ids.length === BATCH) {
        const p = await checkBatch();
        if (p) return fail(p);
      }
    }
    const p = (await checkBatch()) ?? (await match.finish());
    if (p) return fail(p);
    if (chains.count !== 2 * transfers) return fail(`${chains.count} entries for ${transfers} transfers (expected ${2 * transfers})`);
    return { ok: true, accounts: accounts.size, transfers, sum };
  } catch (err) {
    return fail(`could not read the ledger: ${(err as Error).message}`);
  } finally {
    await snapshot.close();
  }
}
