import type pg from 'pg';
import { BankError, isBankError } from '../../../common/errors.js';
import type { AuditEntry, AuditHead, Limits } from '../../../common/schemas/models.js';
import type { AccountStatus } from '../../../common/schemas/primitives.js';
import { sealAuditEntry, type AuditDraft } from '../../audit/chain.js';
import { LedgerEngine, type MoveEffect, type MoveRequest } from '../../ledger/engine.js';
import type { AccountState, LedgerRules, OwnerState, TransferRecord } from '../../ledger/types.js';
import { CASH_ACCOUNT } from '../../../common/account-number.js';
import type { GenericOp } from '../bank-store.js';
import { sendTogether, type Sql } from './connect.js';
import { notices, type EndedSession } from './event-hub.js';
import type { MoveResult } from '../../ledger/ledger-store.js';
import { balanceFor, CASH_OPENED_AUDIT, openedAudit, postedAudit } from '../../ledger/outcomes.js';

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
  kind?: 'move';
  req: MoveRequest;
  /** The audit entry's who and what; target, outcome and details come from the transfer. */
  audit: Omit<AuditDraft, 'target' | 'outcome' | 'details'>;
}

/**
 * The ledger's other changes, in the same batches and order as movements. `extra`: writes that
 * go with the change, only if it is made (e.g. the user record an approval activates).
 */
export type AccountJob =
  | { kind: 'open'; owner: string; audit: AuditDraft[]; extra?: GenericOp[] }
  | { kind: 'status'; owner: string; status: AccountStatus; audit: AuditDraft[]; extra?: GenericOp[] }
  | { kind: 'limits'; owner: string; limits: Partial<Limits>; audit: AuditDraft[]; extra?: GenericOp[] }
  /** The bank's own account, opened (and audited) once, by whichever relay starts first. */
  | { kind: 'cash' };

/** Users, sessions and singletons with their audit entries: the commit sink's work (pg-commits.ts). */
export interface WriteJob {
  kind: 'write';
  ops: GenericOp[];
  audit: AuditDraft[];
  /** Why the sessions these ops delete ended (other relays tell their connections). */
  endedReason?: string;
}

export type LedgerJob = MoveJob | AccountJob | WriteJob;

/** What an account job answers: the accounts opened or changed, or the owner's limits. */
export type AccountJobResult = { accounts: AccountState[] } | { limits: Limits };

/** What a write job answers: its audit entries as sealed. */
export interface WriteJobResult {
  audit: AuditEntry[];
}

export interface MoveJobResult extends MoveResult {
  /** What an applied movement changed, for this relay's own events (absent on a replay). */
  effect?: MoveEffect;
}

export type JobResult = MoveJobResult | AccountJobResult | WriteJobResult;

export type Settled = { ok: true; value: JobResult } | { ok: false; error: BankError };

export interface BatchOutcome {
  settled: Settled[];
  /** The audit entries the batch appended, in order. */
  audit: AuditEntry[];
}

