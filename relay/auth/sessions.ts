import { BankError } from '../../common/errors.js';
import type { RelayConfig } from '../config.js';
import type { CommitSink } from '../ledger/writer.js';
import type { BankStore } from '../store/bank-store.js';
import type { SessionRecord, UserRecord } from './records.js';
import { sessionRecordSchema } from './records.js';
import { newSessionToken, tokenKey } from './tokens.js';
import { BatchedGet } from '../store/batched-get.js';

/** lastSeenAt is kept in memory and written back at most this often, so requests don't each cost a disk write. */
const TOUCH_PERSIST_MS = 60_000;

export interface SessionHandle {
  key: string;
  username: string;
  record: SessionRecord;
}

/** Stored sessions: issued at login, found again by `auth.resume`, expired by idle and absolute timeouts. */
export class SessionStore {
  private persistedSeen = new Map<string, number>();
  /**
   * Sessions this relay has ended, until they would have expired anyway. Marked before the end
   * is written, so nothing of this relay can write one back (a touch, a resume) or find it again
   * while the deletion is on its way to the disk.
   */
  private readonly ended = new Map<string, number>();
  private readonly reads: BatchedGet<unknown>;

  constructor(
    private readonly bank: BankStore,
    private readonly commits: CommitSink,
    private readonly config: RelayConfig,
    private readonly clock: () => number = Date.now,
  ) {
    this.reads = new BatchedGet({ getMany: (keys) => bank.getSessions(keys) });
  }

  async issue(user: UserRecord, action: 'auth.login'): Promise<{ token: string; handle: SessionHandle }> {
    const token = newSessionToken();
    const key = tokenKey(token);
    const now = this.clock();
    const record: SessionRecord = { username: user.username, createdAt: now, lastSeenAt: now, expiresAt: now + this.config.sessionAbsoluteMs };
    await this.commits.commit(
      [{ type: 'session', key, session: record }],
      [{ actor: user.username, role: user.role, action, target: user.username, outcome: 'ok', details: { session: key.slice(0, 12) } }],
    );
    this.persistedSeen.set(key, now);
    return { token, handle: { key, username: user.username, record } };
  }

  /** Finds a live session by its token; expired ones are deleted and refused. */
  async find(token: string): Promise<SessionHandle> {
    const key = tokenKey(token);
    const raw = this.ended.has(key) ? undefined : await this.reads.get(key);
    if (raw === undefined || this.ended.has(key)) throw new BankError('UNAUTHENTICATED', 'this session has ended; please sign in again');
    const record = sessionRecordSchema.parse(raw);
    const handle = { key, username: record.username, record };
    if (this.isExpired(record)) {
      await this.end(handle, 'expired', 'system');
      throw new BankError('UNAUTHENTICATED', 'this session has expired; please sign in again');
    }
    return handle;
  }

  isExpired(record: SessionRecord, now = this.clock()): boolean {
    return now >= record.expiresAt || now - record.lastSeenAt >= this.config.sessionIdleMs;
  }

  expiresAt(record: SessionRecord): number {
    return Math.min(record.expiresAt, record.lastSeenAt + this.config.sessionIdleMs);
  }

  /** Marks activity; written through to disk now and then, and never for a session that has ended. */
  touch(handle: SessionHandle): void {
    if (this.ended.has(handle.key)) return;
    const now = this.clock();
    handle.record = { ...handle.record, lastSeenAt: now };
    const persisted = this.persistedSeen.get(handle.key) ?? 0;
    if (now - persisted >= TOUCH_PERSIST_MS) {
      this.persistedSeen.set(handle.key, now);
      // Best effort: losing a lastSeenAt only shortens a session's idle allowance. The write
      // changes a stored session only: one ended elsewhere meanwhile stays ended.
      this.commits.commit([{ type: 'touchSession', key: handle.key, session: handle.record }]).catch(() => {
        this.persistedSeen.delete(handle.key);
      });
    }
  }

  /**
   * Records a resume: the write also refreshes lastSeenAt on disk, over the session only if it is
   * still stored (another relay may have ended it since it was found: it stays ended, and that
   * relay's notice closes this connection).
   */
  async resumed(handle: SessionHandle, user: UserRecord): Promise<void> {
    if (this.ended.has(handle.key)) throw new BankError('UNAUTHENTICATED', 'this session has ended; please sign in again');
    const now = this.clock();
    handle.record = { ...handle.record, lastSeenAt: now };
    this.persistedSeen.set(handle.key, now);
    await this.commits.commit(
      [{ type: 'touchSession', key: handle.key, session: handle.record }],
      [{ actor: user.username, role: user.role, action: 'auth.resume', target: user.username, outcome: 'ok', details: { session: handle.key.slice(0, 12) } }],
    );
  }

  /** Ends every stored session of a user but one (after a password change, say); returns their keys. */
  async endAllFor(username: string, exceptKey: string | undefined, reason: string, actor: string, role: 'user' | 'admin' | 'system'): Promise<string[]> {
    const keys = (await this.bank.sessionKeysOf(username)).filter((key) => key !== exceptKey);
    if (keys.length === 0) return keys;
    for (const key of keys) this.markEnded(key);
    await this.commits.commit(
      keys.map((key) => ({ type: 'endSession' as const, key })),
      [{ actor, role, action: 'session.revoke', target: username, outcome: 'revoked', details: { sessions: keys.length, reason } }],
      { endedReason: reason },
    );
    return keys;
  }

  async end(handle: SessionHandle, outcome: string, actor: string, role: 'user' | 'admin' | 'system' = 'system', action = 'auth.logout'): Promise<void> {
    this.markEnded(handle.key, handle.record.expiresAt);
    await this.commits.commit(
      [{ type: 'endSession', key: handle.key }],
      [{ actor, role, action, target: handle.username, outcome, details: { session: handle.key.slice(0, 12) } }],
    );
  }

  /** Whether this relay has ended the session. */
  hasEnded(key: string): boolean {
    return this.ended.has(key);
  }

  private markEnded(key: string, until = this.clock() + this.config.sessionAbsoluteMs): void {
    this.persistedSeen.delete(key);
    this.ended.set(key, until);
  }

  /**
   * Deletes stored sessions that have expired (nobody resumed them to find out), in chunks, and
   * forgets ended ones that would have expired by now. Returns how many it deleted.
   */
  async sweep(chunk = 1000): Promise<number> {
    const now = this.clock();
    for (const [key, until] of this.ended) if (until <= now) this.ended.delete(key);
    let expired: string[] = [];
    let deleted = 0;
    const flush = async (): Promise<void> => {
      if (expired.length === 0) return;
      for (const key of expired) this.markEnded(key, now);
      await this.commits.commit(
        expired.map((key) => ({ type: 'endSession' as const, key })),
        [{ actor: 'system', role: 'system', action: 'session.sweep', outcome: 'expired', details: { sessions: expired.length } }],
        { endedReason: 'expired' },
      );
      deleted += expired.length;
      expired = [];
    };
    for await (const [key, record] of this.bank.sessions()) {
      if (!this.isExpired(record, now)) continue;
      expired.push(key);
      if (expired.length >= chunk) await flush();
    }
    await flush();
    return deleted;
  }
}
