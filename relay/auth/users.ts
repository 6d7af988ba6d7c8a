import { BankError } from '../../common/errors.js';
import type { RelayConfig } from '../config.js';
import type { AuditDraft } from '../audit/chain.js';
import type { RecordWrite } from '../ledger/commands.js';
import type { CommitSink } from '../ledger/writer.js';
import type { BankStore } from '../store/bank-store.js';
import { BatchedGet } from '../store/batched-get.js';
import { KeyedLock } from '../store/keyed-lock.js';
import type { UserRecord } from './records.js';
import { userRecordSchema } from './records.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';

export interface NewUser {
  username: string;
  password: string;
  displayName: string;
  role: 'user' | 'admin';
  status: 'pending' | 'active';
}

export interface Actor {
  actor: string;
  role: AuditDraft['role'];
}

/** What a caller must do after a failed sign-in: the relay raises the alert, not this store. */
export type LoginFailure = { lockedNow: boolean };

/** Users as stored: creation, lookup, passwords and the failed-login lockout. */
export class UserStore {
  private readonly lock = new KeyedLock();
  private readonly reads: BatchedGet<unknown>;

  constructor(
    private readonly bank: BankStore,
    private readonly commits: CommitSink,
    private readonly config: RelayConfig,
    private readonly clock: () => number = Date.now,
    private readonly onLockout: (user: UserRecord) => void = () => {},
  ) {
    this.reads = new BatchedGet({ getMany: (names) => bank.getUsers(names) });
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const raw = await this.reads.get(username);
    return raw === undefined ? undefined : userRecordSchema.parse(raw);
  }

  /** Serializes every change to one user's record. */
  withUser<T>(username: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(username, fn);
  }

  /** A new user's record, password hashed (slow: call it before taking the user's lock). */
  async prepare(user: NewUser): Promise<UserRecord> {
    return {
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      status: user.status,
      createdAt: new Date(this.clock()).toISOString(),
      passwordHash: await hashPassword(user.password, this.config.scryptLog2N),
      failedLogins: [],
      accounts: [],
    };
  }

  /** The writes that store a new user (and note that an admin now exists). */
  static insertOps(record: UserRecord): RecordWrite[] {
    const writes: RecordWrite[] = [{ type: 'user', user: record }];
    if (record.role === 'admin') writes.push({ type: 'hasAdmin' });
    return writes;
  }

  static createdAudit(record: UserRecord, by: Actor, action: string): AuditDraft {
    return { ...by, action, target: record.username, outcome: record.status, details: { role: record.role, displayName: record.displayName } };
  }

  async create(user: NewUser, by: Actor, action: string): Promise<UserRecord> {
    const record = await this.prepare(user);
    return this.withUser(user.username, async () => {
      await this.assertFree(user.username);
      await this.commits.commit(UserStore.insertOps(record), [UserStore.createdAudit(record, by, action)]);
      return record;
    });
  }

  async assertFree(username: string): Promise<void> {
    if (await this.get(username)) throw new BankError('CONFLICT', `the username "${username}" is taken`);
  }

  /** The user's record or NOT_FOUND. */
  async require(username: string): Promise<UserRecord> {
    const user = await this.get(username);
    if (!user) throw new BankError('NOT_FOUND', `no user ${username}`);
    return user;
  }

  hashPassword(password: string): Promise<string> {
    return hashPassword(password, this.config.scryptLog2N);
  }

  async hasAdmin(): Promise<boolean> {
    return this.bank.hasAdmin();
  }

