import type pg from 'pg';
import { isEntryShaped } from '../../audit/chain.js';
import { auditTailProblem, type QuickCheckResult } from '../../startup/startup-check.js';

/**
 * The start-up check on the PostgreSQL store, the same checks as on the embedded one
 * (store/leveldb/quick-check.ts) as a few queries: the audit head names the last entry and chains
 * onto the one before it; every account's balance is where its last entry ends, with no entry
 * after the one it records; the balances sum to 0. The full checks are `ledger verify` and
 * `audit verify`.
 */
export async function pgQuickCheck(pool: pg.Pool): Promise<QuickCheckResult> {
  const problems: string[] = [];
  try {
    const p = await checkAudit(pool);
    if (p) problems.push(`audit: ${p}`);
  } catch (err) {
    problems.push(`audit: could not read the audit log (${(err as Error).message})`);
  }
  try {
    const p = await checkLedger(pool);
    if (p) problems.push(`ledger: ${p}`);
  } catch (err) {
    problems.push(`ledger: could not read the ledger (${(err as Error).message})`);
  }
  return { ok: problems.length === 0, problems };
}

async function checkAudit(pool: pg.Pool): Promise<string | undefined> {
  const headRow = (await pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head')).rows[0];
  if (!headRow) return 'the audit head row is missing';
  const head = { seq: Number(headRow.seq), hash: headRow.hash };
  const tail = (await pool.query<{ seq: string; entry: unknown }>('SELECT seq, entry FROM audit ORDER BY seq DESC LIMIT 2')).rows;
  const [lastRow, beforeRow] = tail;
  if (head.seq === 0) return lastRow ? `no audit head is stored but the log holds entries up to seq ${lastRow.seq}` : undefined;
  if (!lastRow) return `the head says seq ${head.seq} but the audit log is empty`;
  const last = lastRow.entry;
  if (!isEntryShaped(last) || last.seq !== Number(lastRow.seq)) return `the last stored entry (seq ${lastRow.seq}) is not a readable audit entry`;
  return auditTailProblem(head, last, beforeRow && isEntryShaped(beforeRow.entry) ? beforeRow.entry : undefined);
}

async function checkLedger(pool: pg.Pool): Promise<string | undefined> {
  const bad = (
    await pool.query<{ account: string; balance: string; recorded: string; entry_seq: string; last_seq: string | null; last_after: string | null }>(
      // An account's last leg: the later of its last paying and last receiving one.
      `SELECT a.account, a.balance, a.record->>'balance' AS recorded, a.record->>'entrySeq' AS entry_seq, last.seq AS last_seq, last.after AS last_after
       FROM accounts a
       LEFT JOIN LATERAL (
         SELECT seq, after FROM (
           (SELECT from_entry AS seq, (record->>'fromBalanceAfter')::bigint AS after FROM transfers WHERE from_account = a.account ORDER BY from_entry DESC LIMIT 1)
           UNION ALL
           (SELECT to_entry, (record->>'toBalanceAfter')::bigint FROM transfers WHERE to_account = a.account ORDER BY to_entry DESC LIMIT 1)
         ) legs ORDER BY seq DESC LIMIT 1
       ) last ON true
       WHERE a.balance <> (a.record->>'balance')::bigint
          OR coalesce(last.seq, 0) <> (a.record->>'entrySeq')::bigint
          OR (last.seq IS NULL AND a.balance <> 0)
          OR (last.seq IS NOT NULL AND last.after <> a.balance)
       ORDER BY a.account LIMIT 1`,
    )
  ).rows[0];
  if (bad) {
    const entrySeq = Number(bad.entry_seq);
    if (bad.balance !== bad.recorded) return `account ${bad.account}: the balance column says ${bad.balance}, its record ${bad.recorded}`;
    if (bad.last_seq !== null && Number(bad.last_seq) > entrySeq) return `account ${bad.account} has an entry ${bad.last_seq} after the ${entrySeq} it records`;
    if (entrySeq === 0) return `account ${bad.account}: balance ${bad.balance} with no entries`;
    if (bad.last_seq === null || Number(bad.last_seq) !== entrySeq) return `account ${bad.account}: its last entry (${entrySeq}) is missing`;
    return `account ${bad.account}: balance ${bad.balance} but its last entry ends at ${bad.last_after}`;
  }
  const sum = Number((await pool.query<{ sum: string | null }>('SELECT sum(balance) AS sum FROM accounts')).rows[0]!.sum ?? 0);
  return sum === 0 ? undefined : `the account balances sum to ${sum}, not 0`;
}
