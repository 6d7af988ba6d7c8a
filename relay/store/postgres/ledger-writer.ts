import type pg from 'pg';
import { BankError } from '../../../common/errors.js';
import type { LedgerRules } from '../../ledger/types.js';
import { applyMoveBatch, type AccountJob, type AccountJobResult, type LedgerJob, type MoveJob, type MoveJobResult } from './ledger-batch.js';

interface Pending {
  job: LedgerJob;
  resolve(r: MoveJobResult | AccountJobResult): void;
  reject(e: unknown): void;
}

/** At most this many movements in one SQL transaction. */
const MAX_BATCH = 2000;

/**
 * One relay's group commit on the PostgreSQL store: while one batch's transaction is in
 * flight, later movements queue and go together in the next one. Each is answered only
 * after its batch committed. Several relays each run one of these against the same database;
 * the audit-head lock in applyMoveBatch orders their batches.
 */
export class PgLedgerWriter {
  private pending: Pending[] = [];
  private writing = false;
  readonly stats = { batches: 0, jobs: 0 };

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

  private submit(job: LedgerJob): Promise<MoveJobResult | AccountJobResult> {
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
      try {
        client = await this.pool.connect();
        const { settled } = await applyMoveBatch(client, this.rules, batch.map((p) => p.job), this.now(), this.relay);
        this.stats.batches++;
        this.stats.jobs += batch.length;
        settled.forEach((s, i) => {
          const p = batch[i]!;
          if (s.ok) p.resolve(s.value);
          else p.reject(s.error);
        });
      } catch (err) {
        broken = err instanceof Error ? err : new Error(String(err));
        // The transaction did not commit, or we cannot tell (the connection died at COMMIT):
        // in doubt, and safe to retry with the same transfer id.
        const message = err instanceof Error ? err.message : String(err);
        for (const p of batch) p.reject(new BankError('INTERNAL', `the bank could not confirm this change was saved (${message.slice(0, 120)}); a transfer retried with the same transfer id is applied at most once`));
      } finally {
        // A client whose transaction failed is not handed out again: the pool opens a fresh one.
        client?.release(broken);
      }
    }
    this.writing = false;
  }
}
