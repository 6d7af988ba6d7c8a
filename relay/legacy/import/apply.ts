import { CASH_ACCOUNT } from '../../../common/account-number.js';
import { isBankError } from '../../../common/errors.js';
import { BATCH_MAX } from '../../../common/schemas/ops.js';
import type { AuditDraft } from '../../audit/chain.js';
import type { UserRecord } from '../../auth/records.js';
import { UserStore } from '../../auth/users.js';
import type { MoveRequest } from '../../ledger/engine.js';
import type { LedgerStore } from '../../ledger/ledger-store.js';
import type { CommitSink } from '../../ledger/writer.js';
import type { BankStore } from '../../store/bank-store.js';
import { LegacyAliases } from '../aliases.js';
import { openingTransferId, type LegacyRecord } from '../record.js';
import type { Finding, LegacyCustomer, ParsedLegacyFile } from './parse.js';
import { planImport, type PlannedRecord } from './plan.js';

/**
 * `bank-relay legacy import`, against a bank opened to write (either store), through the same
 * paths as every other change: users made by UserStore (scrypt), each customer's account opened
 * with their record in one write (`ledger.openAccount`), the opening balances as deposits from
 * the cash account in `ledger.moveBatch`, administrators through the commit sink; every one
 * audited as `legacy.import`. Idempotent: a record an earlier run imported (known by its old
 * account number, or an administrator's old name) is left alone, and an opening deposit has a
 * transfer id made from the old account number, so it can post only once.
 */

/** The bank to import into: read through `bank`; written through `write` (absent on a dry run, which reads only). */
export interface ImportTarget {
  bank: Pick<BankStore, 'users' | 'getUsers' | 'kind'>;
  write?: { users: UserStore; ledger: LedgerStore; commits: CommitSink };
}

export interface ImportOptions {
  /** The file's name, for the report and the audit log. */
  file: string;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  dryRun: boolean;
  now?: () => Date;
  /** Progress over the records to write (password hashing is most of the time). */
  progress?: (done: number, total: number) => void;
}

export type RecordStatus = 'imported' | 'already imported' | 'would import' | 'failed';

/** One record of the file and what it became: the mapping a person checks. */
export interface MappingRow {
  place: string;
  role: 'user' | 'admin';
  legacyUsername: string;
  legacyAccount?: string;
  username: string;
  /** The new account number, once it exists. */
  account?: string;
  /** Minor units (customers). */
  balance?: number;
  history?: number;
  mustChangePassword?: true;
  signIn: string;
  status: RecordStatus;
  note?: string;
}

export interface ImportReport {
  file: string;
  sha256: string;
  dryRun: boolean;
  layout: ParsedLegacyFile['layout'];
  inFile: ParsedLegacyFile['inFile'];
  /** Written by this run (or that would be, on a dry run). */
  imported: Tally;
  /** Found in the bank from an earlier run. */
  alreadyImported: Tally;
  /** Everything of the file now in the bank (imported + already imported): what to check against the file. */
  accepted: Tally;
  mappings: MappingRow[];
  rejected: Finding[];
  changed: Finding[];
  warnings: Finding[];
  /** Whether this run wrote anything. */
  wrote: boolean;
}

export interface Tally {
  users: number;
  admins: number;
  history: number;
  /** Sum of the customers' balances, minor units. */
  balances: number;
}

const OPERATOR = { actor: 'operator', role: 'system' as const };
const ACTION = 'legacy.import';

