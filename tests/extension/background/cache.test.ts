import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { makeAccountNumber } from '../../../common/account-number.js';
import { cacheWriter, openViewCache, type ViewCache } from '../../../extension/src/background/cache.js';
import type { UserView } from '../../../extension/src/background/state.js';

const RELAY = 'ws://127.0.0.1:1235/';
const ACCOUNT = makeAccountNumber(1);

function view(username: string, balance: number): UserView {
  return {
    user: { username, displayName: username, role: 'user', status: 'active' },
    accounts: [{ account: ACCOUNT, balance, currency: 'USD', status: 'active' }],
    recent: [
      {
        transferId: '00000000-0000-4000-8000-000000000001',
        ts: '2024-05-01T12:00:00.000Z',
        amount: balance,
        counterparty: makeAccountNumber(2),
        balanceAfter: balance,
      },
    ],
    recentNext: 'cursor-1',
    notifications: [{ id: 'received:1', ts: '2024-05-01T12:00:00.000Z', kind: 'received', title: 'Money received', body: 'x', read: false }],
    syncedAt: '2024-05-01T12:00:01.000Z',
  };
}

const freshCache = (): { name: string; cache: ViewCache } => {
  const name = `bank-cache-test-${randomUUID()}`;
  return { name, cache: openViewCache(name) };
};

describe('the IndexedDB view cache', () => {
  it('gives back what was saved, per relay and user', async () => {
    const { cache } = freshCache();
    expect(await cache.load(RELAY, 'alice')).toBeUndefined();
    await cache.save(RELAY, view('alice', 100));
    await cache.save(RELAY, view('bob', 200));
    await cache.save('ws://other.example/', view('alice', 300));
    expect(await cache.load(RELAY, 'alice')).toEqual(view('alice', 100));
    expect(await cache.load(RELAY, 'bob')).toEqual(view('bob', 200));
    expect(await cache.load('ws://other.example', 'alice')).toEqual(view('alice', 300));
    expect(await cache.load('ws://127.0.0.1:1235', 'alice')).toEqual(view('alice', 100)); // same relay, other spelling
  });

  it('keeps only the latest view of a user', async () => {
    const { cache } = freshCache();
    await cache.save(RELAY, view('alice', 100));
    await cache.save(RELAY, view('alice', 150));
    expect((await cache.load(RELAY, 'alice'))?.accounts[0]?.balance).toBe(150);
  });

  it('survives reopening (a restarted worker)', async () => {
    const { name, cache } = freshCache();
    await cache.save(RELAY, view('alice', 100));
    expect(await openViewCache(name).load(RELAY, 'alice')).toEqual(view('alice', 100));
  });

  it('omits optional fields that were never set', async () => {
    const { cache } = freshCache();
    const { recentNext: _n, syncedAt: _s, ...bare } = view('alice', 1);
    await cache.save(RELAY, bare);
    const loaded = await cache.load(RELAY, 'alice');
    expect(loaded).toEqual(bare);
    expect(loaded).not.toHaveProperty('recentNext');
  });

  it('removes one user', async () => {
    const { cache } = freshCache();
    await cache.save(RELAY, view('alice', 1));
    await cache.save(RELAY, view('bob', 2));
    await cache.remove(RELAY, 'alice');
    expect(await cache.load(RELAY, 'alice')).toBeUndefined();
    expect(await cache.load(RELAY, 'bob')).toBeDefined();
  });

  it('ignores a damaged record instead of showing it', async () => {
    const { name, cache } = freshCache();
    await cache.save(RELAY, view('alice', 1)); // creates the database
    const db = await openDB(name, 1);
    await db.put('views', { relayUrl: RELAY, username: 'alice', user: { username: 'alice' }, accounts: 'nope' });
    db.close();
    expect(await cache.load(RELAY, 'alice')).toBeUndefined();
  });

  it('never stores a token: only the view fields and where they came from', async () => {
    const { name, cache } = freshCache();
    await cache.save(RELAY, view('alice', 1));
    const db = await openDB(name, 1);
    const raw = (await db.getAll('views'))[0] as Record<string, unknown>;
    db.close();
    expect(Object.keys(raw).sort()).toEqual(['accounts', 'notifications', 'recent', 'recentNext', 'relayUrl', 'savedAt', 'syncedAt', 'user', 'username']);
  });
});

describe('cacheWriter', () => {
  it('writes one at a time and only the latest of a burst', async () => {
    const saved: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const slow: ViewCache = {
      load: async () => undefined,
      remove: async () => {},
      save: async (_url, v) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        saved.push(v.accounts[0]!.balance);
        inFlight--;
      },
    };
    const writer = cacheWriter(slow);
    for (let i = 1; i <= 10; i++) writer.write(RELAY, view('alice', i));
    await writer.flushed();
    expect(saved).toEqual([1, 10]);
    expect(maxInFlight).toBe(1);
  });

  it('can drop a queued write and reports failures', async () => {
    const saved: number[] = [];
    const errors: unknown[] = [];
    const failing: ViewCache = {
      load: async () => undefined,
      remove: async () => {},
      save: async (_url, v) => {
        await new Promise((r) => setTimeout(r, 5));
        if (v.accounts[0]!.balance === 1) throw new Error('disk full');
        saved.push(v.accounts[0]!.balance);
      },
    };
    const writer = cacheWriter(failing, (err) => errors.push(err));
    writer.write(RELAY, view('alice', 1));
    writer.write(RELAY, view('alice', 2));
    writer.cancel();
    await writer.flushed();
    expect(saved).toEqual([]);
    expect(errors).toHaveLength(1);
    writer.write(RELAY, view('alice', 3));
    await writer.flushed();
    expect(saved).toEqual([3]);
  });
});
