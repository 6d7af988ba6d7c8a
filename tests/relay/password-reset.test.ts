import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../relay/auth/records.js';
import { decidePasswordReset, PASSWORD_RESET_APPROVAL_MS } from '../../relay/auth/password-reset.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const admin: UserRecord = {
  username: 'root_two',
  displayName: 'Root Two',
  role: 'admin',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  passwordHash: 'old-hash',
  failedLogins: [NOW - 1000],
  lockedUntil: NOW + 60_000,
  accounts: [],
  version: 3,
  passwordReset: { passwordHash: 'new-hash', requestedBy: 'root_one', requestedAt: NOW - 1000, expiresAt: NOW - 1000 + PASSWORD_RESET_APPROVAL_MS },
};

describe('a second administrator\'s decision on a password reset', () => {
  it('approved: the new hash replaces the old, failures and lockout are forgotten, the reset is gone', () => {
    const next = decidePasswordReset(admin, 'root_three', true, NOW);
    expect(next).toMatchObject({ passwordHash: 'new-hash', failedLogins: [], version: 3 });
    expect(next.passwordReset).toBeUndefined();
    expect(next.lockedUntil).toBeUndefined();
  });

  it('rejected: only the reset is gone', () => {
    const next = decidePasswordReset(admin, 'root_two', false, NOW);
    const { passwordReset: _, ...rest } = admin;
    expect(next).toEqual(rest);
  });

  it('refuses the administrator who asked, and a reset that is not there or has expired', () => {
    expect(() => decidePasswordReset(admin, 'root_one', true, NOW)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    const { passwordReset: _, ...none } = admin;
    expect(() => decidePasswordReset(none, 'root_three', true, NOW)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => decidePasswordReset(admin, 'root_three', true, admin.passwordReset!.expiresAt)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
