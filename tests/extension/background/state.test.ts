import { describe, expect, it } from 'vitest';
import { CASH_ACCOUNT, formatAccountNumber, makeAccountNumber } from '../../../common/account-number.js';
import { formatAmount } from '../../../common/money.js';
import type { Account, Entry, PublicUser, Transfer } from '../../../common/schemas/models.js';
import {
  dedupeEntries,
  initialState,
  MAX_NOTIFICATIONS,
  newNotifications,
  reduce,
  userView,
  type StateAction,
} from '../../../extension/src/background/state.js';
import { DEFAULT_SETTINGS, type AppState } from '../../../extension/src/shared/api.js';

const MINE = makeAccountNumber(1);
const THEIRS = makeAccountNumber(2);
const OTHER_OF_MINE = makeAccountNumber(3);
const ALICE: PublicUser = { username: 'alice', displayName: 'Alice Archer', role: 'user', status: 'active' };
const BOB: PublicUser = { username: 'bob', displayName: 'Bob Baker', role: 'user', status: 'active' };
const T0 = '2024-05-01T12:00:00.000Z';
const T1 = '2024-05-01T12:01:00.000Z';
const T2 = '2024-05-01T12:02:00.000Z';
const AT = '2024-05-01T12:05:00.000Z';

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const account = (balance: number, acct = MINE): Account => ({ account: acct, balance, currency: 'USD', status: 'active' });
const transfer = (n: number, from: string, to: string, amount: number, extra: Partial<Transfer> = {}): Transfer => ({
  id: uuid(n),
  from,
  to,
  amount,
  ts: T1,
  status: 'posted',
  ...extra,
});
const entry = (n: number, amount: number, balanceAfter: number, ts = T0): Entry => ({ transferId: uuid(n), ts, amount, counterparty: THEIRS, balanceAfter });

let noticeCounter = 0;
function event(name: string, data: unknown, ts = T1): StateAction {
  noticeCounter += 1;
  return { type: 'relay-event', event: name, data, ts, at: AT, noticeId: `n${noticeCounter}` };
}

