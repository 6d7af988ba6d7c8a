import type { AuditEntry } from '../../common/schemas/models.js';
import { postingsOf, type Posting } from './outcomes.js';
import type { TransferRecord } from './types.js';

/**
 * The half of `ledger verify` that compares the ledger with the audit log, whatever the store:
 * fed every transfer in the ledger's order, it reads the audit log alongside (in its own order)
 * and checks that each transfer is the next movement the log records as posted, with the same
 * id, payer, payee and amount. Both orders are the writer's execution order, so this is one
 * merge, with constant memory. A transfer re-pointed behind the relay's back (its entries and
 * balances moved consistently) still disagrees with its audit record, which the hash chain
 * protects; so does a posting with no transfer, or a transfer with no posting.
 */
export class AuditPostingMatch {
  private readonly audit: AsyncIterator<AuditEntry>;
  private pending: Posting[] = [];
  private at = 0;
  private seq = 0;

  constructor(audit: AsyncIterable<AuditEntry>) {
    this.audit = audit[Symbol.asyncIterator]();
  }

  /** The next transfer in the ledger's order; a problem in words, or undefined. */
  async next(t: Pick<TransferRecord, 'id' | 'seq' | 'from' | 'to' | 'amount'>): Promise<string | undefined> {
    const p = await this.nextPosting();
    if (typeof p === 'string') return p;
    if (p === undefined) return `transfer ${t.id} (seq ${t.seq}) has no posting in the audit log`;
    if (p.id !== t.id) return `transfer seq ${t.seq} is ${t.id} in the ledger, but the audit log (seq ${this.seq}) posted ${p.id} there`;
    if (p.from !== t.from || p.to !== t.to || p.amount !== t.amount) {
      return `transfer ${t.id}: the ledger has ${t.from} → ${t.to} for ${t.amount}, its audit record (seq ${this.seq}) ${p.from} → ${p.to} for ${p.amount}`;
    }
    return undefined;
  }

  /** After the last transfer: the log must post nothing more. */
  async finish(): Promise<string | undefined> {
    const p = await this.nextPosting();
    if (typeof p === 'string') return p;
    if (p !== undefined) return `the audit log (seq ${this.seq}) posted transfer ${p.id}, which the ledger does not hold`;
    return undefined;
  }

  private async nextPosting(): Promise<Posting | string | undefined> {
    while (this.at >= this.pending.length) {
      const r = await this.audit.next();
      if (r.done) return undefined;
      const postings = postingsOf(r.value);
      if (typeof postings === 'string') return postings;
      this.seq = r.value.seq;
      this.pending = postings;
      this.at = 0;
    }
    return this.pending[this.at++];
  }
}
