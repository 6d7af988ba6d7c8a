import { makeAccountNumber } from '../../../../common/account-number.js';
import type { Entry } from '../../../../common/schemas/models.js';
import { DEFAULT_SETTINGS, type AppState } from '../../../../extension/src/shared/api.js';

export const OWN = makeAccountNumber(1); // DB…01, Alice
export const BOB = makeAccountNumber(2);
export const CAROL = makeAccountNumber(3);

/** 15 May 2024, 12:00 local time: tests pin the clock here so "Today" and "Yesterday" are stable. */
export const NOW = new Date(2024, 4, 15, 12, 0, 0);

/** An ISO time `hours` before NOW. */
export function hoursAgo(hours: number): string {
  return new Date(NOW.getTime() - hours * 3_600_000).toISOString();
}

let seq = 0;
export function entry(partial: Partial<Entry> & Pick<Entry, 'amount' | 'balanceAfter'>): Entry {
  seq++;
  return {
    transferId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    ts: hoursAgo(seq),
    counterparty: BOB,
    ...partial,
  };
}

export function signedOutState(over: Partial<AppState> = {}): AppState {
  return {
    status: 'live',
    settings: DEFAULT_SETTINGS,
    policy: {},
    trust: { pinned: 'ab'.repeat(32), current: 'ab'.repeat(32) },
    user: null,
    accounts: [],
    recent: [],
    notifications: [],
    unread: 0,
    ...over,
  };
}

export function walletState(over: Partial<AppState> = {}): AppState {
  return signedOutState({
    user: { username: 'alice', displayName: 'Alice Smith', role: 'user', status: 'active' },
    accounts: [{ account: OWN, balance: 10_000, currency: 'USD', status: 'active' }],
    syncedAt: NOW.toISOString(),
    ...over,
  });
}
