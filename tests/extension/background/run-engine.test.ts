import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAccountNumber } from '../../../common/account-number.js';
import { webCryptoSuite } from '../../../common/protocol/crypto-web.js';
import { RunEngine, type RunOwner } from '../../../extension/src/background/runs/engine.js';
import { lookupChunks, lookupAccounts } from '../../../extension/src/background/runs/lookups.js';
import { openRunStore, type RunStore } from '../../../extension/src/background/runs/run-store.js';
import { createBackground, type Background } from '../../../extension/src/background/service.js';
import { memoryArea } from '../../../extension/src/background/storage.js';
import type { NewRun, RunSummary, UiResponse } from '../../../extension/src/shared/api.js';
import type { LocalRun } from '../../../extension/src/shared/runs.js';
import { FakeRunRelay } from './fake-run-relay.js';
import { waitForState } from './wait-for-state.js';

/*
 * Payment runs in the background: stored in IndexedDB (fake-indexeddb) before anything is sent,
 * sent in batches to a fake relay, and resumed by a new engine on the same database as a
 * restarted worker would: every row paid once.
 */

const RELAY = 'ws://127.0.0.1:1235/';
const JANE: RunOwner = { relayUrl: RELAY, username: 'jane', role: 'user' };
const ROOT: RunOwner = { relayUrl: RELAY, username: 'root', role: 'admin' };

function newRun(rows: number, patch: Partial<NewRun> = {}): NewRun {
  return {
    kind: 'payments',
    digest: 'cd'.repeat(32),
    currency: 'USD',
    atomic: false,
    rows: Array.from({ length: rows }, (_, i) => ({ line: i + 1, account: makeAccountNumber(200 + i), amount: 1000 + i, name: `Payee ${i}` })),
    ...patch,
  };
}

function unwrap<T>(r: UiResponse<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result;
}

interface World {
  engine: RunEngine;
  store: RunStore;
  relay: FakeRunRelay;
  published: RunSummary[][];
  owner: { current: RunOwner | undefined };
}

/** An engine as the background makes it; `dbName` shared between engines is a restarted worker. */
function world(dbName: string, relay = new FakeRunRelay(), owner: RunOwner | null = JANE): World {
  const store = openRunStore(dbName);
  const published: RunSummary[][] = [];
  const who = { current: owner ?? undefined };
  const engine = new RunEngine({
    store,
    call: relay.call,
    clock: { now: () => new Date() },
    newId: () => randomUUID(),
    owner: () => who.current,
    publish: (runs) => published.push(runs),
    chunkSize: 3,
    retryDelaysMs: [0, 0, 0],
    sleep: async () => {},
  });
  return { engine, store, relay, published, owner: who };
}

const freshDb = () => `bank-runs-test-${randomUUID()}`;

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function expectEachPaidOnce(relay: FakeRunRelay, run: LocalRun): void {
  for (const row of run.rows) {
    if (row.status === 'excluded') expect(relay.timesSent(row.transferId)).toBe(0);
    else expect(relay.timesApplied(row.transferId), `line ${row.line}`).toBe(1);
  }
}