export async function runLegacyImport(target: ImportTarget, parsed: ParsedLegacyFile, opts: ImportOptions): Promise<ImportReport> {
  const now = opts.now ?? (() => new Date());
  const aliases = await LegacyAliases.load(target.bank);
  const plan = await planImport(parsed, {
    byLegacyAccount: (a) => aliases.byLegacyAccount(a),
    byLegacyUsername: (n) => aliases.byLegacyUsername(n),
    isTaken: async (n) => (await target.bank.getUsers([n]))[0] !== undefined,
  });
  const rejected = [...parsed.rejected, ...plan.rejected];
  const changed = [...parsed.changed];
  const warnings = [...parsed.warnings];
  const rows = new Map<PlannedRecord, MappingRow>();
  for (const r of plan.records) rows.set(r, rowOf(r, r.already ? 'already imported' : opts.dryRun ? 'would import' : 'imported'));
  for (const r of plan.records) {
    if (r.source.weakPassword && !r.already) changed.push({ place: r.source.place, who: r.source.username, reason: 'password below today\'s policy: kept (the Qt client cannot change it), and bankrelay/1 asks for a new one at the next sign-in' });
    if (r.mapping !== 'kept' && !r.already) changed.push({ place: r.source.place, who: r.source.username, reason: `username "${r.source.username}" → "${r.username}": ${r.signIn}` });
  }

  // An earlier run's customers: their opening deposit must be there (a run stopped between
  // opening the account and the deposit finishes it now); say when the balance moved since.
  const deposits: { planned: PlannedRecord; customer: LegacyCustomer; account: string }[] = [];
  const write = opts.dryRun ? undefined : target.write;
  if (!opts.dryRun && !write) throw new Error('an import that writes needs a bank opened to write');
  for (const r of plan.records) {
    if (!write) break;
    if (!r.already || r.role !== 'user') continue;
    const customer = r.source as LegacyCustomer;
    const row = rows.get(r)!;
    const [account] = await write.ledger.accountStatesOf(r.username);
    if (!account) {
      row.note = 'no account in this bank';
      continue;
    }
    row.account = account.account;
    if (account.entrySeq === 0 && customer.balance > 0) {
      deposits.push({ planned: r, customer, account: account.account });
      row.note = 'opening deposit missing (an earlier run stopped): posted now';
    } else if (account.balance !== customer.balance) {
      row.note = `balance now ${account.balance} (the file says ${customer.balance}): moved since the import, left as it is`;
    }
  }

  const fresh = plan.records.filter((r) => !r.already);
  if (!write) return report(parsed, opts, plan.records, rows, rejected, changed, warnings, false);

  // Hash every new password (slow, bounded by UserStore's password slots), then write.
  const total = fresh.length * 2;
  let done = 0;
  const tick = () => opts.progress?.(++done, total);
  const importedAt = now().toISOString();
  const prepared = await Promise.all(
    fresh.map(async (r) => {
      const record = await write.users.prepare({ username: r.username, password: r.source.password, displayName: r.displayName, role: r.role, status: 'active' });
      tick();
      const legacy: LegacyRecord = {
        username: r.source.username,
        ...(r.role === 'user' && { account: (r.source as LegacyCustomer).account }),
        importedAt,
        source: opts.sha256,
        ...(r.source.weakPassword && { weakPasswordHash: record.passwordHash }),
        history: r.role === 'user' ? (r.source as LegacyCustomer).history : [],
      };
      return { planned: r, record: { ...record, legacy } satisfies UserRecord };
    }),
  );

  let wrote = false;
  const fail = (r: PlannedRecord, err: unknown) => {
    if (!isBankError(err)) throw err;
    rows.get(r)!.status = 'failed';
    rejected.push({ place: r.source.place, who: r.source.username, reason: `not written: ${err.message}` });
  };
  await Promise.all(
    prepared.map(async ({ planned, record }) => {
      const audit = importedAudit(record, planned);
      try {
        if (planned.role === 'user') {
          const account = await write.ledger.openAccount(record.username, UserStore.insertOps(record), [audit]);
          rows.get(planned)!.account = account.account;
          const customer = planned.source as LegacyCustomer;
          if (customer.balance > 0) deposits.push({ planned, customer, account: account.account });
        } else {
          await write.commits.commit(UserStore.insertOps(record), [audit]);
        }
        wrote = true;
      } catch (err) {
        fail(planned, err);
      }
      tick();
    }),
  );

  for (let i = 0; i < deposits.length; i += BATCH_MAX) {
    const chunk = deposits.slice(i, i + BATCH_MAX);
    const items = chunk.map(
      (d): MoveRequest => ({
        kind: 'deposit',
        transferId: openingTransferId(d.customer.account),
        from: CASH_ACCOUNT,
        to: d.account,
        amount: d.customer.balance,
        memo: openingMemo(d.customer.account),
        actor: OPERATOR.actor,
      }),
    );
    const results = await write.ledger.moveBatch(items, { atomic: false, audit: { ...OPERATOR, action: ACTION } });
    results.forEach((res, j) => {
      const d = chunk[j]!;
      if (res.ok) {
        if (!res.replay) wrote = true;
        return;
      }
      rows.get(d.planned)!.status = 'failed';
      rejected.push({ place: d.customer.place, who: d.customer.username, reason: `opening deposit not posted (${res.error.code}: ${res.error.message}); the user exists: import the file again to post it` });
    });
  }

  const out = report(parsed, opts, plan.records, rows, rejected, changed, warnings, wrote);
  if (wrote) {
    await write.commits.commit(
      [],
      [
        {
          ...OPERATOR,
          action: ACTION,
          target: `sha256:${opts.sha256}`,
          outcome: rejected.length > 0 ? 'partial' : 'ok',
          details: { file: opts.file, imported: out.imported, alreadyImported: out.alreadyImported, rejected: rejected.length },
        },
      ],
    );
  }
  return out;
}

