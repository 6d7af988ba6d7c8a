import { BankError, isBankError } from '../../common/errors.js';
import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import { sealAuditEntry, type AuditDraft } from '../audit/chain.js';
import { StaleUser, type BatchEffects, type BatchOrigin, type CommandResult, type EndedSession, type ItemResult, type LedgerCommand, type RecordWrite, type Settled } from './commands.js';
import type { LedgerEngine, MoveEffect } from './engine.js';
import { balanceFor, batchAudit, CASH_OPENED_AUDIT, openedAudit, postedAudit } from './outcomes.js';
import { checkRunBatch, countRunBatch, declareRun, type RunItemOutcome, type RunRecord } from './runs.js';
import type { AccountState, TransferRecord } from './types.js';

/** What the store read for a batch before it executes. */
export interface StoredForBatch {
  /** The transfers already recorded under the batch's ids. */
  transfers: ReadonlyMap<string, TransferRecord>;
  /** The stored version of each user the batch writes (absent: no such user). */
  users: ReadonlyMap<string, number>;
  /** Who holds each old Qt-bank account number the batch's user records carry (absent: nobody). */
  legacyHolders: ReadonlyMap<string, string>;
  /** The payment runs the batch declares or counts, as stored. */
  runs: ReadonlyMap<string, RunRecord>;
}

/** A batch run through the engine: each command's outcome, in order, and what to write. */
export interface ExecutedBatch {
  settled: Settled[];
  effects: BatchEffects;
}

/**
 * Runs a batch of commands, in order, on the engine: the ledger's whole decision, with no I/O
 * and no clock of its own. `stored.transfers` holds the transfers already recorded under the
 * batch's ids (the store prefetched them); movements posted earlier in the same batch join them
 * as it goes, so one transfer id posts at most once whatever arrives together. Each audit entry
 * is sealed onto `head` in the order of the changes it records. `stored.users` holds the stored
 * version of each user the batch writes; a command whose user write was made from another
 * version is refused whole with StaleUser, before it changes anything, and one that gives a user
 * an old account number another user holds (`stored.legacyHolders`) with CONFLICT: an old number
 * names one account, whichever relay records it. Payment runs are
 * declared and counted here too (runs.ts), in the same write as the money they count.
 *
 * A refused command (a BankError) changes nothing and answers its error; any other error is a
 * bug and is thrown, leaving the engine as it is (the store discards it or reloads).
 */
