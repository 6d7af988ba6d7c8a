import type { AuditEntry, AuditHead } from '../../../common/schemas/models.js';
import type { AuditDraft } from '../../audit/chain.js';
import type { CommitNote, CommitSink, GenericOp } from '../bank-store.js';
import type { PgLedgerWriter } from './ledger-writer.js';

/**
 * The PostgreSQL store's commit sink: users, sessions and singletons go through the same
 * writer (and the same batches, under the same audit-head lock) as the ledger's changes, so
 * there is one order of everything on the database, across relays.
 */
export class PgCommits implements CommitSink {
  private head: AuditHead;

  constructor(
    private readonly writer: PgLedgerWriter,
    initialHead: AuditHead,
  ) {
    this.head = initialHead;
    writer.onAudit = (entries) => {
      const last = entries[entries.length - 1]!;
      if (last.seq > this.head.seq) this.head = { seq: last.seq, hash: last.hash };
    };
  }

  async commit(ops: GenericOp[], audit: AuditDraft[] = [], note: CommitNote = {}): Promise<AuditEntry[]> {
    return (await this.writer.write({ kind: 'write', ops, audit, ...note })).audit;
  }

  get auditHead(): AuditHead {
    return this.head;
  }

  get stats(): { batches: number; jobs: number } {
    return this.writer.stats;
  }

  drain(): Promise<void> {
    return this.writer.drain();
  }
}
