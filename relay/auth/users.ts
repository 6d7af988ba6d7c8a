import { BankError } from '../../common/errors.js';
import type { RelayConfig } from '../config.js';
import type { AuditDraft } from '../audit/chain.js';
import { StaleUser, type RecordWrite } from '../ledger/commands.js';
import type { CommitSink } from '../ledger/writer.js';
import type { BankStore } from '../store/bank-store.js';
import { BatchedGet } from '../store/batched-get.js';
import { KeyedLock } from '../store/keyed-lock.js';
import type { UserRecord } from './records.js';
import { userRecordSchema } from './records.js';
import { afterFailure, UnknownUserLockout } from './lockout.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { PasswordWork, RELAY_ITSELF, type PasswordRequester } from './password-work.js';

/** Hashes that run at once: scrypt shares libuv's four threads with LevelDB's reads and writes. */
const PASSWORD_SLOTS = 2;
/** Times a change to one user is made again from the stored record after another relay changed it first. */
const CHANGE_ATTEMPTS = 8;

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

/** Users as stored: creation, lookup, passwords and the failed-login lockout. */
export class UserStore {
  private readonly lock = new KeyedLock();
  private readonly reads: BatchedGet<unknown>;
  private readonly unknownLockout: UnknownUserLockout;
  /** Every password hash and check of this relay goes through here. */
  readonly passwordWork: PasswordWork;

  constructor(
    private readonly bank: BankStore,
    private readonly commits: CommitSink,
    private readonly config: RelayConfig,
    private readonly clock: () => number = Date.now,
    private readonly onLockout: (user: UserRecord) => void = () => {},
  ) {
    this.reads = new BatchedGet({ getMany: (names) => bank.getUsers(names) });
    this.unknownLockout = new UnknownUserLockout(config.lockout);
    this.passwordWork = new PasswordWork({ slots: PASSWORD_SLOTS, ...config.passwordChecks });
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const raw = await this.reads.get(username);
    return raw === undefined ? undefined : userRecordSchema.parse(raw);
  }

