import type pg from 'pg';
import type { AuditEntry, AuditHead, Entry } from '../../../common/schemas/models.js';
import { EMPTY_HEAD, verifyChain, type ChainVerdict } from '../../audit/chain.js';
import { AuditPostingMatch } from '../../ledger/audit-match.js';
import { EntryChainCheck } from '../../ledger/entry-chain.js';
import type { LedgerVerdict } from '../../ledger/verdict.js';
import type { AccountState, TransferRecord } from '../../ledger/types.js';

/** Rows read per round trip when walking a large table. */
const PAGE = 10_000;

/**
 * The PostgreSQL store's `ledger verify`: the same checks as the LevelDB one, on one consistent
 * snapshot (REPEATABLE READ): every account's entries run 1..n with running balances that end
 * at its balance, all balances sum to 0, every transfer has both legs, and every transfer, in
 * the ledger's order, is the posting the audit log records at its place.
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

    const chains = new EntryChainCheck(accounts);
    let after: [string, number] = ['', 0];
    for (;;) {
      const page = await client.query<{ account: string; seq: string; record: Entry }>(
        'SELECT account, seq, record FROM entries WHERE (account, seq) > ($1, $2) ORDER BY account, seq LIMIT $3',
        [after[0], after[1], PAGE],
      );
      for (const row of page.rows) {
        const problem = chains.next(row.account, Number(row.seq), row.record);
        if (problem) return done(fail(problem));
      }
      if (page.rows.length < PAGE) break;
      const last = page.rows[page.rows.length - 1]!;
      after = [last.account, Number(last.seq)];
    }
    const problem = chains.finish();
    if (problem) return done(fail(problem));
    const entryCount = chains.count;
    if (sum !== 0) return done(fail(`the balances sum to ${sum}, not 0`));
    // Both legs of every transfer, in one query.
    const badLeg = await client.query<{ id: string; leg: string }>(
      `SELECT t.id, CASE WHEN o.transfer_id IS DISTINCT FROM t.id OR (o.record->>'amount')::bigint <> -t.amount THEN 'paying' ELSE 'receiving' END AS leg
       FROM transfers t
       LEFT JOIN entries o ON o.account = t.from_account AND o.seq = (t.record->>'fromEntry')::bigint
       LEFT JOIN entries i ON i.account = t.to_account AND i.seq = (t.record->>'toEntry')::bigint
       WHERE o.transfer_id IS DISTINCT FROM t.id OR (o.record->>'amount')::bigint <> -t.amount
          OR i.transfer_id IS DISTINCT FROM t.id OR (i.record->>'amount')::bigint <> t.amount
       LIMIT 1`,
    );
    if (badLeg.rows.length > 0) return done(fail(`transfer ${badLeg.rows[0]!.id}: the ${badLeg.rows[0]!.leg} leg is missing or wrong`));
    if (entryCount !== 2 * transfers) return done(fail(`${entryCount} entries for ${transfers} transfers (expected ${2 * transfers})`));
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
