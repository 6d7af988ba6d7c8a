import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BankClient } from '../../../common/client/bank-client.js';
import { formatAmount } from '../../../common/money.js';
import { webCryptoSuite } from '../../../common/protocol/crypto-web.js';
import { AUTOLOCK_ALARM } from '../../../extension/src/background/autolock.js';
import { openWebSocketTransport, type WebSocketConstructor } from '../../../extension/src/background/browser-transport.js';
import { openViewCache, type ViewCache } from '../../../extension/src/background/cache.js';
import type { SessionController } from '../../../extension/src/background/session-controller.js';
import type { NotificationOptions } from '../../../extension/src/background/notify.js';
import { createBackground, WAKE_ALARM, type Background } from '../../../extension/src/background/service.js';
import { relayKey } from '../../../extension/src/background/settings.js';
import { memoryArea, type KeyValueArea } from '../../../extension/src/background/storage.js';
import type { StateStore } from '../../../extension/src/background/store.js';
import { TrustStore } from '../../../extension/src/background/trust.js';
import type { BackgroundPush, ConnectionStatus, UiResponse } from '../../../extension/src/shared/api.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, tempDir, type TestRelay } from '../../helpers/relay.js';
import { waitForState } from './wait-for-state.js';

/*
 * The background's real connection logic (session-controller.ts and relay-socket.ts over browser-transport.ts, WebCrypto)
 * in Node against real relays; `ws` stands in for the browser's WebSocket.
 */

const PASSWORD = 'background test password';
const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

interface Worker {
  bg: Background;
  store: StateStore;
  connection: SessionController;
  statuses: ConnectionStatus[];
  shown: NotificationOptions[];
  badges: string[];
  /** What an open page received on its UI port. */
  pushes: BackgroundPush[];
  /** Closes that page. */
  closePage(): void;
  alarms: { name: string; delayInMinutes?: number; periodInMinutes?: number }[];
}

/** One service-worker lifetime: fresh memory over the given storage areas and cache. */
function startWorker(local: KeyValueArea, session: KeyValueArea, cache: ViewCache): Worker {
  const shown: NotificationOptions[] = [];
  const badges: string[] = [];
  const alarms: { name: string; delayInMinutes?: number; periodInMinutes?: number }[] = [];
  const bg = createBackground({
    local,
    session,
    cache,
    openTransport: (u) => openWebSocketTransport(u, { WebSocketImpl: NodeWebSocket, timeoutMs: 3_000 }),
    suite: webCryptoSuite,
    notifications: {
      create: async (_id, options) => {
        shown.push(options);
      },
    },
    badge: {
      setBadgeText: async ({ text }) => {
        badges.push(text);
      },
      setBadgeBackgroundColor: async () => {},
    },
    alarms: {
      create: async (name, info) => {
        alarms.push({ name, ...info });
      },
      clear: async () => true,
    },
    idle: { setDetectionInterval: () => {} },
    timing: { backoff: { baseMs: 50, factor: 2, capMs: 300, offlineAfter: 3 }, readyWaitMs: 3_000 },
    log: () => {},
  });
  const statuses: ConnectionStatus[] = [];
  bg.store.subscribe((next, prev) => {
    if (next.status !== prev.status) statuses.push(next.status);
  });
  const pushes: BackgroundPush[] = [];
  let closePage = (): void => {};
  bg.connectPort({ postMessage: (m) => pushes.push(m as BackgroundPush), onDisconnect: { addListener: (cb) => (closePage = cb) } });
  return { bg, store: bg.store, connection: bg.connection, statuses, shown, badges, pushes, closePage: () => closePage(), alarms };
}

/**
 * The relay restarts on the same port below, so it is taken outside the ephemeral range (where
 * the other suites' relays, on port 0, could grab it while ours is down).
 */
async function startOnFixedPort(dataDir: string): Promise<TestRelay> {
  for (let tries = 0; ; tries++) {
    const wsPort = 20_000 + Math.floor(Math.random() * 10_000);
    try {
      return await startTestRelay({ dataDir, wsPort });
    } catch (err) {
      if (tries >= 20 || !/EADDRINUSE/.test(String((err as Error).message ?? err))) throw err;
    }
  }
}

