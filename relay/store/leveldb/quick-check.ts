import type { AuditEntry, Entry } from '../../../common/schemas/models.js';
import { isEntryShaped } from '../../audit/chain.js';
import type { AccountState } from '../../ledger/types.js';
import { auditTailProblem, type QuickCheckResult } from '../../startup/startup-check.js';
import { auditKey, entryKey, type LevelTables } from './tables.js';
import { scan } from './scan.js';

/**
 * The start-up check: cheap enough to run on every start, O(accounts) reads, no full replay.
 *   audit  — the stored head names the last stored entry (seq, hash), that entry's hash matches its
 *            content, and its prev is the hash of the entry before it (or genesis).
 *   ledger — the balances sum to 0, and each account's last entry ends at its balance with no
 *            entry after it.
 * A full check of every entry is `bank-relay audit verify` / `ledger verify`.
 * `accounts`: the stored accounts as just read by the ledger (read, not yet changed), so the
 * relay's start does not read every account twice.
 */
export async function quickCheck(bank: LevelTables, accounts: readonly AccountState[]): Promise<QuickCheckResult> {
  const problems: string[] = [];
  try {
    const p = await checkAuditHead(bank);
    if (p) problems.push(`audit: ${p}`);
  } catch (err) {
    problems.push(`audit: could not read the audit log (${errMessage(err)})`);
  }
  try {
    const p = await checkLedgerTotals(bank, accounts);
    if (p) problems.push(`ledger: ${p}`);
  } catch (err) {
    problems.push(`ledger: could not read the ledger (${errMessage(err)})`);
  }
  return { ok: problems.length === 0, problems };
}

async function checkAuditHead(bank: LevelTables): Promise<string | undefined> {
  const head = await bank.auditHead();
  // The last two entries, raw: one value that is not JSON must be reported, not thrown.
  const tail: [string, string][] = [];
  for await (const kv of bank.audit.iterator({ reverse: true, limit: 2, valueEncoding: 'utf8' }) as AsyncIterable<[string, string]>) tail.push(kv);
  const [lastKv, beforeKv] = tail;
  if (head.seq === 0) {
    return lastKv ? `no audit head is stored but the log holds entries up to key ${lastKv[0]}` : undefined;
  }
  if (!lastKv) return `the head says seq ${head.seq} but the audit log is empty`;
  const last = parseEntry(lastKv[1]);
  if (!last) return `the last stored entry (key ${lastKv[0]}) is not a readable audit entry`;
  if (lastKv[0] !== auditKey(head.seq)) return `the head says seq ${head.seq} but the last stored entry is seq ${last.seq}`;
  return auditTailProblem(head, last, beforeKv ? parseEntry(beforeKv[1]) : undefined);
}

async function checkLedgerTotals(bank: LevelTables, accounts: readonly AccountState[]): Promise<string | undefined> {
  let sum = 0;
  // Batches are checked while later ones are read; the problem reported is the first in key order.
  const problems: (string | undefined)[] = [];
  const check = (batch: AccountState[]) => {
    for (const a of batch) sum += a.balance;
    const at = problems.length;
    problems.push(undefined);
    return checkLegs(bank, batch).then((p) => (problems[at] = p) !== undefined);
  };
  await scan(arrayBatches(accounts), check, { size: LEG_BATCH, inFlight: 4 });
  const problem = problems.find((p) => p !== undefined);
  if (problem) return problem;
  if (sum !== 0) return `the account balances sum to ${sum}, not 0`;
  return undefined;
}

const LEG_BATCH = 500;

/** An array read like an iterator, for `scan`. */
function arrayBatches<T>(items: readonly T[]): { nextv(size: number): Promise<T[]>; close(): Promise<void> } {
  let at = 0;
  return {
    nextv: async (size) => items.slice(at, (at += size)),
    close: async () => {},
  };
}

/** For each account: its last entry ends at its balance, and no entry follows it. */
async function checkLegs(bank: LevelTables, batch: AccountState[]): Promise<string | undefined> {
  const keys = batch.flatMap((a) => [entryKey(a.account, a.entrySeq), entryKey(a.account, a.entrySeq + 1)]);
  const legs = (await bank.entries.getMany(keys)) as (Entry | undefined)[];
  for (let i = 0; i < batch.length; i++) {
    const a = batch[i]!;
    const last = legs[2 * i];
    const next = legs[2 * i + 1];
    if (next) return `account ${a.account} has an entry ${a.entrySeq + 1} after the ${a.entrySeq} it records`;
    if (a.entrySeq === 0) {
      if (a.balance !== 0) return `account ${a.account}: balance ${a.balance} with no entries`;
      continue;
    }
    if (!last) return `account ${a.account}: its last entry (${a.entrySeq}) is missing`;
    if (last.balanceAfter !== a.balance) return `account ${a.account}: balance ${a.balance} but its last entry ends at ${last.balanceAfter}`;
  }
  return undefined;
}

function parseEntry(text: string): AuditEntry | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return isEntryShaped(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The refusal shown to the operator (one StartupError, printed without a stack by the CLI). */
export function refusalMessage(dataDir: string, problems: readonly string[]): string {
  return [
    `refusing to serve: the start-up check of ${dataDir} found a mismatch`,
    ...problems.map((p) => `  - ${p}`),
    `Run \`bank-relay audit verify --data ${dataDir}\` and \`bank-relay ledger verify --data ${dataDir}\` for a full report,`,
    'restore from a backup if the data is damaged, or start with --force to serve anyway.',
  ].join('\n');
}
