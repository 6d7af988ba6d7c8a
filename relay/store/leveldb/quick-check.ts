import type { AuditEntry } from '../../../common/schemas/models.js';
import { isEntryShaped } from '../../audit/chain.js';
import { auditTailProblem, type QuickCheckResult } from '../../startup/startup-check.js';
import type { LoadedLedger } from './load-ledger.js';
import { auditKey, type LevelTables } from './tables.js';

/**
 * The embedded store's start-up check, cheap enough for every start (no check of every entry:
 * that is `bank-relay audit verify` / `ledger verify`):
 *   audit  — the stored head names the last stored entry (seq, hash), that entry's hash matches
 *            its content, and its prev is the hash of the entry before it (or genesis);
 *   ledger — what loading the ledger found (load-ledger.ts): after a clean stop, that the
 *            database is as its signed checkpoint describes; otherwise, every account's entries
 *            in the journal run 1..n and the last one ends at its balance; and the balances sum to 0.
 */
export async function quickCheck(bank: LevelTables, ledger: Pick<LoadedLedger, 'problems'>): Promise<QuickCheckResult> {
  const problems: string[] = [];
  try {
    const p = await checkAuditHead(bank);
    if (p) problems.push(`audit: ${p}`);
  } catch (err) {
    problems.push(`audit: could not read the audit log (${err instanceof Error ? err.message : String(err)})`);
  }
  problems.push(...ledger.problems.map((p) => `ledger: ${p}`));
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

function parseEntry(text: string): AuditEntry | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return isEntryShaped(v) ? v : undefined;
  } catch {
    return undefined;
  }
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