describe('background connection against a real relay', () => {
  const dataDir = { first: '', second: '' };
  let relay: TestRelay;
  let wsPort = 0;
  let relayFingerprint = '';
  const local = memoryArea();
  const session = memoryArea();
  const cache = openViewCache(`bg-integration-${randomUUID()}`);
  let worker: Worker | undefined;
  let bob: BankClient | undefined;
  let aliceAccount = '';
  let bobAccount = '';

  beforeAll(async () => {
    dataDir.first = await tempDir('bank-bg-');
    relay = await startOnFixedPort(dataDir.first);
    wsPort = relay.wsPort;
    const admin = await connect(relay, 'ws');
    relayFingerprint = admin.handshake.fingerprint;
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const a = await admin.request('admin.user.create', { username: 'alice', password: PASSWORD, displayName: 'Alice Archer', role: 'user', openingDeposit: 10_000 });
    const b = await admin.request('admin.user.create', { username: 'bob', password: PASSWORD, displayName: 'Bob Baker', role: 'user', openingDeposit: 50_000 });
    aliceAccount = a.accounts[0]!.account;
    bobAccount = b.accounts[0]!.account;
    admin.close();
  });

  afterAll(async () => {
    worker?.connection.stop();
    bob?.close();
    await relay?.stop();
    for (const dir of [dataDir.first, dataDir.second]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A request as a page sends it. */
  const send = (request: unknown): Promise<UiResponse> => worker!.bg.handleRequest(request);

  it('pins the key on first use, signs in, follows transfers, survives a relay restart and refuses a changed key', async () => {
    // Connect: the relay's key is pinned on first use.
    await local.set('settings', { relayUrl: relay.wsUrl, autoLockMinutes: 5, notifications: true });
    worker = startWorker(local, session, cache);
    await worker.bg.ready;
    let s = await waitForState(worker.store, (st) => st.status === 'live', 'live');
    expect(s.trust).toEqual({ pinned: relayFingerprint, current: relayFingerprint });
    expect(await new TrustStore(local).pinned(relay.wsUrl)).toBe(relayFingerprint);
    expect(s.user).toBeNull();

    // A wrong password is the relay's error, as it is.
    const wrong = await send({ type: 'login', username: 'alice', password: 'not the password' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });

    // Sign in: the token goes to the session area only, and the first history page is loaded.
    const login = await send({ type: 'login', username: 'alice', password: PASSWORD });
    expect(login.ok).toBe(true);
    s = worker.store.get();
    expect(s.user).toMatchObject({ username: 'alice', displayName: 'Alice Archer', role: 'user' });
    expect(s.accounts).toEqual([expect.objectContaining({ account: aliceAccount, balance: 10_000 })]);
    expect(s.recent).toEqual([expect.objectContaining({ amount: 10_000, balanceAfter: 10_000 })]);
    const token = ((await session.get('relaySession')) as { token: string }).token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify([...local.data.values()])).not.toContain(token);

    // Money arrives: balance, activity and a notification, live.
    bob = (await loginAs(relay, 'ws', 'bob', PASSWORD)).client;
    const incoming = randomUUID();
    await bob.request('transfer.create', { transferId: incoming, to: aliceAccount, amount: 1_234, memo: 'lunch' });
    s = await waitForState(worker.store, (st) => st.recent[0]?.transferId === incoming, 'the incoming transfer');
    expect(s.accounts[0]?.balance).toBe(11_234);
    expect(s.recent[0]).toMatchObject({ amount: 1_234, counterparty: bobAccount, memo: 'lunch', balanceAfter: 11_234 });
    expect(s.notifications[0]).toMatchObject({ id: `received:${incoming}`, kind: 'received', read: false });
    expect(s.notifications[0]?.body).toContain(formatAmount(1_234, 'USD'));
    expect(s.unread).toBe(1);
    expect(worker.shown).toEqual([expect.objectContaining({ type: 'basic', title: 'Money received', message: expect.stringContaining(formatAmount(1_234, 'USD')) })]);
    expect(worker.badges.at(-1)).toBe('1');
    expect(worker.pushes).toContainEqual(expect.objectContaining({ type: 'relay-event', event: 'transfer.received' }));
    // The state is pushed before the event it came from, so a page's live view never runs ahead of it.
    expect(worker.pushes.slice(-2)).toMatchObject([{ type: 'state', state: { unread: 1 } }, { type: 'relay-event', event: 'transfer.received' }]);
    expect(await send({ type: 'notifications.read' })).toMatchObject({ ok: true, result: { unread: 0 } });
    expect(worker.badges.at(-1)).toBe('');

    // A transfer the page makes through `call`: the events update balance and activity, once.
    const outgoing = randomUUID();
    const sent = await send({ type: 'call', op: 'transfer.create', args: { transferId: outgoing, to: bobAccount, amount: 500 } });
    expect(sent).toMatchObject({ ok: true, result: { balance: 10_734 } });
    s = await waitForState(worker.store, (st) => st.recent[0]?.transferId === outgoing && st.accounts[0]?.balance === 10_734, 'the outgoing transfer');
    expect(s.recent[0]).toMatchObject({ amount: -500, counterparty: bobAccount, balanceAfter: 10_734 });
    expect(s.recent.filter((e) => e.transferId === outgoing)).toHaveLength(1);
    // A retry with the same transferId pays nothing twice (and adds no entry).
    expect(await send({ type: 'call', op: 'transfer.create', args: { transferId: outgoing, to: bobAccount, amount: 500 } })).toMatchObject({ ok: true });
    expect((await send({ type: 'call', op: 'account.balance', args: {} })) as unknown).toMatchObject({ ok: true, result: { balance: 10_734 } });
    // The relay's errors come back with their codes.
    expect(await send({ type: 'call', op: 'transfer.create', args: { transferId: randomUUID(), to: bobAccount, amount: 99_999_999 } })).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/^(INSUFFICIENT_FUNDS|LIMIT_EXCEEDED)$/) },
    });

    // The relay restarts: the worker reconnects and resumes the session without the password.
    bob.close();
    worker.statuses.length = 0;
    await relay.stop();
    await waitForState(worker.store, (st) => st.status === 'reconnecting' || st.status === 'offline', 'the loss to be noticed');
    const whileDown = await send({ type: 'call', op: 'account.balance', args: {} });
    expect(whileDown).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    expect(worker.store.get().user?.username).toBe('alice'); // still shown, from memory, not live
    relay = await startTestRelay({ dataDir: dataDir.first, wsPort });
    s = await waitForState(worker.store, (st) => st.status === 'live', 'live again after the restart');
    expect(worker.statuses).toContain('reconnecting');
    expect(s.user?.username).toBe('alice');
    expect(s.accounts[0]?.balance).toBe(10_734);
    expect(((await session.get('relaySession')) as { token: string }).token).toBe(token);
    expect(await send({ type: 'call', op: 'account.balance', args: {} })).toMatchObject({ ok: true, result: { balance: 10_734 } });

    // The worker restarts: the cache paints at once, then the session resumes from storage.session.
    worker.connection.stop();
    await new Promise((r) => setTimeout(r, 100)); // let the old worker's last cache write land
    worker = startWorker(local, session, cache);
    await worker.bg.ready;
    s = worker.store.get();
    expect(s.user?.username).toBe('alice');
    expect(s.accounts[0]?.balance).toBe(10_734);
    expect(s.recent.some((e) => e.transferId === outgoing)).toBe(true);
    s = await waitForState(worker.store, (st) => st.status === 'live', 'live after the worker restart');
    expect(s.user?.username).toBe('alice');
    expect(await send({ type: 'call', op: 'account.balance', args: {} })).toMatchObject({ ok: true, result: { balance: 10_734 } });

    // Another relay (another identity key) answers at the same URL: refuse to talk.
    await relay.stop();
    dataDir.second = await tempDir('bank-bg-other-');
    relay = await startTestRelay({ dataDir: dataDir.second, wsPort });
    const other = await connect(relay, 'ws');
    const otherFingerprint = other.handshake.fingerprint;
    other.close();
    expect(otherFingerprint).not.toBe(relayFingerprint);
    s = await waitForState(worker.store, (st) => st.status === 'key-changed', 'key-changed');
    expect(s.trust).toEqual({ pinned: relayFingerprint, current: otherFingerprint, offered: otherFingerprint });
    expect(await send({ type: 'call', op: 'account.balance', args: {} })).toMatchObject({ ok: false, error: { code: 'KEY_CHANGED' } });
    expect(await send({ type: 'login', username: 'admin', password: ADMIN_PASSWORD })).toMatchObject({ ok: false, error: { code: 'KEY_CHANGED' } });
    await new Promise((r) => setTimeout(r, 400)); // no retry behind the person's back
    expect(worker.store.get().status).toBe('key-changed');
    expect(await new TrustStore(local).pinned(relay.wsUrl)).toBe(relayFingerprint);

    // The person accepts the new key: it is pinned, and the old session is not handed to it.
    expect(await send({ type: 'trust.accept' })).toMatchObject({ ok: true });
    s = await waitForState(worker.store, (st) => st.status === 'live', 'live with the accepted key');
    expect(s.trust).toEqual({ pinned: otherFingerprint, current: otherFingerprint });
    expect(s.user).toBeNull();
    expect(await session.get('relaySession')).toBeUndefined();
    expect(await new TrustStore(local).pinned(relayKey(relay.wsUrl))).toBe(otherFingerprint);
  });
});

