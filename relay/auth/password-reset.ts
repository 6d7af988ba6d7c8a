import { BankError } from '../../common/errors.js';
import type { UserRecord } from './records.js';

/**
 * How long a reset of an administrator's password asked by another administrator waits for a
 * second administrator's approval; after that it is void and must be asked again.
 */
export const PASSWORD_RESET_APPROVAL_MS = 24 * 60 * 60 * 1000;

/**
 * The user after a second administrator's decision on the password reset waiting on them:
 * approved, the new password replaces the old one (and forgets failed sign-ins); rejected, the
 * reset is dropped. The administrator who asked for it cannot decide it.
 */
export function decidePasswordReset(user: UserRecord, approver: string, approve: boolean, now: number): UserRecord {
  const reset = user.passwordReset;
  if (!reset || reset.expiresAt <= now) throw new BankError('NOT_FOUND', `no password reset of ${user.username} is waiting for approval`);
  if (reset.requestedBy === approver) {
    throw new BankError('FORBIDDEN', `you asked for this reset: another administrator (or ${user.username}) must approve it`);
  }
  const next: UserRecord = approve ? { ...user, passwordHash: reset.passwordHash, failedLogins: [] } : { ...user };
  delete next.passwordReset;
  if (approve) delete next.lockedUntil;
  return next;
}
