import { afterEach, describe, expect, it } from 'vitest';
import { webCryptoSuite } from '../../../common/protocol/crypto-web.js';
import { SessionController } from '../../../extension/src/background/session-controller.js';
import { SessionKeeper } from '../../../extension/src/background/session-token.js';
import { initialState } from '../../../extension/src/background/state.js';
import { memoryArea } from '../../../extension/src/background/storage.js';
import { createStore } from '../../../extension/src/background/store.js';
import { TrustStore } from '../../../extension/src/background/trust.js';
import type { ConnectionStatus } from '../../../extension/src/shared/api.js';
import { waitForState } from './wait-for-state.js';

/* The connection's retry logic against a relay that is never there (the real relay: see the integration test). */

let connection: SessionController | undefined;
afterEach(() => connection?.stop());

function unreachable(backoff: { baseMs: number; capMs: number }) {
  const store = createStore(initialState());
  const statuses: ConnectionStatus[] = [];
  store.subscribe((next, prev) => {
    if (next.status !== prev.status) statuses.push(next.status);
  });
  let dials = 0;
  connection = new SessionController({
    store,
    trust: new TrustStore(memoryArea()),
    session: new SessionKeeper(memoryArea()),
    openTransport: async () => {
      dials++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:1235');
    },
    suite: webCryptoSuite,
    random: () => 0.999,
    timing: { backoff: { ...backoff, factor: 2, offlineAfter: 3 }, readyWaitMs: 30_000 },
    log: () => {},
  });
  return { store, statuses, dials: () => dials, connection };
}

describe('reconnecting', () => {
  it("goes connecting → reconnecting → offline, and keeps trying", async () => {
    const t = unreachable({ baseMs: 5, capMs: 20 });
    expect(t.store.get().status).toBe('connecting');
    await t.connection.start();
    await waitForState(t.store, (s) => s.status === 'offline', 'offline');
    expect(t.statuses.slice(0, 2)).toEqual(['reconnecting', 'offline']);
    expect(t.store.get().statusDetail).toBe('Cannot reach the relay at ws://127.0.0.1:1235/: connect ECONNREFUSED 127.0.0.1:1235');
    const before = t.dials();
    await new Promise((r) => setTimeout(r, 100));
    expect(t.dials()).toBeGreaterThan(before);
  });

  it('a request skips the backoff wait, and hears OFFLINE as soon as that attempt fails', async () => {
    const t = unreachable({ baseMs: 60_000, capMs: 60_000 });
    await t.connection.start();
    await waitForState(t.store, (s) => s.status === 'reconnecting', 'reconnecting');
    expect(t.dials()).toBe(1);
    const started = Date.now();
    const r = await t.connection.call('account.balance', {});
    expect(r).toEqual({ ok: false, error: { code: 'OFFLINE', message: 'not connected to the relay' } });
    expect(t.dials()).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000); // not the 30 s readyWaitMs
    expect(await t.connection.login('alice', 'password password')).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    expect(t.dials()).toBe(3);
  });

  it('refuses the session ops to pages without dialling', async () => {
    const t = unreachable({ baseMs: 60_000, capMs: 60_000 });
    await t.connection.start();
    for (const op of ['auth.login', 'auth.resume', 'auth.logout'] as const) {
      expect(await t.connection.call(op, {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
  });

  it('stops for good', async () => {
    const t = unreachable({ baseMs: 5, capMs: 5 });
    await t.connection.start();
    t.connection.stop();
    const dials = t.dials();
    await new Promise((r) => setTimeout(r, 50));
    expect(t.dials()).toBe(dials);
    expect(await t.connection.call('ping', {})).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
  });
});