describe('locking and revocation against a real relay', () => {
  let relay: TestRelay;
  let relayClockOffset = 0;
  let admin: BankClient;
  let worker: Worker | undefined;
  const local = memoryArea();
  const session = memoryArea();
  const cache = openViewCache(`bg-integration-lock-${randomUUID()}`);
  const send = (request: unknown): Promise<UiResponse> => worker!.bg.handleRequest(request);
  const tokenNow = async (): Promise<string | undefined> => ((await session.get('relaySession')) as { token?: string } | undefined)?.token;

  beforeAll(async () => {
    relay = await startTestRelay({}, { clock: () => Date.now() + relayClockOffset });
    admin = await connect(relay, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    await admin.request('admin.user.create', { username: 'carol', password: PASSWORD, displayName: 'Carol Cole', role: 'user', openingDeposit: 2_500 });
    await local.set('settings', { relayUrl: relay.wsUrl, autoLockMinutes: 5, notifications: true });
    worker = startWorker(local, session, cache);
    await worker.bg.ready;
    await waitForState(worker.store, (st) => st.status === 'live', 'live');
  });

  afterAll(async () => {
    worker?.connection.stop();
    admin?.close();
    await relay?.stop();
  });

  it('sets the alarm that wakes a background the browser stopped (Firefox unloads an idle event page)', () => {
    expect(worker!.alarms).toContainEqual({ name: WAKE_ALARM, periodInMinutes: 0.5 });
  });

  it('auto-locks: ends the session on the relay, keeps the cache, and arms on activity', async () => {
    const w = worker!;
    expect(await send({ type: 'login', username: 'carol', password: PASSWORD })).toMatchObject({ ok: true, result: { user: { username: 'carol' } } });
    expect(w.alarms.at(-1)).toEqual({ name: AUTOLOCK_ALARM, delayInMinutes: 5 });
    const armed = w.alarms.length;
    await send({ type: 'activity' });
    expect(w.alarms.length).toBe(armed + 1);
    const token = await tokenNow();
    expect(token).toBeDefined();

    w.bg.onAlarm({ name: AUTOLOCK_ALARM });
    const s = await waitForState(w.store, (st) => st.user === null, 'the lock');
    expect(s.signedOutReason).toBe('Locked after 5 minutes of inactivity.');
    expect(s.accounts).toEqual([]);
    expect(await tokenNow()).toBeUndefined();
    // The relay ended the session too (auth.logout): the old token resumes nothing.
    await expect
      .poll(async () => (await admin.request('admin.session.list', {})).sessions.filter((x) => x.username === 'carol').length, { timeout: 5_000 })
      .toBe(0);
    const probe = await connect(relay, 'ws');
    expect(await probe.call('auth.resume', { token: token! })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    probe.close();
    // What carol last saw stays for her next sign-in.
    expect((await cache.load(relay.wsUrl, 'carol'))?.accounts[0]?.balance).toBe(2_500);
  });

  it("sends work made as one person (a payment run's batch) only on that person's session, never on the next one's", async () => {
    const w = worker!;
    const relayUrl = w.store.get().settings.relayUrl;
    const dora = (await admin.request('admin.user.create', { username: 'dora', password: PASSWORD, displayName: 'Dora Dunn', role: 'user', openingDeposit: 1_000 })).accounts[0]!.account;
    await admin.request('admin.user.create', { username: 'eve', password: PASSWORD, displayName: 'Eve Ellis', role: 'user', openingDeposit: 3_000 });
    expect(await send({ type: 'login', username: 'dora', password: PASSWORD })).toMatchObject({ ok: true });
    await send({ type: 'lock' });
    await waitForState(w.store, (st) => st.user === null, 'the lock');
    expect(await send({ type: 'login', username: 'eve', password: PASSWORD })).toMatchObject({ ok: true, result: { user: { username: 'eve' } } });
    const batch = { transfers: [{ transferId: randomUUID(), to: dora, amount: 100 }] };
    // Dora's run, its owner locked out and Eve signed in: not sent, and Eve's money stays.
    expect(await w.connection.call('transfer.batch', batch, { username: 'dora', relayUrl })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await w.connection.call('account.balance', {})).toMatchObject({ ok: true, result: { balance: 3_000 } });
    const paid = await w.connection.call('transfer.batch', batch, { username: 'eve', relayUrl });
    expect(paid, JSON.stringify(paid)).toMatchObject({ ok: true });
    expect(await w.connection.call('account.balance', {})).toMatchObject({ ok: true, result: { balance: 2_900 } });
    await send({ type: 'logout' });
  });

  it('a revoked session signs out with a notification saying why', async () => {
    const w = worker!;
    expect(await send({ type: 'login', username: 'carol', password: PASSWORD })).toMatchObject({ ok: true });
    await admin.request('admin.session.revoke', { username: 'carol' });
    const s = await waitForState(w.store, (st) => st.user === null, 'the revocation');
    expect(s.signedOutReason).toBe('Signed out: an administrator ended this session.');
    expect(w.shown.at(-1)).toMatchObject({ title: 'Signed out', message: 'Signed out: an administrator ended this session.' });
    expect(await tokenNow()).toBeUndefined();
    await waitForState(w.store, (st) => st.status === 'live', 'live again, signed out');
    expect(w.store.get().user).toBeNull();
  });

  it("keeps an admin's request monitor on across a reconnect, and turns it off when the last page closes", async () => {
    const w = worker!;
    expect(await send({ type: 'login', username: 'admin', password: ADMIN_PASSWORD })).toMatchObject({ ok: true, result: { user: { role: 'admin' } } });
    let closePage = (): void => {};
    const pushes: BackgroundPush[] = [];
    w.bg.connectPort({ postMessage: (m) => pushes.push(m as BackgroundPush), onDisconnect: { addListener: (cb) => (closePage = cb) } });
    expect(await send({ type: 'call', op: 'admin.monitor', args: { on: true } })).toMatchObject({ ok: true });
    const monitored = (): number => pushes.filter((p) => p.type === 'relay-event' && p.event === 'monitor.request').length;

    w.connection.reconnect();
    await waitForState(w.store, (st) => st.status === 'live', 'live after a reconnect');
    await expect.poll(async () => {
      await admin.request('ping', {});
      return monitored();
    }, { timeout: 5_000 }).toBeGreaterThan(0);

    closePage();
    w.closePage(); // the last open page
    await new Promise((r) => setTimeout(r, 100)); // the relay has the admin.monitor {on:false}
    // A page opened now hears of no requests: the relay stopped sending monitor events.
    const later: BackgroundPush[] = [];
    w.bg.connectPort({ postMessage: (m) => later.push(m as BackgroundPush), onDisconnect: { addListener: () => {} } });
    await admin.request('ping', {});
    expect(await send({ type: 'call', op: 'admin.stats', args: {} })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(later.filter((p) => p.type === 'relay-event' && p.event === 'monitor.request')).toEqual([]);
    expect(await send({ type: 'logout' })).toMatchObject({ ok: true });
  });

  it('an answer lost with its socket: a read is asked again on the next socket, a change is IN_DOUBT and its replay pays once', async () => {
    const w = worker!;
    expect(await send({ type: 'login', username: 'carol', password: PASSWORD })).toMatchObject({ ok: true });
    const { ledger } = relay.relay.context;
    /** Runs `request` while the relay, having taken it, drops carol's socket before the answer goes out. */
    const dropDuring = async <K extends 'accountStatesOf' | 'move'>(method: K, request: () => Promise<UiResponse>): Promise<UiResponse> => {
      const original = ledger[method].bind(ledger) as (...args: unknown[]) => unknown;
      const spy = vi.spyOn(ledger, method).mockImplementationOnce(((...args: unknown[]) => {
        for (const conn of [...relay.relay.context.live.forUser('carol')]) conn.close(1001, 'going away');
        return original(...args);
      }) as never);
      try {
        const answer = await request();
        expect(spy).toHaveBeenCalled();
        return answer;
      } finally {
        spy.mockRestore();
      }
    };
    expect(await dropDuring('accountStatesOf', () => send({ type: 'call', op: 'account.balance', args: {} }))).toMatchObject({ ok: true, result: { balance: 2_500 } });

    const payee = (await admin.request('admin.user.create', { username: 'dave', password: PASSWORD, displayName: 'Dave Doe', role: 'user' })).accounts[0]!.account;
    const transfer = { transferId: randomUUID(), to: payee, amount: 100 };
    expect(await dropDuring('move', () => send({ type: 'call', op: 'transfer.create', args: transfer }))).toMatchObject({ ok: false, error: { code: 'IN_DOUBT' } });
    await waitForState(w.store, (st) => st.status === 'live', 'live again');
    // Replayed with its id (as the popup does): posted once, the answer says so.
    expect(await send({ type: 'call', op: 'transfer.create', args: transfer })).toMatchObject({ ok: true, result: { balance: 2_400 } });
    expect(await send({ type: 'call', op: 'account.balance', args: {} })).toMatchObject({ ok: true, result: { balance: 2_400 } });
    expect(await send({ type: 'logout' })).toMatchObject({ ok: true });
  });

  it('signing out forgets the cached view; a session the relay timed out signs out on the next call', async () => {
    const w = worker!;
    expect(await send({ type: 'login', username: 'carol', password: PASSWORD })).toMatchObject({ ok: true });
    expect(await send({ type: 'logout' })).toMatchObject({ ok: true, result: { user: null } });
    expect(w.store.get()).not.toHaveProperty('signedOutReason');
    await expect.poll(() => cache.load(relay.wsUrl, 'carol'), { timeout: 5_000 }).toBeUndefined();

    // The relay's idle timeout ends the session without an event: the next call signs out.
    expect(await send({ type: 'login', username: 'carol', password: PASSWORD })).toMatchObject({ ok: true });
    relayClockOffset += 16 * 60_000;
    expect(await send({ type: 'call', op: 'account.balance', args: {} })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(w.store.get().user).toBeNull();
    expect(await tokenNow()).toBeUndefined();
    expect(w.store.get().signedOutReason).toBe('Your session has ended; please sign in again.');
    expect(w.shown.at(-1)).toMatchObject({ title: 'Signed out', message: 'Your session has ended; please sign in again.' });
  });
});
