import { BankError, isBankError } from '../../common/errors.js';
import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import type { AuditDraft } from '../audit/chain.js';
import { needsOf, weightOf, type BatchEffects, type CommandResult, type LedgerCommand, type RecordWrite } from './commands.js';
import { executeBatch, isEmpty, type ExecutedBatch } from './execute.js';
import { StoreUnavailable, type BatchTransaction, type LedgerStorage } from './storage.js';

interface Job {
  command: LedgerCommand;
  resolve(result: CommandResult): void;
  reject(err: BankError): void;
}

/** What a commit tells beyond its rows. */
export interface CommitNote {
  /** Why the sessions these writes end ended: told to their connections on the bank's other relays. */
  endedReason?: string;
}

/** Users, sessions and flags written with their audit entries, acknowledged once durable. */
export interface CommitSink {
  commit(writes: RecordWrite[], audit?: AuditDraft[], note?: CommitNote): Promise<AuditEntry[]>;
  /** The newest audit head this relay wrote or read (the stored one may be newer on a shared store). */
  readonly auditHead: AuditHead;
  /** Figures for operators: batches written and jobs in them. */
  readonly stats: { batches: number; jobs: number };
  /** Waits for everything queued so far, then refuses new work. */
  drain(): Promise<void>;
}

export interface WriterHooks {
  /** After each batch is durable, before anyone is answered: tell people what changed. */
  onCommitted?(effects: BatchEffects): void;
  /** Metrics: jobs in a batch, its time from prefetch to durable in seconds, and whether it committed. */
  onBatch?(jobs: number, seconds: number, ok: boolean): void;
  /** A hook threw (a bug): reported, never allowed to stop the writer. */
  onError?(err: unknown): void;
}

/**
 * The bank's one writer, the same on every store (TigerBeetle's shape; docs/POSTGRES.md): commands
 * queue while a batch is in flight; then the next batch takes them all (up to the store's
 * `maxBatch` movements), **prefetches** what they touch, **executes** them in order in the
 * pure engine (execute.ts) and **commits** the effects and their audit entries in one durable
 * write, and only then answers. Idempotency is decided inside execute, where nothing can
 * interleave: one transfer id posts at most once, whatever arrives together or after a restart.
 *
 * Outcomes: a command the rules refuse gets its own error; when the store takes no writes
 * (`begin` fails) nothing was done and every command in the batch gets UNAVAILABLE; when the
 * write itself fails, every command in the batch gets IN_DOUBT (it may or may not be on disk:
 * a transfer retried with its id settles it).
 */
export class LedgerWriter implements CommitSink {
  private queue: Job[] = [];
  private writing = false;
  private closed = false;
  private idle: (() => void)[] = [];
  private head: AuditHead;
  readonly stats = { batches: 0, jobs: 0 };

  constructor(
    private readonly storage: LedgerStorage,
    private readonly now: () => Date,
    initialHead: AuditHead,
    private readonly hooks: WriterHooks = {},
  ) {
    this.head = initialHead;
  }

  get auditHead(): AuditHead {
    return this.head;
  }

  /** Queues a command; resolves once its batch is durable, or rejects with a BankError saying why not. */
  submit(command: LedgerCommand): Promise<CommandResult> {
    if (this.closed) return Promise.reject(new BankError('UNAVAILABLE', 'the relay is shutting down and takes no more changes; try again in a moment'));
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.writing) void this.pump();
    });
  }

  async commit(writes: RecordWrite[], audit: AuditDraft[] = [], note: CommitNote = {}): Promise<AuditEntry[]> {
    const result = await this.submit({ kind: 'write', writes, audit, ...(note.endedReason !== undefined && { endedReason: note.endedReason }) });
    return result.kind === 'written' ? result.audit : [];
  }

  /** Waits for everything queued so far, then refuses new work. */
  async drain(): Promise<void> {
    this.closed = true;
    if (!this.writing && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private take(): Job[] {
    let weight = 0;
    let n = 0;
    while (n < this.queue.length) {
      const w = weightOf(this.queue[n]!.command);
      if (n > 0 && weight + w > this.storage.maxBatch) break;
      weight += w;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async pump(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const jobs = this.take();
      const started = performance.now();
      const written = await this.run(jobs);
      if (written !== undefined) this.report(() => this.hooks.onBatch?.(jobs.length, (performance.now() - started) / 1000, written));
    }
    this.writing = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  /** One batch, start to finish: true when it was written, false when its write failed, undefined when it wrote nothing. */
  private async run(jobs: Job[]): Promise<boolean | undefined> {
    const commands = jobs.map((j) => j.command);
    let txn: BatchTransaction;
    try {
      txn = await this.storage.begin(needsOf(commands));
    } catch (err) {
      const refusal = isBankError(err) ? err : new BankError('UNAVAILABLE', err instanceof StoreUnavailable ? err.message : `the bank cannot take changes right now (${describe(err)}); nothing was changed: try again in a moment`);
      for (const j of jobs) j.reject(refusal);
      return undefined;
    }
    let executed: ExecutedBatch;
    try {
      executed = executeBatch(txn.engine, commands, { transfers: txn.stored, users: txn.users, legacyHolders: txn.legacyHolders, runs: txn.runs }, txn.head, this.now());
    } catch (err) {
      await txn.release(true).catch(() => undefined);
      this.report(() => {
        throw err;
      });
      for (const j of jobs) j.reject(new BankError('INTERNAL', 'the relay hit an internal error; nothing was changed'));
      return undefined;
    }
    const { settled, effects } = executed;
    const write = !isEmpty(effects);
    if (!write) {
      await txn.release(false).catch(() => undefined);
    } else {
      try {
        await txn.commit(effects);
      } catch (err) {
        const doubt = isBankError(err)
          ? err
          : new BankError('IN_DOUBT', `the bank could not confirm this change was saved (${describe(err)}). It may or may not have been applied: retry with the same transfer id to learn which (a transfer is applied at most once)`);
        for (const j of jobs) j.reject(doubt);
        return false;
      }
      this.head = effects.head;
      this.stats.batches++;
      this.stats.jobs += jobs.length;
      this.report(() => this.hooks.onCommitted?.(effects));
    }
    jobs.forEach((j, i) => {
      const s = settled[i]!;
      if (s.ok) j.resolve(s.value);
      else j.reject(s.error);
    });
    return write ? true : undefined;
  }

  private report(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.hooks.onError?.(err);
    }
  }
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 160);
}
