import type pg from 'pg';
import { BankError } from '../../../common/errors.js';
import type { LedgerRules } from '../../ledger/types.js';
import type { AuditEntry } from '../../../common/schemas/models.js';
import { applyBatch, type AccountJob, type AccountJobResult, type JobResult, type LedgerJob, type MoveJob, type MoveJobResult, type WriteJob, type WriteJobResult } from './ledger-batch.js';

interface Pending {
  job: LedgerJob;
  resolve(r: JobResult): void;
  reject(e: unknown): void;
}

/** At most this many movements in one SQL transaction. */
const MAX_BATCH = 2000;

/**
 * One relay's group commit on the PostgreSQL store: while one batch's transaction is in
 * flight, later movements queue and go together in the next one. Each is answered only
 * after its batch committed. Several relays each run one of these against the same database;
 * the audit-head lock in applyBatch orders their batches.
 */
export class PgLedgerWriter {
  private pending: Pending[] = [];
  private writing = false;
  private closed = false;
  readonly stats = { batches: 0, jobs: 0 };
  /** Metrics hook: jobs in a batch, its transaction's time in seconds, and whether it committed. */
  onBatch: ((jobs: number, seconds: number, ok: boolean) => void) | undefined;
  /** Called with the audit entries of each committed batch (the newest head this relay knows). */
  onAudit: ((entries: readonly AuditEntry[]) => void) | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly rules: LedgerRules,
    private readonly now: () => Date = () => new Date(),
    /** This relay's name in cross-relay notifications; none are sent without it. */
    private readonly relay?: string,
  ) {}

  move(job: MoveJob): Promise<MoveJobResult> {
    return this.submit(job) as Promise<MoveJobResult>;
  }

  /** Opens an account, or changes an owner's status or limits, in order with the movements. */
  change(job: AccountJob): Promise<AccountJobResult> {
    return this.submit(job) as Promise<AccountJobResult>;
  }

  /** Users, sessions and singletons with their audit entries, in order with the ledger's changes. */
  write(job: WriteJob): Promise<WriteJobResult> {
    return this.submit(job) as Promise<WriteJobResult>;
  }

  /** Waits for everything queued so far, then refuses new work. */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.writing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private submit(job: LedgerJob): Promise<JobResult> {
    if (this.closed) return Promise.reject(new Error('the database is closing'));
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (!this.writing) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      let client: pg.PoolClient | undefined;
      let broken: Error | undefined;
      const started = performance.now();
      try {
        client = await this.pool.connect();
        const { settled, audit } = await applyBatch(client, this.rules, batch.map((p) => p.job), this.now(), this.relay);
        this.stats.batches++;
        this.stats.jobs += batch.length;
        this.onBatch?.(batch.length, (performance.now() - started) / 1000, true);
        if (audit.length > 0) this.onAudit?.(audit);
        settled.forEach((s, i) => {
          const p = batch[i]!;
          if (s.ok) p.resolve(s.value);
          else p.reject(s.error);
        });
      } catch (err) {
        broken = err instanceof Error ? err : new Error(String(err));
        this.onBatch?.(batch.length, (performance.now() - started) / 1000, false);
        // The transaction did not commit, or we cannot tell (the connection died at COMMIT):
        // in doubt, and safe to retry with the same transfer id.
        for (const p of batch) p.reject(new BankError('INTERNAL', `the bank could not confirm this change was saved (${broken.message.slice(0, 120)}); a transfer retried with the same transfer id is applied at most once`));
      } finally {
        // A client whose transaction failed is not handed out again: the pool opens a fresh one.
        client?.release(broken);
      }
    }
    this.writing = false;
  }
}
