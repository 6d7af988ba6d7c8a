import type { Account, Allowance, Limits, Transfer } from '../../common/schemas/models.js';
import type { AccountStatus } from '../../common/schemas/primitives.js';
import type { AuditDraft } from '../audit/chain.js';
import type { AuditBy, CommandResult, ItemResult, RecordWrite } from './commands.js';
import { effectiveLimits, type MoveRequest } from './engine.js';
import type { BatchOptions, LedgerStore, MoveResult } from './ledger-store.js';
import type { LedgerReads } from './storage.js';
import type { RunDeclaration, RunRecord } from './runs.js';
import type { AccountState, LedgerRules, TransferRecord } from './types.js';
import type { LedgerWriter } from './writer.js';

/**
 * The ledger for the ops, the same on every store: reads come from the store (memory on
 * LevelDB, the database on PostgreSQL), and every change goes through the bank's one writer.
 */
export class Ledger implements LedgerStore {
  constructor(
    private readonly writer: LedgerWriter,
    private readonly reads: LedgerReads,
    readonly rules: LedgerRules,
  ) {}

  get currency(): string {
    return this.rules.currency;
  }

  toWire(a: AccountState): Account {
    return { account: a.account, balance: a.balance, currency: this.currency, status: a.status };
  }

  async accountsOf(owner: string): Promise<Account[]> {
    return (await this.reads.accountsOf(owner)).map((a) => this.toWire(a));
  }

  accountStatesOf(owner: string): Promise<AccountState[]> {
    return this.reads.accountsOf(owner);
  }

  account(number: string): Promise<AccountState | undefined> {
    return this.reads.account(number);
  }

  async limitsOf(owner: string): Promise<Limits> {
    return effectiveLimits(this.rules, await this.reads.ownerState(owner));
  }

  async allowanceOf(owner: string, now: Date): Promise<Allowance> {
    const state = await this.reads.ownerState(owner);
    // The engine's day: the UTC date of the transfer's time (engine.ts timeOf).
    const spentToday = state !== undefined && state.day === now.toISOString().slice(0, 10) ? state.spent : 0;
    return { ...effectiveLimits(this.rules, state), spentToday };
  }

  counts(): { accounts: number; transfers: number } {
    return this.reads.counts();
  }

  async move(req: MoveRequest, audit: AuditBy): Promise<MoveResult> {
    const [item] = await this.moveBatchOf([req], { atomic: false, audit }, false);
    if (!item!.ok) throw item!.error;
    return { transfer: item!.transfer, balance: item!.balance, replay: item!.replay };
  }

  moveBatch(items: readonly MoveRequest[], opts: BatchOptions): Promise<ItemResult[]> {
    return this.moveBatchOf(items, opts, true);
  }

  private async moveBatchOf(items: readonly MoveRequest[], opts: BatchOptions, batch: boolean): Promise<ItemResult[]> {
    const result = await this.writer.submit({
      kind: 'move',
      items,
      atomic: opts.atomic,
      audit: opts.audit,
      ...(batch && { batch: { ...(opts.runId !== undefined && { runId: opts.runId }), ...(opts.sender !== undefined && { sender: opts.sender }) } }),
    });
    return expect(result, 'move').items;
  }

  async startRun(run: RunDeclaration, audit: AuditBy): Promise<{ run: RunRecord; created: boolean }> {
    const { run: stored, created } = expect(await this.writer.submit({ kind: 'run', run, audit }), 'run');
    return { run: stored, created };
  }

  /** The bank's own account, opened once (by whichever relay of the bank starts first). */
  async openCashAccount(): Promise<void> {
    await this.writer.submit({ kind: 'cash' });
  }

  async openAccount(owner: string, writes: RecordWrite[], audit: AuditDraft[]): Promise<AccountState> {
    return expect(await this.writer.submit({ kind: 'open', owner, writes, audit }), 'accounts').accounts[0]!;
  }

  async setOwnerStatus(owner: string, status: AccountStatus, writes: RecordWrite[], audit: AuditDraft[]): Promise<AccountState[]> {
    return expect(await this.writer.submit({ kind: 'status', owner, status, writes, audit }), 'accounts').accounts;
  }

  async setLimits(owner: string, limits: Partial<Limits>, writes: RecordWrite[], audit: AuditDraft[]): Promise<Limits> {
    return expect(await this.writer.submit({ kind: 'limits', owner, limits, writes, audit }), 'limits').limits;
  }
}

function expect<K extends CommandResult['kind']>(result: CommandResult, kind: K): Extract<CommandResult, { kind: K }> {
  if (result.kind !== kind) throw new Error(`the writer answered ${result.kind} where ${kind} was due`);
  return result as Extract<CommandResult, { kind: K }>;
}

/** The wire's Transfer (PROTOCOL §5), without the ledger's bookkeeping. */
export function toWireTransfer(t: TransferRecord): Transfer {
  return { id: t.id, from: t.from, to: t.to, amount: t.amount, ...(t.memo !== undefined && { memo: t.memo }), ts: t.ts, status: 'posted' };
}