  /**
   * Checks a password with the lockout rules, then runs `onSuccess` under the user's lock with
   * the current record, so a password reset or a freeze cannot slip between the check and what
   * the caller does with it (e.g. issuing a session). Unknown users and wrong passwords look the
   * same to the caller (same message, same scrypt work). Only after a correct password does the
   * caller learn that the user is pending, frozen or closed.
   */
  async checkPassword<T>(username: string, password: string, onSuccess: (user: UserRecord) => Promise<T>): Promise<T> {
    const user = await this.get(username);
    if (!user) {
      await burnPasswordCheck(password, this.config.scryptLog2N);
      await this.commits.commit([], [{ actor: 'anonymous', role: 'anonymous', action: 'auth.login', target: username, outcome: 'unknown_user' }]);
      throw invalidCredentials();
    }
    const now = this.clock();
    if (user.lockedUntil !== undefined && user.lockedUntil > now) {
      await this.commits.commit([], [{ actor: username, role: user.role, action: 'auth.login', target: username, outcome: 'locked_out' }]);
      throw lockedOut(user.lockedUntil - now);
    }
    const ok = await verifyPassword(password, user.passwordHash);
    if (!ok) {
      const { lockedNow } = await this.recordFailure(username);
      if (lockedNow) {
        this.onLockout(user);
        throw lockedOut(this.config.lockout.durationMs);
      }
      throw invalidCredentials();
    }
    return this.withUser(username, async () => {
      const fresh = await this.get(username);
      // The password was changed while we checked it: the one given is no longer valid.
      if (!fresh || fresh.passwordHash !== user.passwordHash) throw invalidCredentials();
      let current = fresh;
      if (fresh.failedLogins.length > 0 || fresh.lockedUntil !== undefined) {
        current = { ...fresh, failedLogins: [] };
        delete current.lockedUntil;
        await this.commits.commit([{ type: 'user', user: current }]);
      }
      return onSuccess(current);
    });
  }

  /** Counts a failure inside the window; the Nth within it locks the user out. */
  private recordFailure(username: string): Promise<LoginFailure> {
    const { maxFailures, windowMs, durationMs } = this.config.lockout;
    return this.withUser(username, async () => {
      const user = await this.get(username);
      if (!user) return { lockedNow: false };
      const now = this.clock();
      const recent = [...user.failedLogins.filter((t) => now - t < windowMs), now];
      const lockedNow = recent.length >= maxFailures;
      const next: UserRecord = lockedNow
        ? { ...user, failedLogins: [], lockedUntil: now + durationMs }
        : { ...user, failedLogins: recent };
      const audit: AuditDraft[] = [
        { actor: username, role: user.role, action: 'auth.login', target: username, outcome: 'bad_password', details: { failures: recent.length } },
      ];
      if (lockedNow) {
        audit.push({
          actor: 'system',
          role: 'system',
          action: 'auth.lockout',
          target: username,
          outcome: 'locked',
          details: { failures: recent.length, until: new Date(now + durationMs).toISOString() },
        });
      }
      await this.commits.commit([{ type: 'user', user: next }], audit);
      return { lockedNow };
    });
  }

  /** Changes a password; `then` runs under the user's lock right after (e.g. to end other sessions). */
  async changePassword(username: string, oldPassword: string, newPassword: string, then: () => Promise<void> = async () => {}): Promise<void> {
    const user = await this.get(username);
    if (!user || !(await verifyPassword(oldPassword, user.passwordHash))) {
      throw new BankError('UNAUTHENTICATED', 'the current password is not correct');
    }
    const passwordHash = await hashPassword(newPassword, this.config.scryptLog2N);
    await this.withUser(username, async () => {
      const fresh = await this.get(username);
      if (!fresh) throw new BankError('NOT_FOUND', 'user not found');
      if (fresh.passwordHash !== user.passwordHash) throw new BankError('UNAUTHENTICATED', 'the current password is not correct');
      await this.commits.commit(
        [{ type: 'user', user: { ...fresh, passwordHash } }],
        [{ actor: username, role: fresh.role, action: 'auth.changePassword', target: username, outcome: 'ok' }],
      );
      await then();
    });
  }
}

export function invalidCredentials(): BankError {
  return new BankError('UNAUTHENTICATED', 'invalid username or password');
}

function lockedOut(remainingMs: number): BankError {
  const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
  return new BankError('LOCKED_OUT', `too many failed sign-ins: this user is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}`);
}

/** Refuses sign-in for users who may not use the bank right now, saying why. */
export function assertMaySignIn(user: UserRecord): void {
  switch (user.status) {
    case 'active':
      return;
    case 'pending':
      throw new BankError('FORBIDDEN', 'your registration is waiting for approval by the bank');
    case 'frozen':
      throw new BankError('ACCOUNT_FROZEN', 'this user is frozen; please contact the bank');
    case 'closed':
      throw new BankError('FORBIDDEN', 'this user has been closed');
  }
}
