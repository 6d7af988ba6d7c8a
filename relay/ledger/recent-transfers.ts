import type { TransferRecord } from './types.js';

interface Pending {
  record: TransferRecord;
  /** Settles when the batch holding this transfer is on disk. */
  durable: Promise<void>;
}

/**
 * Transfer ids applied in memory but maybe not yet visible to a LevelDB read. An idempotency
 * check reads LevelDB asynchronously; a transfer committed while that read was under way
 * might be missed by it, so each id stays here until every read that started before its
 * commit has finished (tracked by commit epochs).
 */
export class RecentTransfers {
  private epoch = 0;
  private activeLookups = new Map<number, number>();
  private pending = new Map<string, Pending>();
  private committed: { id: string; epoch: number }[] = [];
  private head = 0;

  beginLookup(): number {
    this.activeLookups.set(this.epoch, (this.activeLookups.get(this.epoch) ?? 0) + 1);
    return this.epoch;
  }

  endLookup(startEpoch: number): void {
    const n = (this.activeLookups.get(startEpoch) ?? 1) - 1;
    if (n === 0) this.activeLookups.delete(startEpoch);
    else this.activeLookups.set(startEpoch, n);
    this.sweep();
  }

  get(id: string): Pending | undefined {
    return this.pending.get(id);
  }

  add(record: TransferRecord, durable: Promise<void>): void {
    this.pending.set(record.id, { record, durable });
  }

  markCommitted(ids: readonly string[]): void {
    this.epoch++;
    for (const id of ids) this.committed.push({ id, epoch: this.epoch });
    this.sweep();
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(): void {
    let oldest = Infinity;
    for (const e of this.activeLookups.keys()) oldest = Math.min(oldest, e);
    while (this.head < this.committed.length && this.committed[this.head]!.epoch <= oldest) {
      this.pending.delete(this.committed[this.head]!.id);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.committed.length) {
      this.committed = this.committed.slice(this.head);
      this.head = 0;
    }
  }
}
