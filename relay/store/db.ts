import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import type { SessionRecord, UserRecord } from './records.js';

export type JsonSublevel<V> = ReturnType<Level<string, unknown>['sublevel']> & {
  get(key: string): Promise<V | undefined>;
};

/**
 * The relay's LevelDB, split into sublevels. Keys:
 *   users/<username>         UserRecord
 *   sessions/<sha256(token)> SessionRecord
 *   audit/<seq, 16 digits>   AuditEntry
 *   meta/<name>              small singletons (audit head, flags)
 */
export class BankDb {
  readonly db: Level<string, unknown>;
  readonly users;
  readonly sessions;
  readonly audit;
  readonly meta;

  private constructor(readonly location: string) {
    this.db = new Level<string, unknown>(location, { valueEncoding: 'json' });
    this.users = this.db.sublevel<string, UserRecord>('users', { valueEncoding: 'json' });
    this.sessions = this.db.sublevel<string, SessionRecord>('sessions', { valueEncoding: 'json' });
    this.audit = this.db.sublevel<string, AuditEntry>('audit', { valueEncoding: 'json' });
    this.meta = this.db.sublevel<string, unknown>('meta', { valueEncoding: 'json' });
  }

  /** Opens (creating if needed) the database inside `dataDir/db`. */
  static async open(dataDir: string): Promise<BankDb> {
    const location = path.join(dataDir, 'db');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const bank = new BankDb(location);
    await bank.db.open();
    return bank;
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key)) as T | undefined;
  }

  async auditHead(): Promise<AuditHead> {
    return (await this.getMeta<AuditHead>(AUDIT_HEAD_KEY)) ?? { seq: 0, hash: AUDIT_GENESIS };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export const AUDIT_HEAD_KEY = 'audit.head';
export const HAS_ADMIN_KEY = 'hasAdmin';
/** The `prev` of the first audit entry. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** Audit keys sort numerically as strings. */
export function auditKey(seq: number): string {
  return String(seq).padStart(16, '0');
}

/** One write in a batch, naming its sublevel; the commit queue turns these into one LevelDB batch. */
export type BatchOp =
  | { type: 'put'; sublevel: 'users'; key: string; value: UserRecord }
  | { type: 'put'; sublevel: 'sessions'; key: string; value: SessionRecord }
  | { type: 'put'; sublevel: 'meta'; key: string; value: unknown }
  | { type: 'del'; sublevel: 'users' | 'sessions' | 'meta'; key: string };
