import { open, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import type { BankDb } from './bank-db.js';
import { diskErrorCode, type LevelLedger } from './level-ledger.js';

const PROBE_FILE = '.write-probe';
/**
 * Reopening LevelDB writes a new log and manifest and may flush its memtable (up to its 4 MiB
 * write buffer) into a table: with less room than this it would fail again half way.
 */
const MIN_FREE_BYTES = 16 * 1024 * 1024;

/**
 * What the relay does after a write fails (disk full, remounted read-only, an I/O error):
 * the ledger has stopped taking changes (UNAVAILABLE, with a clear message), and reads go on. Every `everyMs` this checks whether the data directory takes a synced write
 * again; once it does, it reopens LevelDB (which refuses all writes after a failed one until
 * reopened), re-reads the ledger from it (the disk is the truth: memory had run ahead of it)
 * and lets changes in again. Nothing is acknowledged that is not on disk, and nothing on disk
 * is overwritten from memory.
 */
export class DiskRecovery {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;
  /** When the failure began (ms since the epoch), while recovering. */
  since: number | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly bank: BankDb,
    private readonly ledger: LevelLedger,
    private readonly log: Logger,
    private readonly everyMs: number,
  ) {}

  get recovering(): boolean {
    return this.since !== undefined;
  }

  /** The ledger's failure hook. */
  begin(err: Error): void {
    if (this.since !== undefined || this.stopped) return;
    this.since = Date.now();
    const code = diskErrorCode(err);
    this.log.error('DISK WRITE FAILED: changes are refused until the data directory takes writes again; reads go on', {
      error: err.message,
      ...(code !== undefined && { code }),
      dataDir: this.dataDir,
      retryEveryMs: this.everyMs,
    });
    this.timer = setInterval(() => void this.attempt(), this.everyMs);
  }

  /** One try; true once the relay takes changes again. */
  async attempt(): Promise<boolean> {
    if (this.busy || this.stopped || this.since === undefined) return false;
    this.busy = true;
    try {
      // Probe with a file of our own first: reopening LevelDB on a disk that still refuses
      // writes would fail and leave even the reads without a database.
      await probeWrite(this.dataDir);
      await this.bank.reopen();
      // Re-read while the ledger still refuses changes, so nothing is written under the read.
      await this.ledger.reload();
      const downMs = Date.now() - this.since;
      this.since = undefined;
      clearInterval(this.timer);
      this.timer = undefined;
      this.log.warn('the disk takes writes again: database reopened, ledger re-read from it, changes accepted', {
        downMs,
        accounts: this.ledger.engine.accounts.size,
        transfers: this.ledger.engine.transferSeq,
      });
      return true;
    } catch (err) {
      this.log.debug('the disk still refuses writes', { error: err instanceof Error ? err.message : String(err) });
      return false;
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}

async function probeWrite(dir: string): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < MIN_FREE_BYTES) throw new Error(`only ${Math.floor(free / 1024)} KiB free`);
  const file = path.join(dir, PROBE_FILE);
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.writeFile('probe\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await unlink(file);
}
