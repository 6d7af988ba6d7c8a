import type { User } from '../../../../common/schemas/models.js';
import { makeAccountNumber } from '../../../../common/account-number.js';
import { DEFAULT_SETTINGS, type AppState } from '../../../../extension/src/shared/api.js';

export const ADMIN = { username: 'root', displayName: 'Ada Admin', role: 'admin', status: 'active' } as const;
export const CUSTOMER = { username: 'jane', displayName: 'Jane Smith', role: 'user', status: 'active' } as const;

export function appState(patch: Partial<AppState> = {}): AppState {
  return {
    status: 'live',
    settings: { ...DEFAULT_SETTINGS },
    policy: {},
    trust: { pinned: 'ab'.repeat(32), current: 'ab'.repeat(32) },
    user: null,
    accounts: [],
    recent: [],
    notifications: [],
    unread: 0,
    ...patch,
  };
}

export function adminState(patch: Partial<AppState> = {}): AppState {
  return appState({ user: { ...ADMIN }, ...patch });
}

export function customerState(patch: Partial<AppState> = {}): AppState {
  return appState({
    user: { ...CUSTOMER },
    accounts: [{ account: makeAccountNumber(1), balance: 10_000, currency: 'USD', status: 'active' }],
    ...patch,
  });
}

let serial = 10;

export function user(username: string, patch: Partial<User> = {}): User {
  const role = patch.role ?? 'user';
  return {
    username,
    displayName: `${username[0]!.toUpperCase()}${username.slice(1)} Example`,
    role,
    status: 'active',
    createdAt: '2024-05-01T10:00:00.000Z',
    limits: { perTransfer: 5_000_000, perDay: 20_000_000 },
    accounts: role === 'user' ? [{ account: makeAccountNumber(serial++), balance: 2_500, currency: 'USD', status: 'active' }] : [],
    ...patch,
  };
}