/** Freezes deeply, so any mutation by the reducer throws. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}

function apply(state: AppState, ...actions: StateAction[]): AppState {
  return actions.reduce((s, a) => reduce(frozen(s), a), state);
}

function signedIn(balance = 10_000, recent: Entry[] = []): AppState {
  return apply(
    initialState(),
    { type: 'status', status: 'live' },
    { type: 'signed-in', user: ALICE, accounts: [account(balance)], at: T0 },
    { type: 'history.loaded', entries: recent, mode: 'replace', at: T0 },
  );
}

describe('initial state', () => {
  it('is connecting, signed out, with the default settings', () => {
    expect(initialState()).toEqual({
      status: 'connecting',
      settings: DEFAULT_SETTINGS,
      policy: {},
      trust: {},
      user: null,
      accounts: [],
      recent: [],
      notifications: [],
      unread: 0,
    });
  });
});

describe('connection status, trust and settings', () => {
  it('an organization\'s policy fixes its settings over the person\'s, now and after each settings change', () => {
    let s = apply(initialState(), { type: 'policy', policy: { relayUrl: 'wss://bank.example/', autoLockMinutes: 7 } });
    expect(s.settings).toEqual({ ...DEFAULT_SETTINGS, relayUrl: 'wss://bank.example/', autoLockMinutes: 7 });
    s = apply(s, { type: 'settings', settings: { relayUrl: 'ws://elsewhere/', autoLockMinutes: 30, notifications: false } });
    expect(s.settings).toEqual({ relayUrl: 'wss://bank.example/', autoLockMinutes: 7, notifications: false });
  });


  it('sets the status with its detail, and drops an old detail', () => {
    let s = apply(initialState(), { type: 'status', status: 'reconnecting', detail: 'relay unreachable' });
    expect(s).toMatchObject({ status: 'reconnecting', statusDetail: 'relay unreachable' });
    s = apply(s, { type: 'status', status: 'live' });
    expect(s.status).toBe('live');
    expect(s).not.toHaveProperty('statusDetail');
  });

  it('replaces trust info and settings', () => {
    const s = apply(
      initialState(),
      { type: 'trust', trust: { pinned: 'aa', current: 'bb', offered: 'bb' } },
      { type: 'settings', settings: { relayUrl: 'wss://bank.example/', autoLockMinutes: 10, notifications: false } },
    );
    expect(s.trust).toEqual({ pinned: 'aa', current: 'bb', offered: 'bb' });
    expect(s.settings).toEqual({ relayUrl: 'wss://bank.example/', autoLockMinutes: 10, notifications: false });
    expect(apply(s, { type: 'trust', trust: { pinned: 'bb', current: 'bb' } }).trust).toEqual({ pinned: 'bb', current: 'bb' });
  });
});

describe('signing in and out', () => {
  it('signs in with the user, accounts and sync time', () => {
    const s = apply(initialState(), { type: 'signed-in', user: ALICE, accounts: [account(500)], at: T0 });
    expect(s).toMatchObject({ user: ALICE, accounts: [account(500)], syncedAt: T0, recent: [], unread: 0 });
  });

  it('holds that the relay asks for a new password until it is changed, and forgets it on sign-out', () => {
    let s = apply(initialState(), { type: 'signed-in', user: ALICE, accounts: [account(500)], at: T0, mustChangePassword: true });
    expect(s.mustChangePassword).toBe(true);
    expect(apply(s, { type: 'password-changed' }).mustChangePassword).toBeUndefined();
    expect(apply(s, { type: 'signed-out' }).mustChangePassword).toBeUndefined();
    // A resume whose answer no longer asks for it (changed elsewhere) clears it too.
    s = apply(s, { type: 'signed-in', user: ALICE, accounts: [account(500)], at: T1 });
    expect(s.mustChangePassword).toBeUndefined();
  });

  it('keeps the activity and notifications when the same user resumes', () => {
    let s = signedIn(10_000, [entry(1, 10_000, 10_000)]);
    s = apply(s, event('transfer.received', { transfer: transfer(2, THEIRS, MINE, 100) }));
    s = apply(s, { type: 'signed-in', user: { ...ALICE, displayName: 'Alice A.' }, accounts: [account(10_100)], at: T2 });
    expect(s.user?.displayName).toBe('Alice A.');
    expect(s.recent).toHaveLength(2);
    expect(s.notifications).toHaveLength(1);
    expect(s.syncedAt).toBe(T2);
  });

  it("drops another user's data when a different user signs in", () => {
    let s = signedIn(10_000, [entry(1, 10_000, 10_000)]);
    s = apply(s, event('transfer.received', { transfer: transfer(2, THEIRS, MINE, 100) }));
    s = apply(s, { type: 'signed-in', user: BOB, accounts: [account(7, THEIRS)], at: T2 });
    expect(s).toMatchObject({ user: BOB, accounts: [account(7, THEIRS)], recent: [], notifications: [], unread: 0 });
    expect(s).not.toHaveProperty('recentNext');
  });

  it('signs out: the person and their data go, the connection, trust and settings stay', () => {
    let s = apply(signedIn(10_000, [entry(1, 10_000, 10_000)]), { type: 'trust', trust: { pinned: 'aa', current: 'aa' } });
    s = apply(s, { type: 'history.loaded', entries: [entry(1, 10_000, 10_000)], next: 'c1', mode: 'replace', at: T1 });
    s = apply(s, event('admin.alert', { kind: 'lockout', message: 'x', data: {} }));
    s = apply(s, { type: 'signed-out', reason: 'Locked after 5 minutes of inactivity.' });
    expect(s).toEqual({
      status: 'live',
      settings: DEFAULT_SETTINGS,
      policy: {},
      trust: { pinned: 'aa', current: 'aa' },
      user: null,
      accounts: [],
      recent: [],
      notifications: [],
      unread: 0,
      signedOutReason: 'Locked after 5 minutes of inactivity.',
    });
  });

  it('clears the sign-out reason on the next sign-in, or on a sign-out without one', () => {
    const out = apply(signedIn(), { type: 'signed-out', reason: 'Signed out: the password was changed.' });
    expect(out.signedOutReason).toBe('Signed out: the password was changed.');
    expect(apply(out, { type: 'signed-in', user: ALICE, accounts: [], at: T1 })).not.toHaveProperty('signedOutReason');
    expect(apply(out, { type: 'signed-out' })).not.toHaveProperty('signedOutReason');
  });
});

describe('a restored (cached) view', () => {
  const view = {
    user: ALICE,
    accounts: [account(42)],
    recent: [entry(1, 42, 42), entry(1, 42, 42)],
    recentNext: 'cursor',
    notifications: [{ id: 'received:x', ts: T0, kind: 'received' as const, title: 't', body: 'b', read: false }],
    syncedAt: T0,
  };

  it('paints the cached user, balances, activity and notifications', () => {
    const s = apply(initialState(), { type: 'view.restored', view });
    expect(s).toMatchObject({ user: ALICE, accounts: [account(42)], recentNext: 'cursor', syncedAt: T0, unread: 1 });
    expect(s.recent).toEqual([entry(1, 42, 42)]);
  });

  it("never shows one user's cache over another signed-in user", () => {
    const s = apply(initialState(), { type: 'signed-in', user: BOB, accounts: [], at: T0 });
    expect(apply(s, { type: 'view.restored', view })).toBe(s);
  });
});

describe('relay events', () => {
  it('balance.updated sets the balance of that account only, and confirms the sync time', () => {
    let s = apply(initialState(), { type: 'signed-in', user: ALICE, accounts: [account(100), account(5, OTHER_OF_MINE)], at: T0 });
    s = apply(s, event('balance.updated', { account: OTHER_OF_MINE, balance: 77, transferId: uuid(9) }));
    expect(s.accounts).toEqual([account(100), account(77, OTHER_OF_MINE)]);
    expect(s.syncedAt).toBe(AT);
  });

  it('balance.updated for an account that is not ours changes nothing', () => {
    const s = signedIn(100);
    expect(apply(s, event('balance.updated', { account: THEIRS, balance: 1, transferId: uuid(9) }))).toBe(s);
  });

  it('formats like a person reads it ("Received $12.34 from DB12 …")', () => {
    expect(formatAmount(1_234, 'USD', 'en-US')).toBe('$12.34');
    expect(formatAccountNumber(THEIRS)).toMatch(/^DB\d\d \d{4} \d{4} \d\d$/);
  });

  it('transfer.received prepends the entry, notifies with the amount, payer and memo, and counts it unread', () => {
    let s = apply(signedIn(10_000, [entry(1, 10_000, 10_000)]), event('balance.updated', { account: MINE, balance: 11_234, transferId: uuid(2) }));
    s = apply(s, event('transfer.received', { transfer: transfer(2, THEIRS, MINE, 1_234, { memo: 'lunch' }) }, T1));
    expect(s.accounts[0]?.balance).toBe(11_234);
    expect(s.recent).toEqual([
      { transferId: uuid(2), ts: T1, amount: 1_234, counterparty: THEIRS, memo: 'lunch', balanceAfter: 11_234 },
      entry(1, 10_000, 10_000),
    ]);
    expect(s.notifications).toEqual([
      {
        id: `received:${uuid(2)}`,
        ts: T1,
        kind: 'received',
        title: 'Money received',
        body: `Received ${formatAmount(1_234, 'USD')} from ${formatAccountNumber(THEIRS)} — “lunch”`,
        read: false,
      },
    ]);
    expect(s.unread).toBe(1);
    expect(s.syncedAt).toBe(AT);
  });

  it('a deposit reads as a deposit, not as money from the cash account', () => {
    const s = apply(signedIn(0), event('transfer.received', { transfer: transfer(3, CASH_ACCOUNT, MINE, 5_000) }));
    expect(s.notifications[0]?.body).toBe(`Deposit of ${formatAmount(5_000, 'USD')}`);
    expect(s.recent[0]).toMatchObject({ amount: 5_000, counterparty: CASH_ACCOUNT });
  });

  it('the same transfer event twice adds one entry and one notification', () => {
    const e = event('transfer.received', { transfer: transfer(2, THEIRS, MINE, 100) });
    const once = apply(signedIn(), e);
    const twice = apply(once, { ...e, noticeId: 'other' } as StateAction);
    expect(twice.recent).toHaveLength(1);
    expect(twice.notifications).toHaveLength(1);
    expect(twice.unread).toBe(1);
  });

  it('an entry already loaded by a history page is not added again by its event', () => {
    const page = [{ transferId: uuid(2), ts: T1, amount: 100, counterparty: THEIRS, balanceAfter: 10_100 }];
    const s = apply(signedIn(10_100, page), event('transfer.received', { transfer: transfer(2, THEIRS, MINE, 100) }));
    expect(s.recent).toEqual(page);
  });

  it('transfer.posted prepends an outgoing entry without a notification', () => {
    let s = apply(signedIn(10_000), event('balance.updated', { account: MINE, balance: 9_500, transferId: uuid(4) }));
    s = apply(s, event('transfer.posted', { transfer: transfer(4, MINE, THEIRS, 500) }));
    expect(s.recent).toEqual([{ transferId: uuid(4), ts: T1, amount: -500, counterparty: THEIRS, balanceAfter: 9_500 }]);
    expect(s.notifications).toEqual([]);
    expect(s.accounts[0]?.balance).toBe(9_500);
  });

  it('a posted/balance pair gives the same state in either order', () => {
    const balance = event('balance.updated', { account: MINE, balance: 9_500, transferId: uuid(4) });
    const posted = event('transfer.posted', { transfer: transfer(4, MINE, THEIRS, 500) });
    const a = apply(signedIn(10_000), balance, posted);
    const b = apply(signedIn(10_000), posted, balance);
    expect(b.recent).toEqual(a.recent);
    expect(b.accounts).toEqual(a.accounts);
    expect(b.recent[0]?.balanceAfter).toBe(9_500);
  });

  it('the items of a batch come before its one balance: each entry ends with its own balance after, worked back from it', () => {
    const s = apply(
      signedIn(10_000, [entry(1, 10_000, 10_000)]),
      event('transfer.received', { transfer: transfer(2, THEIRS, MINE, 100) }),
      event('transfer.received', { transfer: transfer(3, THEIRS, MINE, 200) }),
      event('transfer.posted', { transfer: transfer(4, MINE, THEIRS, 50) }),
      event('balance.updated', { account: MINE, balance: 10_250, transferId: uuid(4) }),
    );
    expect(s.accounts[0]?.balance).toBe(10_250);
    expect(s.recent.map((e) => [e.transferId, e.balanceAfter])).toEqual([
      [uuid(4), 10_250],
      [uuid(3), 10_300],
      [uuid(2), 10_100],
      [uuid(1), 10_000],
    ]);
  });

  it('a balance for a transfer leaves alone the entries below it that already agree, and any it cannot vouch for', () => {
    // Loaded from history: their balances are the relay's, even where the chain has a gap.
    const page = [entry(3, 500, 10_000), entry(2, 700, 8_000), entry(1, 1_000, 9_999)];
    const s = apply(signedIn(10_000, page), event('transfer.received', { transfer: transfer(4, THEIRS, MINE, 25) }), event('balance.updated', { account: MINE, balance: 10_025, transferId: uuid(4) }));
    expect(s.recent.map((e) => e.balanceAfter)).toEqual([10_025, 10_000, 8_000, 9_999]);
  });

  it('keeps both legs of one transfer id (incoming and outgoing are different entries)', () => {
    const s = apply(
      signedIn(),
      event('transfer.received', { transfer: transfer(5, THEIRS, MINE, 100) }),
      event('transfer.posted', { transfer: transfer(5, MINE, THEIRS, 100) }),
    );
    expect(s.recent.map((e) => e.amount)).toEqual([-100, 100]);
  });

  it("ignores transfers of an account that is not the first one's", () => {
    const s = apply(initialState(), { type: 'signed-in', user: ALICE, accounts: [account(1), account(2, OTHER_OF_MINE)], at: T0 });
    const next = apply(s, event('transfer.posted', { transfer: transfer(6, OTHER_OF_MINE, THEIRS, 1) }));
    expect(next.recent).toEqual([]);
  });

  it('account.status updates the user and the named account, or all of them', () => {
    const s = apply(initialState(), { type: 'signed-in', user: ALICE, accounts: [account(1), account(2, OTHER_OF_MINE)], at: T0 });
    const one = apply(s, event('account.status', { username: 'alice', account: OTHER_OF_MINE, status: 'frozen' }));
    expect(one.user?.status).toBe('frozen');
    expect(one.accounts.map((a) => a.status)).toEqual(['active', 'frozen']);
    const all = apply(s, event('account.status', { username: 'alice', status: 'frozen' }));
    expect(all.accounts.map((a) => a.status)).toEqual(['frozen', 'frozen']);
    const pending = apply(s, event('account.status', { username: 'alice', status: 'pending' }));
    expect(pending.user?.status).toBe('pending');
    expect(pending.accounts).toEqual(s.accounts);
    expect(apply(s, event('account.status', { username: 'bob', status: 'frozen' }))).toBe(s);
  });

  it('admin.alert becomes an unread notification titled by its kind', () => {
    const admin: PublicUser = { username: 'admin', displayName: 'Admin', role: 'admin', status: 'active' };
    let s = apply(initialState(), { type: 'signed-in', user: admin, accounts: [], at: T0 });
    const titles: Record<string, string> = {
      registration: 'New registration',
      lockout: 'Sign-in lockout',
      large_transfer: 'Large transfer',
      frozen: 'Account frozen',
    };
    for (const kind of Object.keys(titles)) {
      s = apply(s, { type: 'relay-event', event: 'admin.alert', data: { kind, message: `about ${kind}`, data: {} }, ts: T1, at: AT, noticeId: kind });
    }
    expect(s.notifications.map((n) => [n.id, n.kind, n.title, n.body])).toEqual(
      Object.entries(titles)
        .reverse()
        .map(([kind, title]) => [`alert:${kind}`, 'alert', title, `about ${kind}`]),
    );
    expect(s.unread).toBe(4);
  });

  it('ignores malformed data, unknown events, session.revoked, monitor.request, and everything when signed out', () => {
    const s = signedIn();
    expect(apply(s, event('balance.updated', { account: MINE, balance: 'lots' }))).toBe(s);
    expect(apply(s, event('transfer.received', { transfer: { id: 'nope' } }))).toBe(s);
    expect(apply(s, event('admin.alert', { kind: 'party', message: 'x', data: {} }))).toBe(s);
    expect(apply(s, event('no.such.event', {}))).toBe(s);
    expect(apply(s, event('session.revoked', { reason: 'x' }))).toBe(s);
    expect(apply(s, event('monitor.request', { op: 'ping', actor: '', transport: 'ws', ms: 1, outcome: 'ok' }))).toBe(s);
    const out = initialState();
    expect(apply(out, event('transfer.received', { transfer: transfer(2, THEIRS, MINE, 100) }))).toBe(out);
  });

  it(`keeps at most ${MAX_NOTIFICATIONS} notifications, newest first`, () => {
    let s = signedIn();
    for (let i = 1; i <= MAX_NOTIFICATIONS + 5; i++) s = apply(s, event('transfer.received', { transfer: transfer(i, THEIRS, MINE, i) }));
    expect(s.notifications).toHaveLength(MAX_NOTIFICATIONS);
    expect(s.notifications[0]?.id).toBe(`received:${uuid(MAX_NOTIFICATIONS + 5)}`);
    expect(s.unread).toBe(MAX_NOTIFICATIONS);
    expect(s.recent).toHaveLength(MAX_NOTIFICATIONS + 5);
  });
});

describe('history pages', () => {
  it('the first page replaces the activity and sets or clears the cursor', () => {
    let s = apply(signedIn(), { type: 'history.loaded', entries: [entry(2, 5, 5, T1), entry(1, 5, 0)], next: 'c2', mode: 'replace', at: T2 });
    expect(s.recent.map((e) => e.transferId)).toEqual([uuid(2), uuid(1)]);
    expect(s.recentNext).toBe('c2');
    expect(s.syncedAt).toBe(T2);
    s = apply(s, { type: 'history.loaded', entries: [entry(3, 5, 5, T1)], mode: 'replace', at: T2 });
    expect(s.recent.map((e) => e.transferId)).toEqual([uuid(3)]);
    expect(s).not.toHaveProperty('recentNext');
  });

  it('keeps an event that raced ahead of the first page (newer than all of it)', () => {
    let s = apply(signedIn(), event('transfer.received', { transfer: transfer(9, THEIRS, MINE, 100, { ts: T2 }) }));
    s = apply(s, { type: 'history.loaded', entries: [entry(1, 5, 5, T1)], mode: 'replace', at: T2 });
    expect(s.recent.map((e) => e.transferId)).toEqual([uuid(9), uuid(1)]);
  });

  it('drops older cached entries the relay no longer lists', () => {
    let s = apply(signedIn(), { type: 'history.loaded', entries: [entry(1, 5, 5, T0)], mode: 'replace', at: T0 });
    s = apply(s, { type: 'history.loaded', entries: [entry(2, 5, 5, T1)], mode: 'replace', at: T1 });
    expect(s.recent.map((e) => e.transferId)).toEqual([uuid(2)]);
  });

  it('a later page appends without duplicates', () => {
    let s = apply(signedIn(), { type: 'history.loaded', entries: [entry(3, 1, 3), entry(2, 1, 2)], next: 'c', mode: 'replace', at: T0 });
    s = apply(s, { type: 'history.loaded', entries: [entry(2, 1, 2), entry(1, 1, 1)], mode: 'append', at: T1 });
    expect(s.recent.map((e) => e.transferId)).toEqual([uuid(3), uuid(2), uuid(1)]);
    expect(s).not.toHaveProperty('recentNext');
  });

  it('is ignored when nobody is signed in (a late answer after a lock)', () => {
    const s = initialState();
    expect(apply(s, { type: 'history.loaded', entries: [entry(1, 1, 1)], mode: 'replace', at: T0 })).toBe(s);
  });
});

describe('notifications read', () => {
  it('marks all read and zeroes the unread count', () => {
    let s = apply(
      signedIn(),
      event('transfer.received', { transfer: transfer(1, THEIRS, MINE, 1) }),
      event('transfer.received', { transfer: transfer(2, THEIRS, MINE, 2) }),
    );
    expect(s.unread).toBe(2);
    s = apply(s, { type: 'notifications.read' });
    expect(s.unread).toBe(0);
    expect(s.notifications.every((n) => n.read)).toBe(true);
    s = apply(s, event('transfer.received', { transfer: transfer(3, THEIRS, MINE, 3) }));
    expect(s.unread).toBe(1);
  });
});

describe('helpers', () => {
  it('newNotifications lists what a change added', () => {
    const a = signedIn();
    const b = apply(a, event('transfer.received', { transfer: transfer(1, THEIRS, MINE, 1) }));
    expect(newNotifications(a, b).map((n) => n.id)).toEqual([`received:${uuid(1)}`]);
    expect(newNotifications(b, apply(b, { type: 'notifications.read' }))).toEqual([]);
    expect(newNotifications(b, b)).toEqual([]);
  });

  it('userView is what the cache keeps, only when signed in', () => {
    expect(userView(initialState())).toBeUndefined();
    const s = apply(signedIn(10, [entry(1, 10, 10)]), { type: 'history.loaded', entries: [entry(1, 10, 10)], next: 'n', mode: 'replace', at: T1 });
    expect(userView(s)).toEqual({ user: ALICE, accounts: [account(10)], recent: [entry(1, 10, 10)], recentNext: 'n', notifications: [], syncedAt: T1 });
  });

  it('dedupeEntries keeps the first of each transfer leg', () => {
    expect(dedupeEntries([entry(1, 5, 5), entry(1, 5, 6), entry(1, -5, 0)]).map((e) => e.balanceAfter)).toEqual([5, 0]);
  });
});
