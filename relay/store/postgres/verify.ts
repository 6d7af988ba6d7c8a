import type pg from 'pg';
import type { AuditEntry, AuditHead } from '../../../common/schemas/models.js';
import { EMPTY_HEAD, verifyChain, type ChainVerdict } from '../../audit/chain.js';
import { AuditPostingMatch } from '../../ledger/audit-match.js';
import { EntryChainCheck } from '../../ledger/entry-chain.js';
import { legOf } from '../../ledger/legs.js';
import type { LedgerVerdict } from '../../ledger/verdict.js';
import type { AccountState, TransferRecord } from '../../ledger/types.js';

/** Rows read per round trip when walking a large table. */
const PAGE = 10_000;

/**
 * The PostgreSQL store's `ledger verify`: the same checks as the LevelDB one, on one consistent
 * snapshot (REPEATABLE READ): every account's legs run 1..n with running balances that end at
 * its balance, all balances sum to 0, every transfer's columns say what its record does, and
 * every transfer, in the ledger's order, is the posting the audit log records at its place.
 */
export async function verifyPgLedger(client: pg.ClientBase): Promise<LedgerVerdict> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const accounts = new Map<string, AccountState>();
    let sum = 0;
    for (const r of (await client.query<{ record: AccountState; balance: string }>('SELECT record, balance FROM accounts')).rows) {
      accounts.set(r.record.account, r.record);
      sum += r.record.balance;
      if (Number(r.balance) !== r.record.balance) return done({ ok: false, accounts: accounts.size, transfers: 0, sum, problem: `account ${r.record.account}: the balance column says ${r.balance}, its record ${r.record.balance}` });
    }
    const transfers = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM transfers')).rows[0]!.n);
    const fail = (problem: string): LedgerVerdict => ({ ok: false, accounts: accounts.size, transfers, sum, problem });

    // Every account's legs in order, each read from its transfer by the index on that leg's side.
    const chains = new EntryChainCheck(accounts);
    let after: [string, number] = ['', 0];
    for (;;) {
      const page = await client.query<{ account: string; seq: string; record: TransferRecord }>(
        `SELECT account, seq, record FROM (
           (SELECT from_account AS account, from_entry AS seq, record FROM transfers WHERE (from_account, from_entry) > ($1, $2) ORDER BY from_account, from_entry LIMIT $3)
           UNION ALL
           (SELECT to_account, to_entry, record FROM transfers WHERE (to_account, to_entry) > ($1, $2) ORDER BY to_account, to_entry LIMIT $3)
         ) legs ORDER BY account, seq LIMIT $3`,
        [after[0], after[1], PAGE],
      );
      for (const row of page.rows) {
        const problem = chains.next(row.account, Number(row.seq), legOf(row.record, row.account));
        if (problem) return done(fail(problem));
      }
      if (page.rows.length < PAGE) break;
      const last = page.rows[page.rows.length - 1]!;
      after = [last.account, Number(last.seq)];
    }
    const problem = chains.finish();
    if (problem) return done(fail(problem));
    if (sum !== 0) return done(fail(`the balances sum to ${sum}, not 0`));
    // A leg's columns must say what its transfer's document does (the history is read by them).
    const astray = await client.query<{ id: string }>(
      `SELECT id FROM transfers
       WHERE from_account IS DISTINCT FROM record->>'from' OR to_account IS DISTINCT FROM record->>'to' OR amount IS DISTINCT FROM (record->>'amount')::bigint
          OR from_entry IS DISTINCT FROM (record->>'fromEntry')::bigint OR to_entry IS DISTINCT FROM (record->>'toEntry')::bigint OR id IS DISTINCT FROM record->>'id'
       LIMIT 1`,
    );
    if (astray.rows.length > 0) return done(fail(`transfer ${astray.rows[0]!.id}: its columns do not match its record`));
    // Two legs sharing an account's entry number would be read as one.
    if (chains.count !== 2 * transfers) return done(fail(`${chains.count} entries for ${transfers} transfers (expected ${2 * transfers})`));
    // Every transfer in the ledger's order against the audit log's postings, both read page by page.
    const match = new AuditPostingMatch(pagesOf<AuditEntry>(client, 'SELECT seq AS k, entry AS v FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2'));
    let expected = 1;
    for await (const t of pagesOf<TransferRecord>(client, 'SELECT seq AS k, record AS v FROM transfers WHERE seq > $1 ORDER BY seq LIMIT $2')) {
      if (t.seq !== expected) return done(fail(`the ledger's order skips from seq ${expected - 1} to ${t.seq}`));
      expected++;
      const p = await match.next(t);
      if (p) return done(fail(p));
    }
    const unmatched = await match.finish();
    if (unmatched) return done(fail(unmatched));
    return done({ ok: true, accounts: accounts.size, transfers, sum });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }

  async function done(v: LedgerVerdict): Promise<LedgerVerdict> {
    await client.query('COMMIT');
    return v;
  }
}

/** The PostgreSQL store's `audit verify`: the chain recomputed from genesis, against the head row. */
export async function verifyPgAudit(client: pg.ClientBase): Promise<ChainVerdict> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const head = (await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head')).rows[0];
    const storedHead: AuditHead = head ? { seq: Number(head.seq), hash: head.hash } : EMPTY_HEAD;
    const verdict = await verifyChain(pagesOf<unknown>(client, 'SELECT seq AS k, entry AS v FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2'), storedHead);
    await client.query('COMMIT');
    return verdict;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A table walked in its bigint key's order, PAGE rows a round trip: `text` selects `k` and `v` after `$1`, at most `$2`. */
async function* pagesOf<V>(client: pg.ClientBase, text: string): AsyncGenerator<V> {
  let after = 0;
  for (;;) {
    const page = await client.query<{ k: string; v: V }>(text, [after, PAGE]);
    for (const r of page.rows) yield r.v;
    if (page.rows.length < PAGE) return;
    after = Number(page.rows[page.rows.length - 1]!.k);
  }
}