/** Customer memos stay within memoSchema (140 characters, no control characters). */
function openingMemo(legacyAccount: string): string {
  return `Opening balance imported from the old bank (${legacyAccount})`.slice(0, 140);
}

function importedAudit(record: UserRecord, planned: PlannedRecord): AuditDraft {
  const legacy = record.legacy!;
  return {
    ...OPERATOR,
    action: ACTION,
    target: record.username,
    outcome: record.status,
    details: {
      role: record.role,
      displayName: record.displayName,
      legacyUsername: legacy.username,
      ...(legacy.account !== undefined && { legacyAccount: legacy.account, balance: (planned.source as LegacyCustomer).balance, history: legacy.history.length }),
      ...(legacy.weakPasswordHash !== undefined && { mustChangePassword: true }),
    },
  };
}

function rowOf(r: PlannedRecord, status: RecordStatus): MappingRow {
  const customer = r.role === 'user' ? (r.source as LegacyCustomer) : undefined;
  return {
    place: r.source.place,
    role: r.role,
    legacyUsername: r.source.username,
    ...(customer && { legacyAccount: customer.account, balance: customer.balance, history: customer.history.length }),
    username: r.username,
    ...(r.source.weakPassword && !r.already && { mustChangePassword: true as const }),
    signIn: r.signIn,
    status,
  };
}

function report(
  parsed: ParsedLegacyFile,
  opts: ImportOptions,
  records: PlannedRecord[],
  rows: Map<PlannedRecord, MappingRow>,
  rejected: Finding[],
  changed: Finding[],
  warnings: Finding[],
  wrote: boolean,
): ImportReport {
  const tally = (pick: (row: MappingRow) => boolean): Tally => {
    const t: Tally = { users: 0, admins: 0, history: 0, balances: 0 };
    for (const r of records) {
      const row = rows.get(r)!;
      if (!pick(row)) continue;
      if (row.role === 'admin') t.admins++;
      else {
        t.users++;
        t.history += row.history ?? 0;
        t.balances += row.balance ?? 0;
      }
    }
    return t;
  };
  return {
    file: opts.file,
    sha256: opts.sha256,
    dryRun: opts.dryRun,
    layout: parsed.layout,
    inFile: parsed.inFile,
    imported: tally((row) => row.status === 'imported' || row.status === 'would import'),
    alreadyImported: tally((row) => row.status === 'already imported'),
    accepted: tally((row) => row.status !== 'failed'),
    mappings: records.map((r) => rows.get(r)!),
    rejected,
    changed,
    warnings,
    wrote,
  };
}
