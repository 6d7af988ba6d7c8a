import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import { sealAuditEntry, type AuditDraft } from '../audit/chain.js';
import { AUDIT_HEAD_KEY, auditKey, type BankDb, type BatchOp } from './db.js';

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
export class CommitQueue {
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
    return new Promise((resolve, reject) => {
      this.pending.push({ ops, audit, resolve, reject });
      if (!this.writing) void this.pump();
    });
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
        jobs.forEach((job) => job.reject(err));
      }
    }
    this.writing = false;
  }
}