  /**
   * Serializes this relay's changes to one user's record. `fn` reads the record, changes it and
   * commits; when another relay of the bank changed the record in between, the commit is
   * refused (StaleUser) and `fn` runs again on the record as it now is. So `fn` must commit
   * before anything else it does has effects (events, closing connections).
   */
  withUser<T>(username: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(username, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (!(err instanceof StaleUser) || attempt >= CHANGE_ATTEMPTS) throw err;
        }
      }
    });
  }

  /** A new user's record, password hashed (slow: call it before taking the user's lock). */
  async prepare(user: NewUser, who: PasswordRequester = RELAY_ITSELF): Promise<UserRecord> {
    return {
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      status: user.status,
      createdAt: new Date(this.clock()).toISOString(),
      passwordHash: await this.hashPassword(user.password, who),
      failedLogins: [],
      accounts: [],
      version: 0,
    };
  }

  /** The writes that store a new user (and note that an admin now exists). */
  static insertOps(record: UserRecord): RecordWrite[] {
    const writes: RecordWrite[] = [{ type: 'user', user: record, from: null }];
    if (record.role === 'admin') writes.push({ type: 'hasAdmin' });
    return writes;
  }

  static createdAudit(record: UserRecord, by: Actor, action: string): AuditDraft {
    return { ...by, action, target: record.username, outcome: record.status, details: { role: record.role, displayName: record.displayName } };
  }

  async create(user: NewUser, by: Actor, action: string, who: PasswordRequester = RELAY_ITSELF): Promise<UserRecord> {
    const record = await this.prepare(user, who);
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

  hashPassword(password: string, who: PasswordRequester = RELAY_ITSELF): Promise<string> {
    return this.passwordWork.run(who, () => hashPassword(password, this.config.scryptLog2N));
  }

  async hasAdmin(): Promise<boolean> {
    return this.bank.hasAdmin();
  }

  /**
   * Checks a password with the lockout rules, then runs `onSuccess` under the user's lock with
   * the current record, so a password reset or a freeze cannot slip between the check and what
   * the caller does with it (e.g. issuing a session). Unknown users and wrong passwords look the
   * same to the caller (same message, same scrypt work, the same lockout after as many tries).
   * Only after a correct password does the caller learn that the user is pending, frozen or closed.
   */
  async checkPassword<T>(username: string, password: string, who: PasswordRequester, onSuccess: (user: UserRecord) => Promise<T>): Promise<T> {
    const user = await this.get(username);
    if (!user) {
      const until = this.unknownLockout.locked(username, this.clock());
      if (until === undefined) await this.passwordWork.run(who, () => burnPasswordCheck(password, this.config.scryptLog2N));
      const lockedNow = until === undefined && this.unknownLockout.fail(username, this.clock());
      await this.commits.commit([], [{ actor: 'anonymous', role: 'anonymous', action: 'auth.login', target: username, outcome: 'unknown_user' }]);
      if (until !== undefined) throw lockedOut(until - this.clock());
      if (lockedNow) throw lockedOut(this.config.lockout.durationMs);
      throw invalidCredentials();
    }
    await this.assertNotLockedOut(user, 'auth.login');
    const ok = await this.passwordWork.run(who, () => verifyPassword(password, user.passwordHash));
    if (!ok) {
      await this.recordFailure(username, 'auth.login');
      throw invalidCredentials();
    }
    return this.withUser(username, async () => {
      const fresh = await this.get(username);
      // The password was changed while we checked it: the one given is no longer valid.
      if (!fresh || fresh.passwordHash !== user.passwordHash) throw invalidCredentials();
      return onSuccess(await this.clearFailures(fresh));
    });
  }

  /** LOCKED_OUT (audited) while the user's lockout lasts. */
  private async assertNotLockedOut(user: UserRecord, action: string): Promise<void> {
    const now = this.clock();
    if (user.lockedUntil === undefined || user.lockedUntil <= now) return;
    await this.commits.commit([], [{ actor: user.username, role: user.role, action, target: user.username, outcome: 'locked_out' }]);
    throw lockedOut(user.lockedUntil - now);
  }

  /** A correct password forgets earlier failures (call under the user's lock). */
  private async clearFailures(user: UserRecord): Promise<UserRecord> {
    if (user.failedLogins.length === 0 && user.lockedUntil === undefined) return user;
    const current = { ...user, failedLogins: [] };
    delete current.lockedUntil;
    await this.commits.commit([{ type: 'user', user: current, from: user.version }]);
    return current;
  }

  /**
   * Counts a wrong password inside the window, audited under `action`; the Nth within it locks
   * the user out, tells the admins, and answers LOCKED_OUT.
   */
  private async recordFailure(username: string, action: string): Promise<void> {
    const { durationMs } = this.config.lockout;
    const locked = await this.withUser(username, async () => {
      const user = await this.get(username);
      if (!user) return undefined;
      const now = this.clock();
      const { recent, lockedNow } = afterFailure(user.failedLogins, now, this.config.lockout);
      const next: UserRecord = lockedNow
        ? { ...user, failedLogins: [], lockedUntil: now + durationMs }
        : { ...user, failedLogins: recent };
      const audit: AuditDraft[] = [
        { actor: username, role: user.role, action, target: username, outcome: 'bad_password', details: { failures: recent.length } },
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
      await this.commits.commit([{ type: 'user', user: next, from: user.version }], audit);
      return lockedNow ? user : undefined;
    });
    if (locked) {
      this.onLockout(locked);
      throw lockedOut(durationMs);
    }
  }

  /**
   * Changes a password; `then` runs under the user's lock right after (e.g. to end other
   * sessions). A wrong current password counts towards the user's lockout like a failed sign-in
   * (and is audited), so a stolen session cannot be used to guess the password.
   */
  async changePassword(username: string, oldPassword: string, newPassword: string, who: PasswordRequester, then: () => Promise<void> = async () => {}): Promise<void> {
    const user = await this.require(username);
    await this.assertNotLockedOut(user, 'auth.changePassword');
    if (!(await this.passwordWork.run(who, () => verifyPassword(oldPassword, user.passwordHash)))) {
      await this.recordFailure(username, 'auth.changePassword');
      throw new BankError('UNAUTHENTICATED', 'the current password is not correct');
    }
    const passwordHash = await this.hashPassword(newPassword, who);
    await this.withUser(username, async () => {
      const fresh = await this.get(username);
      if (!fresh) throw new BankError('NOT_FOUND', 'user not found');
      if (fresh.passwordHash !== user.passwordHash) throw new BankError('UNAUTHENTICATED', 'the current password is not correct');
      const changed: UserRecord = { ...fresh, passwordHash, failedLogins: [] };
      delete changed.lockedUntil;
      await this.commits.commit(
        [{ type: 'user', user: changed, from: fresh.version }],
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
