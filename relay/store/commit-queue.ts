import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import { sealAuditEntry, type AuditDraft } from '../audit/chain.js';
import { AUDIT_HEAD_KEY, auditKey, type BankDb, type BatchOp } from './db.js';

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
      const batch: unknown[] = [];
      const sealed: AuditEntry[][] = [];
      let head = startHead;
      for (const job of jobs) {
        for (const op of job.ops) batch.push(this.toLevelOp(op));
        const entries = job.audit.map((draft) => {
          const entry = sealAuditEntry(draft, head, ts);
          head = { seq: entry.seq, hash: entry.hash };
          batch.push({ type: 'put', sublevel: this.bank.audit, key: auditKey(entry.seq), value: entry });
          return entry;
        });
        sealed.push(entries);
      }
      dropOverwritten(batch);
      if (head.seq !== startHead.seq) {
        batch.push({ type: 'put', sublevel: this.bank.meta, key: AUDIT_HEAD_KEY, value: head });
      }
      const writeStarted = performance.now();
      try {
        await this.bank.db.batch(batch as never, { sync: true });
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

  private toLevelOp(op: BatchOp): unknown {
    const sublevel = this.bank[op.sublevel];
    return op.type === 'put'
      ? { type: 'put', sublevel, key: op.key, value: op.value }
      : { type: 'del', sublevel, key: op.key };
  }
}

/**
 * Within one batch only the last put of a key counts, so earlier puts of the same key (an
 * account touched by many transfers in one group commit) are dropped before LevelDB sees them.
 */
function dropOverwritten(batch: unknown[]): void {
  const last = new Map<unknown, Map<string, number>>();
  let dropped = false;
  batch.forEach((op, i) => {
    const { sublevel, key } = op as { sublevel: unknown; key: string };
    let keys = last.get(sublevel);
    if (!keys) last.set(sublevel, (keys = new Map()));
    const prev = keys.get(key);
    if (prev !== undefined) {
      batch[prev] = undefined;
      dropped = true;
    }
    keys.set(key, i);
  });
  if (!dropped) return;
  let w = 0;
  for (const op of batch) if (op !== undefined) batch[w++] = op;
  batch.length = w;
}
