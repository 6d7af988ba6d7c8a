import type pg from 'pg';
import { BankError, isBankError } from '../../../common/errors.js';
import type { AuditEntry, AuditHead } from '../../../common/schemas/models.js';
import { sealAuditEntry, type AuditDraft } from '../../audit/chain.js';
import { LedgerEngine, type MoveEffect, type MoveRequest } from '../../ledger/engine.js';
import type { AccountState, LedgerRules, OwnerState, TransferRecord } from '../../ledger/types.js';
import { notifyPosted } from './event-hub.js';

/**
 * The PostgreSQL store's money path (issue 8): one SQL transaction applies a batch of
 * movements in arrival order and answers each, the same rules as the LevelDB store because it
 * is the same pure engine, run on the rows the batch touches.
 *
 * Every write transaction first locks the one `audit_head` row. That gives the audit chain one
 * total order across relays, and it also orders every batch on the database, so two relays'
 * batches never take row locks in conflicting orders: no deadlock, on hot accounts either.
 * Under that lock, a transfer id already stored (by any relay) is seen, so a `transferId`
 * stays idempotent across relays; the primary key on `transfers.id` backs it.
 *
 * A batch that fails to commit changes nothing in memory (the engine is built per batch), and
 * every job in it is told its change is in doubt.
 */

export interface MoveJob {
  req: MoveRequest;
  /** The audit entry's who and what; target, outcome and details come from the transfer. */
  audit: Omit<AuditDraft, 'target' | 'outcome' | 'details'>;
}

export interface MoveJobResult {
  transfer: TransferRecord;
  /** The payer's balance right after (the customer's side, for a deposit the payee's). */
  balance: number;
  replay: boolean;
}

export type Settled = { ok: true; value: MoveJobResult; effect?: MoveEffect } | { ok: false; error: BankError };

export interface BatchOutcome {
  settled: Settled[];
  /** The audit entries the batch appended, in order. */
  audit: AuditEntry[];
}

function balanceFor(t: TransferRecord): number {
  return t.kind === 'deposit' ? t.toBalanceAfter : t.fromBalanceAfter;
}