/** `relay`: this relay's name in the notifications the batch sends at commit (event-hub.ts). */
export async function applyBatch(client: pg.ClientBase, rules: LedgerRules, jobs: readonly LedgerJob[], now: Date, relay?: string): Promise<BatchOutcome> {
  try {
    const moves = jobs.filter((j): j is MoveJob => j.kind === undefined || j.kind === 'move');
    const others = jobs.filter((j): j is Exclude<AccountJob, { kind: 'cash' }> => j.kind === 'open' || j.kind === 'status' || j.kind === 'limits');
    const ids = [...new Set(moves.map((j) => j.req.transferId))];
    const accountNumbers = [...new Set(moves.flatMap((j) => [j.req.from, j.req.to]))];
    if (jobs.some((j) => j.kind === 'cash')) accountNumbers.push(CASH_ACCOUNT);
    // Owners whose limits or spending a job reads, and owners whose every account a job changes.
    const ownerNames = [...new Set([...moves.map((j) => j.req.actor), ...others.map((j) => j.owner)])];
    const statusOwners = [...new Set(others.filter((j) => j.kind === 'status').map((j) => j.owner))];
    // Round trip 1: the head lock and every row the batch reads, sent together (connect.ts). The
    // reads run once the lock is granted, so they see every batch committed before this one.
    const read = await sendTogether(client, [
      { text: 'BEGIN' },
      { text: 'SELECT seq, hash FROM audit_head FOR UPDATE' },
      { text: 'SELECT record FROM transfers WHERE id = ANY($1::text[])', values: [ids] },
      { text: 'SELECT record FROM accounts WHERE account = ANY($1::text[]) OR owner = ANY($2::text[])', values: [accountNumbers, statusOwners] },
      { text: 'SELECT owner, state FROM owners WHERE owner = ANY($1::text[])', values: [ownerNames] },
      { text: 'SELECT coalesce(max(seq), 0) AS seq FROM transfers' },
      ...(others.some((j) => j.kind === 'open') ? [{ text: 'SELECT coalesce(max(substring(account from 5)::bigint), 0) + 1 AS next FROM accounts' }] : []),
    ]);
    const headRow = read[1] as pg.QueryResult<{ seq: string; hash: string }>;
    const stored = read[2] as pg.QueryResult<{ record: TransferRecord }>;
    const accounts = read[3] as pg.QueryResult<{ record: AccountState }>;
    const owners = read[4] as pg.QueryResult<{ owner: string; state: OwnerState }>;
    const seq = read[5] as pg.QueryResult<{ seq: string }>;
    const serial = read[6] as pg.QueryResult<{ next: string }> | undefined;
    if (headRow.rows.length !== 1) throw new Error('audit_head has no row: the schema was not migrated');
    let head: AuditHead = { seq: Number(headRow.rows[0]!.seq), hash: headRow.rows[0]!.hash };
    const engine = new LedgerEngine(rules);
    engine.load(
      accounts.rows.map((r) => r.record),
      owners.rows.map((r) => [r.owner, r.state] as [string, OwnerState]),
      Number(serial?.rows[0]!.next ?? 1),
      Number(seq.rows[0]!.seq),
    );
    const known = new Map(stored.rows.map((r) => [r.record.id, r.record]));

    const settled: Settled[] = [];
    const effects: MoveEffect[] = [];
    const audit: AuditEntry[] = [];
    const opened: AccountState[] = [];
    const changed = new Map<string, AccountState>();
    const limitsSet = new Set<string>();
    const ts = now.toISOString();
    const record = (draft: AuditDraft) => {
      const entry = sealAuditEntry(draft, head, ts);
      head = { seq: entry.seq, hash: entry.hash };
      audit.push(entry);
    };
    const writes = new GenericWrites();
    for (const job of jobs) {
      try {
        if (job.kind === 'write') {
          writes.add(job.ops, job.endedReason);
          const first = audit.length;
          job.audit.forEach(record);
          settled.push({ ok: true, value: { audit: audit.slice(first) } });
        } else if (job.kind === 'cash') {
          const cash = engine.ensureCash(now);
          if (cash) {
            opened.push(cash);
            record(CASH_OPENED_AUDIT);
          }
          settled.push({ ok: true, value: { accounts: cash ? [{ ...cash }] : [] } });
        } else if (job.kind === 'open') {
          const account = engine.openAccount(job.owner, now);
          opened.push(account);
          writes.add(job.extra ?? []);
          job.audit.forEach(record);
          // As on the embedded store: the opening itself, once its number is known.
          record(openedAudit(account, job.owner, job.audit));
          settled.push({ ok: true, value: { accounts: [{ ...account }] } });
        } else if (job.kind === 'status') {
          const accountsOfOwner = engine.setOwnerStatus(job.owner, job.status);
          for (const a of accountsOfOwner) changed.set(a.account, a);
          writes.add(job.extra ?? []);
          job.audit.forEach(record);
          settled.push({ ok: true, value: { accounts: accountsOfOwner.map((a) => ({ ...a })) } });
        } else if (job.kind === 'limits') {
          engine.setLimits(job.owner, job.limits);
          limitsSet.add(job.owner);
          writes.add(job.extra ?? []);
          job.audit.forEach(record);
          settled.push({ ok: true, value: { limits: engine.limitsOf(job.owner) } });
        } else {
          const outcome = engine.move(job.req, known.get(job.req.transferId), now);
          if (outcome.kind === 'replay') {
            settled.push({ ok: true, value: { transfer: outcome.transfer, balance: balanceFor(outcome.transfer), replay: true } });
            continue;
          }
          const { effect } = outcome;
          known.set(effect.transfer.id, effect.transfer);
          effects.push(effect);
          record(postedAudit(job.audit, effect.transfer));
          settled.push({ ok: true, value: { transfer: effect.transfer, balance: balanceFor(effect.transfer), replay: false, effect } });
        }
      } catch (err) {
        if (!isBankError(err)) throw err;
        settled.push({ ok: false, error: err });
      }
    }

    // Round trip 2: every write, the notifications and COMMIT, sent together.
    const write: Sql[] = [];
    if (opened.length > 0) {
      write.push({
        text: 'INSERT INTO accounts (account, owner, balance, record) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[])',
        values: [opened.map((a) => a.account), opened.map((a) => a.owner ?? ''), opened.map((a) => a.balance), opened.map((a) => JSON.stringify(a))],
      });
    }
    // A movement may touch an account opened in this batch: it is inserted above, updated below.
    // Owners in their final state: a limit set and a transfer's spending may both be in the batch.
    const touchedOwners = new Set([...limitsSet, ...effects.flatMap((e) => (e.owner ? [e.owner.username] : []))]);
    const finalOwners = new Map([...touchedOwners].map((name) => [name, engine.owners.get(name)!] as [string, OwnerState]));
    write.push(...effectStatements(effects, changed, finalOwners), ...writes.statements());
    if (audit.length > 0) {
      write.push(
        { text: 'INSERT INTO audit (seq, entry) SELECT * FROM unnest($1::bigint[], $2::jsonb[])', values: [audit.map((a) => a.seq), audit.map((a) => JSON.stringify(a))] },
        { text: 'UPDATE audit_head SET seq = $1, hash = $2', values: [head.seq, head.hash] },
      );
    }
    if (relay !== undefined) write.push(...notices(relay, { posted: effects.map((e) => e.transfer.id), ended: writes.endedSessions() }));
    write.push({ text: 'COMMIT' });
    await sendTogether(client, write);
    return { settled, audit };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** All of a batch's rows in a handful of statements (unnest of arrays), whatever its size. */
function effectStatements(effects: readonly MoveEffect[], changed: Map<string, AccountState>, finalOwners: Map<string, OwnerState>): Sql[] {
  const out: Sql[] = [];
  const transfers = effects.map((e) => e.transfer);
  if (transfers.length > 0) {
    out.push({
      text: `INSERT INTO transfers (id, seq, from_account, to_account, amount, record)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::jsonb[])`,
      values: [transfers.map((t) => t.id), transfers.map((t) => t.seq), transfers.map((t) => t.from), transfers.map((t) => t.to), transfers.map((t) => t.amount), transfers.map((t) => JSON.stringify(t))],
    });
    const entries = effects.flatMap((e) => [
      { account: e.from.account, seq: e.transfer.fromEntry, transferId: e.transfer.id, record: e.fromEntry },
      { account: e.to.account, seq: e.transfer.toEntry, transferId: e.transfer.id, record: e.toEntry },
    ]);
    out.push({
      text: `INSERT INTO entries (account, seq, transfer_id, record)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[])`,
      values: [entries.map((e) => e.account), entries.map((e) => e.seq), entries.map((e) => e.transferId), entries.map((e) => JSON.stringify(e.record))],
    });
  }
  // Each account once, in its final state after the batch.
  const finalAccounts = new Map(changed);
  for (const e of effects) {
    finalAccounts.set(e.from.account, e.from);
    finalAccounts.set(e.to.account, e.to);
  }
  const accounts = [...finalAccounts.values()];
  if (accounts.length > 0) {
    out.push({
      text: `UPDATE accounts SET balance = v.balance, record = v.record
       FROM unnest($1::text[], $2::bigint[], $3::jsonb[]) AS v(account, balance, record)
       WHERE accounts.account = v.account`,
      values: [accounts.map((a) => a.account), accounts.map((a) => a.balance), accounts.map((a) => JSON.stringify(a))],
    });
  }
  if (finalOwners.size > 0) {
    out.push({
      text: `INSERT INTO owners (owner, state) SELECT * FROM unnest($1::text[], $2::jsonb[])
       ON CONFLICT (owner) DO UPDATE SET state = excluded.state`,
      values: [[...finalOwners.keys()], [...finalOwners.values()].map((s) => JSON.stringify(s))],
    });
  }
  return out;
}

/** Marks a key deleted among a batch's generic writes. */
const DELETE = Symbol('delete');

/**
 * A batch's users, sessions and singletons: the last write of each key wins, as in the
 * embedded store's commit queue, then one upsert and one delete statement per table.
 */
class GenericWrites {
  private readonly tables = { users: new Map<string, unknown>(), sessions: new Map<string, unknown>(), meta: new Map<string, unknown>() };

  private readonly endedWhy = new Map<string, string>();

  add(ops: readonly GenericOp[], endedReason?: string): void {
    for (const op of ops) {
      this.tables[op.sublevel].set(op.key, op.type === 'put' ? op.value : DELETE);
      if (op.sublevel !== 'sessions') continue;
      if (op.type === 'del' && endedReason !== undefined) this.endedWhy.set(op.key, endedReason);
      else this.endedWhy.delete(op.key);
    }
  }

  /** Sessions this batch ends, each with why when its writer said: other relays close their connections on them. */
  endedSessions(): EndedSession[] {
    return [...this.tables.sessions].filter(([, v]) => v === DELETE).map(([key]) => {
      const reason = this.endedWhy.get(key);
      return reason === undefined ? { key } : { key, reason };
    });
  }

  statements(): Sql[] {
    const out: Sql[] = [];
    const table = { users: ['users', 'username', 'record'], sessions: ['sessions', 'key', 'record'], meta: ['meta', 'key', 'value'] } as const;
    for (const name of ['users', 'sessions', 'meta'] as const) {
      const [tbl, key, value] = table[name];
      const puts = [...this.tables[name]].filter(([, v]) => v !== DELETE);
      const dels = [...this.tables[name]].filter(([, v]) => v === DELETE).map(([k]) => k);
      if (dels.length > 0) out.push({ text: `DELETE FROM ${tbl} WHERE ${key} = ANY($1::text[])`, values: [dels] });
      if (puts.length === 0) continue;
      if (name === 'sessions') {
        out.push({
          text: `INSERT INTO sessions (key, username, record) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
           ON CONFLICT (key) DO UPDATE SET username = excluded.username, record = excluded.record`,
          values: [puts.map(([k]) => k), puts.map(([, v]) => (v as { username: string }).username), puts.map(([, v]) => JSON.stringify(v))],
        });
      } else {
        out.push({
          text: `INSERT INTO ${tbl} (${key}, ${value}) SELECT * FROM unnest($1::text[], $2::jsonb[])
           ON CONFLICT (${key}) DO UPDATE SET ${value} = excluded.${value}`,
          values: [puts.map(([k]) => k), puts.map(([, v]) => JSON.stringify(v))],
        });
      }
    }
    return out;
  }
}