describe('a payment run', () => {
  it('is stored with its transfer ids before anything is sent, then sent in batches until every row is posted', async () => {
    const w = world(freshDb());
    await w.engine.ownerChanged();
    const created = unwrap(await w.engine.create(newRun(10)));
    expect(w.relay.calls).toEqual([]);
    const stored = (await w.store.get(created.runId))!;
    expect(stored.rows.every((r) => r.status === 'pending' && r.transferId.length === 36)).toBe(true);
    expect(stored).toMatchObject({ username: 'jane', relayUrl: RELAY, declared: false });

    unwrap(await w.engine.start(created.runId));
    await w.engine.idle();
    const run = (await w.store.get(created.runId))!;
    expect(run.rows.every((r) => r.status === 'posted')).toBe(true);
    expect(w.relay.calls).toEqual(['run.start', 'transfer.batch', 'transfer.batch', 'transfer.batch', 'transfer.batch']);
    expect(w.relay.batches.map((b) => b.ids.length)).toEqual([3, 3, 3, 1]);
    expect(w.relay.batches.every((b) => b.runId === created.runId)).toBe(true);
    expect(w.relay.starts).toEqual([{ runId: created.runId, kind: 'payments', digest: 'cd'.repeat(32), rows: 10, total: 10_045, atomic: false }]);
    expectEachPaidOnce(w.relay, run);
    expect(w.relay.sent.length).toBe(10);
    // Progress was pushed as it went, ending done.
    const last = w.published.at(-1)![0]!;
    expect(last).toMatchObject({ runId: created.runId, state: 'done', posted: 10, sent: 10_045, failed: 0, rows: 10 });
    expect(w.published.some((p) => p[0]?.state === 'running' && p[0].posted === 3)).toBe(true);
  });

  it('resumes after the worker died with a batch in flight: posted rows are not sent again, the batch in doubt is replayed with the same ids', async () => {
    const db = freshDb();
    const relay = new FakeRunRelay();
    relay.fail(1, 'hang'); // the second batch reaches the relay, then the worker dies before the answer
    const first = world(db, relay);
    await first.engine.ownerChanged();
    const { runId } = unwrap(await first.engine.create(newRun(8)));
    unwrap(await first.engine.start(runId));
    await until(() => relay.hanging.length === 1, 'the second batch in flight');
    const atCrash = (await first.store.get(runId))!;
    expect(atCrash.rows.map((r) => r.status)).toEqual(['posted', 'posted', 'posted', 'in_doubt', 'in_doubt', 'in_doubt', 'pending', 'pending']);

    // A new worker: a new engine on the same IndexedDB. The old one never hears its answer.
    const second = world(db, relay);
    await second.engine.ownerChanged();
    expect(second.published.at(-1)).toEqual([expect.objectContaining({ runId, state: 'paused', posted: 3, inDoubt: 3, pending: 2 })]);
    unwrap(await second.engine.start(runId));
    await second.engine.idle();
    const run = (await second.store.get(runId))!;
    expect(run.rows.every((r) => r.status === 'posted')).toBe(true);
    expectEachPaidOnce(relay, run);
    const inDoubt = atCrash.rows.slice(3, 6).map((r) => r.transferId);
    expect(relay.batches[2]!.ids.slice(0, 3)).toEqual(inDoubt); // replayed first, same ids
    for (const row of run.rows) expect(relay.timesSent(row.transferId)).toBe(inDoubt.includes(row.transferId) ? 2 : 1);
    expect(relay.calls.filter((c) => c === 'run.start')).toHaveLength(1);
  });

  it('replays a batch whose answer was lost, and pays it once', async () => {
    const w = world(freshDb());
    w.relay.fail(0, 'lose-answer');
    await w.engine.ownerChanged();
    const { runId } = unwrap(await w.engine.create(newRun(4)));
    unwrap(await w.engine.start(runId));
    await w.engine.idle();
    const run = (await w.store.get(runId))!;
    expect(run.rows.every((r) => r.status === 'posted')).toBe(true);
    expectEachPaidOnce(w.relay, run);
    expect(w.relay.batches.map((b) => b.ids)).toEqual([run.rows.slice(0, 3).map((r) => r.transferId), run.rows.slice(0, 3).map((r) => r.transferId), [run.rows[3]!.transferId]]);
  });

  it('puts a batch refused before sending back as it was, and stops with why after its retries', async () => {
    const w = world(freshDb());
    for (let i = 0; i < 4; i++) w.relay.fail(i, 'offline');
    await w.engine.ownerChanged();
    const { runId } = unwrap(await w.engine.create(newRun(2)));
    unwrap(await w.engine.start(runId));
    await w.engine.idle();
    expect((await w.store.get(runId))!.rows.map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(w.published.at(-1)![0]).toMatchObject({ state: 'paused', problem: { code: 'OFFLINE' } });
    // Back online: a resume finishes it.
    unwrap(await w.engine.start(runId));
    await w.engine.idle();
    expect(w.published.at(-1)![0]).toMatchObject({ state: 'done', posted: 2 });
    expect(w.published.at(-1)![0]).not.toHaveProperty('problem');
  });

  it('pauses after the batch in flight, and resumes where it stopped', async () => {
    const w = world(freshDb());
    w.relay.fail(0, 'hang');
    await w.engine.ownerChanged();
    const { runId } = unwrap(await w.engine.create(newRun(7)));
    unwrap(await w.engine.start(runId));
    await until(() => w.relay.hanging.length === 1, 'the first batch in flight');
    expect(unwrap(w.engine.pause(runId)).state).toBe('pausing');
    w.relay.hanging[0]!();
    await w.engine.idle();
    let run = (await w.store.get(runId))!;
    expect(run.rows.map((r) => r.status)).toEqual(['posted', 'posted', 'posted', 'pending', 'pending', 'pending', 'pending']);
    expect(w.published.at(-1)![0]).toMatchObject({ state: 'paused', posted: 3 });
    unwrap(await w.engine.start(runId));
    await w.engine.idle();
    run = (await w.store.get(runId))!;
    expect(run.rows.every((r) => r.status === 'posted')).toBe(true);
    expectEachPaidOnce(w.relay, run);
    expect(w.relay.sent.length).toBe(7);
  });

  it('never runs twice at once: a second start joins the runner already sending', async () => {
    const w = world(freshDb());
    w.relay.fail(0, 'hang');
    await w.engine.ownerChanged();
    const { runId } = unwrap(await w.engine.create(newRun(3)));
    const [a, b] = await Promise.all([w.engine.start(runId), w.engine.start(runId)]);
    expect(unwrap(a).runId).toBe(runId);
    expect(unwrap(b).runId).toBe(runId);
    await until(() => w.relay.hanging.length === 1, 'the batch in flight');
    unwrap(await w.engine.start(runId));
    expect(w.engine.active).toBe(1);
    w.relay.hanging[0]!();
    await w.engine.idle();
    expect(w.relay.batches).toHaveLength(1);
    expect(w.relay.calls.filter((c) => c === 'run.start')).toHaveLength(1);
  });

  it('sends an all-or-nothing run as one atomic batch; one refused row refuses them all', async () => {
    const w = world(freshDb());
    const rows = newRun(5, { atomic: true });
    w.relay.unknownAccounts.add(rows.rows[2]!.account);
    await w.engine.ownerChanged();
    const { runId } = unwrap(await w.engine.create(rows));
    unwrap(await w.engine.start(runId));
    await w.engine.idle();
    expect(w.relay.batches).toEqual([expect.objectContaining({ atomic: true })]);
    expect(w.relay.batches[0]!.ids).toHaveLength(5);
    const run = (await w.store.get(runId))!;
    expect(run.rows.map((r) => r.error?.code)).toEqual(['BATCH_ABORTED', 'BATCH_ABORTED', 'NOT_FOUND', 'BATCH_ABORTED', 'BATCH_ABORTED']);
    expect(w.published.at(-1)![0]).toMatchObject({ state: 'done', posted: 0, failed: 5, sent: 0 });
    expect(w.relay.applied.size).toBe(0);
  });

  it('records refused rows as failed with the reason, and never sends excluded rows', async () => {
    const w = world(freshDb());
    const input = newRun(4);
    input.rows[1]!.excluded = true;
    w.relay.unknownAccounts.add(input.rows[3]!.account);
    await w.engine.ownerChanged();
    const { runId } = unwrap(await w.engine.create(input));
    unwrap(await w.engine.start(runId));
    await w.engine.idle();
    const run = (await w.store.get(runId))!;
    expect(run.rows.map((r) => r.status)).toEqual(['posted', 'excluded', 'posted', 'failed']);
    expect(run.rows[3]!.error).toEqual({ code: 'NOT_FOUND', message: `no account ${input.rows[3]!.account}` });
    expect(w.relay.timesSent(run.rows[1]!.transferId)).toBe(0);
    expect(w.published.at(-1)![0]).toMatchObject({ rows: 3, excluded: 1, posted: 2, failed: 1 });
  });

  it("sends an administrator's deposits through admin.account.batch, and keeps each kind to its role", async () => {
    const w = world(freshDb(), new FakeRunRelay(), ROOT);
    await w.engine.ownerChanged();
    expect(await w.engine.create(newRun(1))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const { runId } = unwrap(await w.engine.create(newRun(2, { kind: 'deposits' })));
    unwrap(await w.engine.start(runId));
    await w.engine.idle();
    expect(w.relay.batches).toEqual([expect.objectContaining({ op: 'admin.account.batch' })]);
    const jane = world(freshDb());
    expect(await jane.engine.create(newRun(1, { kind: 'withdrawals' }))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it("shows and runs only the signed-in person's runs", async () => {
    const db = freshDb();
    const w = world(db);
    await w.engine.ownerChanged();
    const { runId } = unwrap(await w.engine.create(newRun(1)));
    const other = world(db, new FakeRunRelay(), { ...JANE, username: 'john' });
    expect(await other.engine.get(runId)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await other.engine.start(runId)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await other.engine.discard(runId)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const nobody = world(db, new FakeRunRelay(), null);
    expect(await nobody.engine.start(runId)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('discards a run that is not sending, and refuses while it is', async () => {
    const w = world(freshDb());
    w.relay.fail(0, 'hang');
    await w.engine.ownerChanged();
    const { runId } = unwrap(await w.engine.create(newRun(2)));
    unwrap(await w.engine.start(runId));
    await until(() => w.relay.hanging.length === 1, 'in flight');
    expect(await w.engine.discard(runId)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    w.relay.hanging[0]!();
    await w.engine.idle();
    unwrap(await w.engine.discard(runId));
    expect(await w.store.get(runId)).toBeUndefined();
    expect(w.published.at(-1)).toEqual([]);
  });
});

describe('clearing at sign-out', () => {
  it("deletes the person's runs (a runner in flight stops first and stores nothing more)", async () => {
    const w = world(freshDb());
    w.relay.fail(0, 'hang');
    await w.engine.ownerChanged();
    const a = unwrap(await w.engine.create(newRun(5)));
    const b = unwrap(await w.engine.create(newRun(2)));
    unwrap(await w.engine.start(a.runId));
    await until(() => w.relay.hanging.length === 1, 'in flight');
    w.owner.current = undefined;
    await w.engine.ownerChanged();
    const cleared = w.engine.clearOwner('jane');
    w.relay.hanging[0]!();
    await cleared;
    expect(await w.store.get(a.runId)).toBeUndefined();
    expect(await w.store.get(b.runId)).toBeUndefined();
    expect(await w.store.owners()).toEqual([]);
    expect(w.relay.batches).toHaveLength(1); // nothing more was sent
    expect(w.published.at(-1)).toEqual([]);
  });

  it("deletes another person's leftover runs when someone signs in", async () => {
    const db = freshDb();
    const w = world(db);
    await w.engine.ownerChanged();
    unwrap(await w.engine.create(newRun(1)));
    const john = world(db, new FakeRunRelay(), { ...JANE, username: 'john' });
    await john.engine.ownerChanged();
    expect(await john.store.owners()).toEqual([]);
  });

  it('happens when the person signs out of the background, and the runs leave its state', async () => {
    const bg = offlineBackground();
    await bg.ready;
    bg.store.dispatch({ type: 'signed-in', user: { username: 'jane', displayName: 'Jane Smith', role: 'user', status: 'active' }, accounts: [], at: new Date().toISOString() });
    await waitForState(bg.store, (s) => s.runs !== undefined, 'runs loaded');
    const created = await bg.handleRequest({ type: 'runs.create', run: newRun(2) });
    expect(created).toMatchObject({ ok: true, result: { state: 'ready', rows: 2 } });
    await waitForState(bg.store, (s) => s.runs?.length === 1, 'the run in the state');
    expect(await bg.handleRequest({ type: 'runs.list' })).toMatchObject({ ok: true, result: [{ rows: 2 }] });
    await bg.handleRequest({ type: 'logout' });
    expect(bg.store.get().runs).toBeUndefined();
    await until(() => runStoreOf.size === 0, 'the runs deleted');
  });
});

describe('the run requests', () => {
  it('refuses runs the relay could not take, before storing anything', async () => {
    const bg = offlineBackground();
    await bg.ready;
    expect(await bg.handleRequest({ type: 'runs.create', run: newRun(1) })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    bg.store.dispatch({ type: 'signed-in', user: { username: 'jane', displayName: 'Jane Smith', role: 'user', status: 'active' }, accounts: [], at: new Date().toISOString() });
    const bad: unknown[] = [
      newRun(1001, { atomic: true }), // all-or-nothing holds one batch at most
      { ...newRun(1), rows: [{ line: 1, account: 'nope', amount: 5 }] },
      { ...newRun(1), rows: [{ line: 1, account: makeAccountNumber(7), amount: 0 }] },
      { ...newRun(1), rows: [{ line: 1, account: makeAccountNumber(7), amount: 0, excluded: true }] }, // nothing included
      { ...newRun(1), digest: 'not-a-digest' },
      newRun(5001),
    ];
    for (const run of bad) expect(await bg.handleRequest({ type: 'runs.create', run }), JSON.stringify(run).slice(0, 80)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(runStoreOf.size).toBe(0);
    // An excluded row may be anything the file had.
    expect(await bg.handleRequest({ type: 'runs.create', run: { ...newRun(1), rows: [...newRun(1).rows, { line: 9, account: 'nope', amount: 0, excluded: true }] } })).toMatchObject({ ok: true });
  });
});

describe('preview lookups', () => {
  it('asks each distinct account once, a thousand a call', async () => {
    const accounts = Array.from({ length: 2500 }, (_, i) => makeAccountNumber(1000 + (i % 2100)));
    expect(lookupChunks(accounts).map((c) => c.length)).toEqual([1000, 1000, 100]);
    const asked: string[][] = [];
    const r = await lookupAccounts(async (op, args) => {
      expect(op).toBe('account.lookupMany');
      const list = (args as { accounts: string[] }).accounts;
      asked.push(list);
      return { ok: true, result: { results: list.map((account) => ({ account, ok: true, displayName: 'X Y.' })), remaining: 10_000 - asked.flat().length } };
    }, accounts);
    expect(asked.map((a) => a.length)).toEqual([1000, 1000, 100]);
    expect(unwrap(r).results).toHaveLength(2100);
    expect(unwrap(r).remaining).toBe(7900);
  });

  it('ends with the relay’s refusal', async () => {
    const r = await lookupAccounts(async () => ({ ok: false, error: { code: 'RATE_LIMITED', message: 'daily lookup budget used up' } }), [makeAccountNumber(1)]);
    expect(r).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: 'daily lookup budget used up' } });
  });
});

// ---- a background that never reaches a relay, with a run store we can watch ----

let bgs: Background[] = [];
afterEach(() => {
  for (const b of bgs) b.stop();
  bgs = [];
});
const runStoreOf = new Map<string, LocalRun>();

function offlineBackground(): Background {
  runStoreOf.clear();
  const inner = openRunStore(freshDb());
  const store: RunStore = {
    get: (id) => inner.get(id),
    put: async (run) => {
      await inner.put(run);
      runStoreOf.set(run.runId, run);
    },
    delete: async (id) => {
      await inner.delete(id);
      runStoreOf.delete(id);
    },
    listOf: (u, n) => inner.listOf(u, n),
    owners: () => inner.owners(),
  };
  const bg = createBackground({
    local: memoryArea(),
    session: memoryArea(),
    openTransport: () => Promise.reject(new Error('connect ECONNREFUSED')),
    suite: webCryptoSuite,
    notifications: { create: async () => {} },
    badge: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
    alarms: { create: async () => {}, clear: async () => true },
    idle: { setDetectionInterval: () => {} },
    timing: { backoff: { baseMs: 5, factor: 2, capMs: 20, offlineAfter: 2 }, readyWaitMs: 50, logoutTimeoutMs: 50 },
    runStore: store,
    log: () => {},
  });
  bgs.push(bg);
  return bg;
}