/** `relay`: this relay's name in the notifications the batch sends at commit (event-hub.ts). */
export async function applyMoveBatch(client: pg.ClientBase, rules: LedgerRules, jobs: readonly MoveJob[], now: Date, relay?: string): Promise<BatchOutcome> {
  await client.query('BEGIN');
  try {
    const headRow = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head FOR UPDATE');
    if (headRow.rows.length !== 1) throw new Error('audit_head has no row: the schema was not migrated');
    let head: AuditHead = { seq: Number(headRow.rows[0]!.seq), hash: headRow.rows[0]!.hash };

    const ids = [...new Set(jobs.map((j) => j.req.transferId))];
    const accountNumbers = [...new Set(jobs.flatMap((j) => [j.req.from, j.req.to]))];
    const actors = [...new Set(jobs.map((j) => j.req.actor))];
    const [stored, accounts, owners, seq] = await Promise.all([
      client.query<{ record: TransferRecord }>('SELECT record FROM transfers WHERE id = ANY($1::text[])', [ids]),
      client.query<{ record: AccountState }>('SELECT record FROM accounts WHERE account = ANY($1::text[])', [accountNumbers]),
      client.query<{ owner: string; state: OwnerState }>('SELECT owner, state FROM owners WHERE owner = ANY($1::text[])', [actors]),
      client.query<{ seq: string }>('SELECT coalesce(max(seq), 0) AS seq FROM transfers'),
    ]);
    const engine = new LedgerEngine(rules);
    engine.load(
      accounts.rows.map((r) => r.record),
      owners.rows.map((r) => [r.owner, r.state] as [string, OwnerState]),
      1,
      Number(seq.rows[0]!.seq),
    );
    const known = new Map(stored.rows.map((r) => [r.record.id, r.record]));

    const settled: Settled[] = [];
    const effects: MoveEffect[] = [];
    const audit: AuditEntry[] = [];
    const ts = now.toISOString();
    for (const job of jobs) {
      try {
        const outcome = engine.move(job.req, known.get(job.req.transferId), now);
        if (outcome.kind === 'replay') {
          settled.push({ ok: true, value: { transfer: outcome.transfer, balance: balanceFor(outcome.transfer), replay: true } });
          continue;
        }
        const { effect } = outcome;
        known.set(effect.transfer.id, effect.transfer);
        effects.push(effect);
        const entry = sealAuditEntry(
          {
            ...job.audit,
            target: effect.transfer.id,
            outcome: 'posted',
            details: { from: effect.transfer.from, to: effect.transfer.to, amount: effect.transfer.amount },
          },
          head,
          ts,
        );
        head = { seq: entry.seq, hash: entry.hash };
        audit.push(entry);
        settled.push({ ok: true, value: { transfer: effect.transfer, balance: balanceFor(effect.transfer), replay: false }, effect });
      } catch (err) {
        if (!isBankError(err)) throw err;
        settled.push({ ok: false, error: err });
      }
    }

    if (effects.length > 0) {
      await writeEffects(client, effects, audit, head);
      if (relay !== undefined) await notifyPosted(client, relay, effects.map((e) => e.transfer.id));
    }
    await client.query('COMMIT');
    return { settled, audit };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** All of a batch's rows in a handful of statements (unnest of arrays), whatever its size. */
async function writeEffects(client: pg.ClientBase, effects: readonly MoveEffect[], audit: readonly AuditEntry[], head: AuditHead): Promise<void> {
  const transfers = effects.map((e) => e.transfer);
  await client.query(
    `INSERT INTO transfers (id, seq, from_account, to_account, amount, record)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::jsonb[])`,
    [transfers.map((t) => t.id), transfers.map((t) => t.seq), transfers.map((t) => t.from), transfers.map((t) => t.to), transfers.map((t) => t.amount), transfers.map((t) => JSON.stringify(t))],
  );
  const entries = effects.flatMap((e) => [
    { account: e.from.account, seq: e.transfer.fromEntry, transferId: e.transfer.id, record: e.fromEntry },
    { account: e.to.account, seq: e.transfer.toEntry, transferId: e.transfer.id, record: e.toEntry },
  ]);
  await client.query(
    `INSERT INTO entries (account, seq, transfer_id, record)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[])`,
    [entries.map((e) => e.account), entries.map((e) => e.seq), entries.map((e) => e.transferId), entries.map((e) => JSON.stringify(e.record))],
  );
  // Each account once, in its final state after the batch.
  const finalAccounts = new Map<string, AccountState>();
  for (const e of effects) {
    finalAccounts.set(e.from.account, e.from);
    finalAccounts.set(e.to.account, e.to);
  }
  const accounts = [...finalAccounts.values()];
  await client.query(
    `UPDATE accounts SET balance = v.balance, record = v.record
     FROM unnest($1::text[], $2::bigint[], $3::jsonb[]) AS v(account, balance, record)
     WHERE accounts.account = v.account`,
    [accounts.map((a) => a.account), accounts.map((a) => a.balance), accounts.map((a) => JSON.stringify(a))],
  );
  const finalOwners = new Map<string, OwnerState>();
  for (const e of effects) if (e.owner) finalOwners.set(e.owner.username, e.owner.state);
  if (finalOwners.size > 0) {
    await client.query(
      `INSERT INTO owners (owner, state) SELECT * FROM unnest($1::text[], $2::jsonb[])
       ON CONFLICT (owner) DO UPDATE SET state = excluded.state`,
      [[...finalOwners.keys()], [...finalOwners.values()].map((s) => JSON.stringify(s))],
    );
  }
  await client.query(`INSERT INTO audit (seq, entry) SELECT * FROM unnest($1::bigint[], $2::jsonb[])`, [audit.map((a) => a.seq), audit.map((a) => JSON.stringify(a))]);
  await client.query('UPDATE audit_head SET seq = $1, hash = $2', [head.seq, head.hash]);
}
