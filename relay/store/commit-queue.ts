import { BankError } from '../../common/errors.js';
import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import { sealAuditEntry, type AuditDraft } from '../audit/chain.js';
import { AUDIT_HEAD_KEY, auditKey, type BankDb, type BatchOp } from './db.js';
import type { CommitSink } from './bank-store.js';

/** Marks a key deleted in a batch being formed (any other value is put, as JSON). */
const DELETE = Symbol('delete');

interface Job {
  ops: BatchOp[];
  audit: AuditDraft[];
  resolve(entries: AuditEntry[]): void;
  reject(err: unknown): void;
}

/**
 * The single writer. Every state change goes through `commit`, which queues it; while one
 * LevelDB batch is being fsynced, later jobs pile up and go out together in the next batch
 * (group commit). Audit entries are chained when their batch is formed, so the chain's
 * order is exactly the order on disk, and a failed batch rolls the head back.
 */
export class CommitQueue implements CommitSink {
  private pending: Job[] = [];
  private writing = false;
  private head: AuditHead;
  /** Each sublevel's key prefix in the root database (`!name!`). */
  private readonly prefixes: Record<BatchOp['sublevel'] | 'audit', string>;
  private closed = false;
  /** Figures for operators: batches written and jobs in them. */
  readonly stats = { batches: 0, jobs: 0 };
  /** Metrics hook: jobs in a batch and its write+fsync time in seconds (ok false: the write failed). */
  onBatch: ((jobs: number, seconds: number, ok: boolean) => void) | undefined;
  /**
   * The disk error that stopped the queue, if one did. After a failed batch nothing more is
   * written, not even work already queued (it was formed on memory that assumed the failed
   * batch), until `resume` is called on a database reopened and re-read (see disk-recovery.ts).
   */
  private failure: Error | undefined;
  /** Called once when a batch fails and the queue stops. */
  onFailure: ((err: Error) => void) | undefined;

  constructor(
    private readonly bank: BankDb,
    initialHead: AuditHead,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.head = initialHead;
    const sublevels = ['users', 'sessions', 'audit', 'meta', 'accounts', 'owners', 'transfers', 'txlog', 'entries'] as const;
    this.prefixes = Object.fromEntries(sublevels.map((name) => [name, bank[name].prefix])) as CommitQueue['prefixes'];
  }

  get auditHead(): AuditHead {
    return this.head;
  }

  /** Resolves once the ops and their audit entries are durable (sync write). */
  commit(ops: BatchOp[], audit: AuditDraft[] = []): Promise<AuditEntry[]> {
    if (this.closed) return Promise.reject(new Error('the database is closing'));
    if (this.failure) return Promise.reject(unsavedError(this.failure));
    return new Promise((resolve, reject) => {
      this.pending.push({ ops, audit, resolve, reject });
      if (!this.writing) void this.pump();
    });
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Serves again after a failure, from the audit head the reopened database holds. */
  resume(head: AuditHead): void {
    this.head = head;
    this.failure = undefined;
  }

  /** Waits for everything queued so far, then refuses new work. */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.writing || this.pending.length > 0) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private async pump(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const jobs = this.pending;
      this.pending = [];
      const startHead = this.head;
      const ts = this.now().toISOString();
      // Keys are prefixed here and the batch is a chained one on the root database: abstract-level's
      // per-op sublevel and array-batch handling cost about 4× the native work (docs/PERFORMANCE.md).
      // Only the last put of a key counts, so a key written several times in one group commit
      // (an account touched by many transfers) goes to LevelDB once.
      const writes = new Map<string, unknown>();
      const sealed: AuditEntry[][] = [];
      let head = startHead;
      for (const job of jobs) {
        for (const op of job.ops) {
          writes.set(this.prefixes[op.sublevel] + op.key, op.type === 'put' ? op.value : DELETE);
        }
        const entries = job.audit.map((draft) => {
          const entry = sealAuditEntry(draft, head, ts);
          head = { seq: entry.seq, hash: entry.hash };
          writes.set(this.prefixes.audit + auditKey(entry.seq), entry);
          return entry;
        });
        sealed.push(entries);
      }
      if (head.seq !== startHead.seq) {
        writes.set(this.prefixes.meta + AUDIT_HEAD_KEY, head);
      }
      const writeStarted = performance.now();
      try {
        const batch = this.bank.db.batch();
        for (const [key, value] of writes) {
          if (value === DELETE) batch.del(key);
          else batch.put(key, value);
        }
        await batch.write({ sync: true });
        this.head = head;
        this.stats.batches++;
        this.stats.jobs += jobs.length;
        this.onBatch?.(jobs.length, (performance.now() - writeStarted) / 1000, true);
        jobs.forEach((job, i) => job.resolve(sealed[i] ?? []));
      } catch (err) {
        this.onBatch?.(jobs.length, (performance.now() - writeStarted) / 1000, false);
        const failure = err instanceof Error ? err : new Error(String(err));
        this.failure = failure;
        // The failed batch and everything queued behind it: none of it is acknowledged.
        const refused = [...jobs, ...this.pending];
        this.pending = [];
        for (const job of refused) job.reject(unsavedError(failure));
        this.onFailure?.(failure);
      }
    }
    this.writing = false;
  }
}

/**
 * What a client is told when its change met a disk error. A sync write that failed may still
 * have reached the log (LevelDB replays it on reopen), so the change is in doubt, not lost:
 * a transfer retried with the same transferId is applied at most once.
 */
function unsavedError(err: Error): BankError {
  const code = diskErrorCode(err);
  const why = code !== undefined && code !== 'LEVEL_DATABASE_NOT_OPEN' ? ` (${code})` : '';
  return new BankError('INTERNAL', `the bank could not save changes: its disk refused a write${why}. Your request may not have been applied; try again in a few minutes (a transfer retried with the same transfer id is applied at most once)`);
}

/** The code of a failed write (LevelDB's, or the system's under it), for logs and clients. */
export function diskErrorCode(err: Error): string | undefined {
  const code = (err as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
