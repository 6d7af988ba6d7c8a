import type { BankDb } from '../store/db.js';
import type { TransferRecord } from './types.js';

/**
 * Idempotency lookups, batched: every id asked for in the same turn of the event loop is read
 * with one `getMany`, instead of one LevelDB read (one thread-pool job) per transfer.
 */
export class TransferLookup {
  private queue: { id: string; resolve(r: TransferRecord | undefined): void; reject(e: unknown): void }[] = [];

  constructor(private readonly bank: BankDb) {}

  get(id: string): Promise<TransferRecord | undefined> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ id, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const found = (await this.bank.transfers.getMany(batch.map((q) => q.id))) as (TransferRecord | undefined)[];
      batch.forEach((q, i) => q.resolve(found[i]));
    } catch (err) {
      batch.forEach((q) => q.reject(err));
    }
  }
}