export function executeBatch(
  engine: LedgerEngine,
  commands: readonly LedgerCommand[],
  stored: StoredForBatch,
  head: AuditHead,
  now: Date,
): ExecutedBatch {
  const known = new Map(stored.transfers);
  const versions = new Map(stored.users);
  const legacyHolders = new Map(stored.legacyHolders);
  const runs = new Map(stored.runs);
  /** Runs declared or counted by this batch: written once each, in their final state. */
  const runsChanged = new Set<string>();
  const ts = now.toISOString();
  const posted: MoveEffect[] = [];
  const batches: BatchEffects['batches'] = [];
  const opened: AccountState[] = [];
  const accounts = new Set<AccountState>();
  const owners = new Set<string>();
  const writes: RecordWrite[] = [];
  /** Sessions ended, with why; one made again later in the batch is no longer ended. */
  const ended = new Map<string, string | undefined>();
  const audit: AuditEntry[] = [];
  let last = head;
  const record = (draft: AuditDraft): AuditEntry => {
    const entry = sealAuditEntry(draft, last, ts);
    last = { seq: entry.seq, hash: entry.hash };
    audit.push(entry);
    return entry;
  };
  /** Refuses writes made from a user's older record, or taking another's old account number; call before the command changes anything. */
  const checkUserWrites = (ws: readonly RecordWrite[] | undefined) => {
    const seen = new Map<string, number | undefined>();
    const claimed = new Map<string, string>();
    for (const w of ws ?? []) {
      if (w.type !== 'user') continue;
      const name = w.user.username;
      const current = seen.has(name) ? seen.get(name) : versions.get(name);
      if (w.from !== (current ?? null)) throw new StaleUser(name);
      seen.set(name, w.from === null ? 0 : w.from + 1);
      const old = w.user.legacy?.account;
      if (old === undefined) continue;
      const holder = claimed.get(old) ?? legacyHolders.get(old);
      if (holder !== undefined && holder !== name) throw new BankError('CONFLICT', `the old account number ${old} is another user's`);
      claimed.set(old, name);
    }
  };
  const write = (ws: readonly RecordWrite[] | undefined, endedReason?: string) => {
    if (!ws) return;
    for (const w of ws) {
      if (w.type === 'user') {
        const version = w.from === null ? 0 : w.from + 1;
        versions.set(w.user.username, version);
        if (w.user.legacy?.account !== undefined) legacyHolders.set(w.user.legacy.account, w.user.username);
        writes.push({ ...w, user: { ...w.user, version } });
        continue;
      }
      writes.push(w);
      if (w.type === 'endSession') ended.set(w.key, endedReason);
      else if (w.type === 'session') ended.delete(w.key);
    }
  };

  const run = (c: LedgerCommand): CommandResult => {
    if (c.kind !== 'move' && c.kind !== 'cash' && c.kind !== 'run') checkUserWrites(c.writes);
    switch (c.kind) {
      case 'move':
        return { kind: 'move', items: runMove(c) };
      case 'open': {
        const account = engine.openAccount(c.owner, now);
        opened.push(account);
        accounts.add(account);
        write(c.writes);
        c.audit.forEach(record);
        record(openedAudit(account, c.owner, c.audit));
        return { kind: 'accounts', accounts: [{ ...account }] };
      }
      case 'status': {
        const changed = engine.setOwnerStatus(c.owner, c.status);
        for (const a of changed) accounts.add(a);
        write(c.writes);
        c.audit.forEach(record);
        return { kind: 'accounts', accounts: changed.map((a) => ({ ...a })) };
      }
      case 'limits':
        engine.setLimits(c.owner, c.limits);
        owners.add(c.owner);
        write(c.writes);
        c.audit.forEach(record);
        return { kind: 'limits', limits: engine.limitsOf(c.owner) };
      case 'cash': {
        const cash = engine.ensureCash(now);
        if (cash) {
          opened.push(cash);
          accounts.add(cash);
          record(CASH_OPENED_AUDIT);
        }
        return { kind: 'accounts', accounts: cash ? [{ ...cash }] : [] };
      }
      case 'run': {
        const { run, created } = declareRun(runs.get(c.run.runId), c.run, now);
        if (created) {
          runs.set(run.runId, run);
          runsChanged.add(run.runId);
          record({ ...c.audit, target: run.runId, outcome: 'ok', details: { kind: run.kind, rows: run.rows, total: run.total, atomic: run.atomic, digest: run.digest } });
        }
        return { kind: 'run', run, created };
      }
      case 'write': {
        write(c.writes, c.endedReason);
        const first = audit.length;
        c.audit.forEach(record);
        return { kind: 'written', audit: audit.slice(first) };
      }
    }
  };

  const runMove = (c: Extract<LedgerCommand, { kind: 'move' }>): ItemResult[] => {
    const run = c.batch?.runId !== undefined ? runs.get(c.batch.runId) : undefined;
    if (run) checkRunBatch(run, c.audit.actor, c.items.map((m) => m.kind));
    const results = moveItems(c);
    if (run) {
      const outcomes = results.map((r, i): RunItemOutcome => {
        const transferId = c.items[i]!.transferId;
        if (!r.ok) return { transferId, failed: true };
        return r.replay ? { transferId, posted: 'replay' } : { transferId, posted: 'new', amount: r.transfer.amount };
      });
      const counted = countRunBatch(run, outcomes, now);
      if (counted !== run) {
        runs.set(run.runId, counted);
        runsChanged.add(run.runId);
      }
    }
    return results;
  };

  const moveItems = (c: Extract<LedgerCommand, { kind: 'move' }>): ItemResult[] => {
    const mark = c.atomic ? engine.mark(c.items) : undefined;
    const results: ItemResult[] = [];
    const applied: MoveEffect[] = [];
    const failed: [string, string][] = [];
    let replayed = 0;
    for (const req of c.items) {
      try {
        const outcome = engine.move(req, known.get(req.transferId), now);
        if (outcome.kind === 'replay') {
          replayed++;
          results.push({ ok: true, transfer: outcome.transfer, balance: balanceFor(outcome.transfer), replay: true });
          continue;
        }
        const t = outcome.effect.transfer;
        known.set(t.id, t);
        applied.push(outcome.effect);
        results.push({ ok: true, transfer: t, balance: balanceFor(t), replay: false });
      } catch (err) {
        if (!isBankError(err)) throw err;
        results.push({ ok: false, error: err });
        failed.push([req.transferId, err.code]);
        if (c.atomic) break;
      }
    }
    if (mark && failed.length > 0) {
      // All or none: what this batch applied is undone, and every other item says why.
      engine.rollback(mark);
      for (const e of applied) known.delete(e.transfer.id);
      const at = results.length - 1;
      const cause = results[at] as { ok: false; error: BankError };
      const why = `not applied: item ${at + 1} (${c.items[at]!.transferId}) failed with ${cause.error.code}, and the batch is atomic`;
      const answers: ItemResult[] = c.items.map((_, i) => (i === at ? cause : { ok: false, error: new BankError('BATCH_ABORTED', why) }));
      if (c.batch) record(batchAudit(c.audit, { ...runOf(c.batch), atomic: true, items: c.items.length, posted: [], failed, replayed: 0 }));
      return answers;
    }
    if (c.batch && applied.length > 0) batches.push({ first: posted.length, count: applied.length, ...(c.batch.sender !== undefined && { sender: c.batch.sender }) });
    for (const e of applied) {
      posted.push(e);
      accounts.add(e.from);
      accounts.add(e.to);
      if (e.owner) owners.add(e.owner.username);
    }
    if (c.batch) {
      // Every attempt is on record, unless it only replayed what already was.
      if (applied.length > 0 || failed.length > 0) {
        record(batchAudit(c.audit, { ...runOf(c.batch), atomic: c.atomic, items: c.items.length, posted: applied.map((e) => e.transfer), failed, replayed }));
      }
    } else {
      for (const e of applied) record(postedAudit(c.audit, e.transfer));
    }
    return results;
  };

  const settled: Settled[] = [];
  for (const c of commands) {
    try {
      settled.push({ ok: true, value: run(c) });
    } catch (err) {
      if (!isBankError(err)) throw err;
      settled.push({ ok: false, error: err });
    }
  }
  return {
    settled,
    effects: {
      posted,
      batches,
      opened,
      accounts: [...accounts],
      owners: [...owners].map((o) => [o, engine.owners.get(o)!]),
      writes,
      runs: [...runsChanged].map((id) => runs.get(id)!),
      ended: [...ended].map(([key, reason]): EndedSession => (reason === undefined ? { key } : { key, reason })),
      audit,
      head: last,
    },
  };
}

function runOf(b: BatchOrigin): { runId?: string } {
  return b.runId !== undefined ? { runId: b.runId } : {};
}

/** True when a batch changed nothing that needs writing (every command was a replay or a refusal). */
export function isEmpty(e: BatchEffects): boolean {
  return e.audit.length === 0 && e.writes.length === 0 && e.accounts.length === 0 && e.owners.length === 0 && e.runs.length === 0;
}
