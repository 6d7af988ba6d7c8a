import type { FileProblem, PaymentFile, PaymentRow, RowProblem } from '../../../../../common/payments/payment-file.js';
import { runDigest } from '../../../../../common/payments/digest.js';
import type { Allowance, RunKind } from '../../../../../common/schemas/models.js';
import type { LookupItemResult } from '../../../../../common/schemas/ops.js';
import { ltr, t, tPlural } from '../../../shared/i18n.js';
import type { NewRun, RunRowStatus } from '../../../shared/runs.js';
import { formatCount, formatMoney } from './format.js';
import { nameMatches } from './name-match.js';

/*
 * The Payments screen's preview, without the page: each row of the file as the person may
 * change it (fixed, excluded), what the relay said about its payee, and what is still wrong.
 */

export interface PreviewRow {
  line: number;
  account: string;
  amount: number | null;
  memo?: string;
  name?: string;
  reference?: string;
  /** Wrong with the row as the file had it; empty once the person fixed it. */
  problems: RowProblem[];
  excluded: boolean;
  edited: boolean;
  /** The line of an earlier included row this one repeats (same account and amount, or reference). */
  duplicateOf?: number;
}

/** What the relay said about an account (account.lookupMany). */
export type PayeeLookup = { ok: true; displayName: string } | { ok: false; code: string; message: string };

export function previewRows(file: PaymentFile): PreviewRow[] {
  return withDuplicates(
    file.rows.map((r) => {
      const row: PreviewRow = { line: r.line, account: r.account, amount: r.amount, problems: r.problems, excluded: false, edited: false };
      if (r.memo !== undefined) row.memo = r.memo;
      if (r.name !== undefined) row.name = r.name;
      if (r.reference !== undefined) row.reference = r.reference;
      return row;
    }),
  );
}

export function isValidRow(row: PreviewRow): boolean {
  return row.problems.length === 0 && row.amount !== null;
}

/**
 * Marks each included valid row that repeats an earlier one's account and amount, or its
 * reference (as the file reader does, again after fixes and exclusions).
 */
export function withDuplicates(rows: readonly PreviewRow[]): PreviewRow[] {
  const payments = new Map<string, number>();
  const references = new Map<string, number>();
  return rows.map((row) => {
    const { duplicateOf: _old, ...rest } = row;
    if (row.excluded || !isValidRow(row)) return rest;
    const payment = `${row.account} ${row.amount}`;
    const earlier = [payments.get(payment), row.reference === undefined ? undefined : references.get(row.reference)].filter((l): l is number => l !== undefined);
    if (!payments.has(payment)) payments.set(payment, row.line);
    if (row.reference !== undefined && !references.has(row.reference)) references.set(row.reference, row.line);
    return earlier.length > 0 ? { ...rest, duplicateOf: Math.min(...earlier) } : rest;
  });
}

export function lookupsByAccount(results: readonly LookupItemResult[]): Map<string, PayeeLookup> {
  return new Map(
    results.map((r): [string, PayeeLookup] => [r.account, r.ok ? { ok: true, displayName: r.displayName } : { ok: false, code: r.error.code, message: r.error.message }]),
  );
}

export type IssueTone = 'error' | 'warning';
export interface RowIssue {
  tone: IssueTone;
  text: string;
}

/** Payee answers that mean the row cannot be paid. */
const PAYEE_REFUSED = new Set(['NOT_FOUND', 'ACCOUNT_FROZEN', 'BAD_REQUEST']);

/**
 * The payer's limits against the file (account.list's allowance): the relay refuses a payment
 * over `perTransfer`, and one that would take what was sent today (UTC) over `perDay`. It checks
 * each payment in turn and a refused one adds nothing, so a smaller row after a refused one may
 * still go: `overDaily` is exactly the rows the daily limit would refuse, sent in file order.
 */
export interface LimitCheck {
  allowance: Allowance;
  currency: string;
  /** What may still be sent today before this run. */
  left: number;
  /** Lines of included rows the daily limit would refuse. */
  overDaily: ReadonlySet<number>;
  /** The first of them in file order. */
  firstOverDaily?: number;
}

export function limitCheck(rows: readonly PreviewRow[], lookups: ReadonlyMap<string, PayeeLookup>, allowance: Allowance, currency: string): LimitCheck {
  const left = Math.max(0, allowance.perDay - allowance.spentToday);
  const check: LimitCheck = { allowance, currency, left, overDaily: new Set() };
  const overDaily = new Set<number>();
  let sent = 0;
  for (const row of [...rows].sort((a, b) => a.line - b.line)) {
    // Rows that cannot go (or would be refused for another reason) spend nothing.
    if (row.excluded || row.amount === null || hasError(row, lookups.get(row.account), check)) continue;
    if (sent + row.amount > left) overDaily.add(row.line);
    else sent += row.amount;
  }
  const [first] = overDaily;
  return { ...check, overDaily, ...(first !== undefined && { firstOverDaily: first }) };
}

/** What is wrong with a row (errors must be fixed or the row excluded; warnings are for the person to judge). */
export function rowIssues(row: PreviewRow, lookup: PayeeLookup | undefined, limits?: LimitCheck): RowIssue[] {
  const issues: RowIssue[] = row.problems.map((p) => ({ tone: 'error', text: rowProblemText(p) }));
  if (issues.length > 0) return issues;
  if (lookup && !lookup.ok) {
    issues.push({ tone: PAYEE_REFUSED.has(lookup.code) ? 'error' : 'warning', text: payeeProblemText(lookup) });
  } else if (lookup?.ok && row.name !== undefined && !nameMatches(row.name, lookup.displayName)) {
    issues.push({ tone: 'warning', text: t('payments_name_mismatch', row.name, lookup.displayName) });
  }
  if (limits && !row.excluded && row.amount !== null) {
    if (row.amount > limits.allowance.perTransfer) {
      issues.push({ tone: 'error', text: t('payments_over_per_transfer', formatMoney(limits.allowance.perTransfer, limits.currency)) });
    } else if (limits.overDaily.has(row.line)) {
      issues.push({ tone: 'warning', text: t('payments_over_per_day', formatMoney(limits.allowance.perDay, limits.currency)) });
    }
  }
  if (row.duplicateOf !== undefined) issues.push({ tone: 'warning', text: t('payments_duplicate_of', formatCount(row.duplicateOf)) });
  return issues;
}

export function hasError(row: PreviewRow, lookup: PayeeLookup | undefined, limits?: LimitCheck): boolean {
  return rowIssues(row, lookup, limits).some((i) => i.tone === 'error');
}

export interface PreviewTotals {
  /** Rows in the run (included). */
  rows: number;
  total: number;
  excluded: number;
  /** Included rows with an error: the run cannot be sent while there is one. */
  errors: number;
  warnings: number;
}

export function previewTotals(rows: readonly PreviewRow[], lookups: ReadonlyMap<string, PayeeLookup>, limits?: LimitCheck): PreviewTotals {
  const totals: PreviewTotals = { rows: 0, total: 0, excluded: 0, errors: 0, warnings: 0 };
  for (const row of rows) {
    if (row.excluded) {
      totals.excluded++;
      continue;
    }
    totals.rows++;
    totals.total += row.amount ?? 0;
    const issues = rowIssues(row, lookups.get(row.account), limits);
    if (issues.some((i) => i.tone === 'error')) totals.errors++;
    else if (issues.length > 0) totals.warnings++;
  }
  return totals;
}

/** The rows as the digest and the run take them: included, valid, as fixed. */
function includedPaymentRows(rows: readonly PreviewRow[]): PaymentRow[] {
  return rows
    .filter((r) => !r.excluded && isValidRow(r))
    .map((r) => ({ line: r.line, account: r.account, amount: r.amount, problems: [], ...(r.memo !== undefined && { memo: r.memo }) }));
}

/** The digest of what would be sent (the same file, fixed and excluded the same way, gives the same one). */
export function previewDigest(rows: readonly PreviewRow[]): Promise<string> {
  return runDigest(includedPaymentRows(rows));
}

export function newRunOf(rows: readonly PreviewRow[], options: { kind: RunKind; currency: string; atomic: boolean; digest: string }): NewRun {
  return {
    ...options,
    rows: rows.map((r) => ({
      line: r.line,
      account: r.account,
      amount: r.excluded ? (r.amount ?? 0) : r.amount!,
      ...(r.memo !== undefined && { memo: r.memo }),
      ...(r.name !== undefined && { name: r.name }),
      ...(r.reference !== undefined && { reference: r.reference }),
      ...(r.excluded && { excluded: true }),
    })),
  };
}

// ---- words ----------------------------------------------------------------------------

export function rowProblemText(p: RowProblem): string {
  switch (p.code) {
    case 'account_missing':
      return t('payments_problem_account_missing');
    case 'account_invalid':
      return t('payments_problem_account_invalid', ltr(p.value));
    case 'amount_missing':
      return t('payments_problem_amount_missing');
    case 'amount_invalid':
      return t('payments_problem_amount_invalid', ltr(p.value));
    case 'amount_not_positive':
      return t('payments_problem_amount_not_positive', ltr(p.value));
    case 'amount_precision':
      return p.digits === 0 ? t('payments_problem_amount_whole', ltr(p.value)) : tPlural('payments_problem_amount_precision', p.digits, ltr(p.value));
    case 'amount_too_large':
      return t('payments_problem_amount_too_large', ltr(p.value));
    case 'amount_split':
      return t('payments_problem_amount_split', ltr(p.value));
    case 'memo_too_long':
      return t('payments_problem_memo_too_long', formatCount(p.length));
    case 'memo_unsafe':
      return t('payments_problem_memo_unsafe');
    case 'name_too_long':
      return t('payments_problem_name_too_long', formatCount(p.length));
    case 'name_unsafe':
      return t('payments_problem_name_unsafe');
    case 'reference_too_long':
      return t('payments_problem_reference_too_long', formatCount(p.length));
    case 'reference_unsafe':
      return t('payments_problem_reference_unsafe');
    case 'too_many_columns':
      return t('payments_problem_too_many_columns', formatCount(p.count), formatCount(p.max));
    case 'unclosed_quote':
      return t('payments_problem_unclosed_quote');
    case 'malformed_quote':
      return t('payments_problem_malformed_quote');
  }
}

export function fileProblemText(p: FileProblem): string {
  switch (p.code) {
    case 'empty':
      return t('payments_file_empty');
    case 'not_text':
      return t('payments_file_not_text');
    case 'too_many_rows':
      return t('payments_file_too_many_rows', formatCount(p.rows), formatCount(p.max));
    case 'unknown_column':
      return p.name === '' ? t('payments_file_empty_column') : t('payments_file_unknown_column', ltr(p.name));
    case 'duplicate_column':
      return t('payments_file_duplicate_column', ltr(p.column));
    case 'no_account_column':
      return t('payments_file_no_account_column');
    case 'no_amount_column':
      return t('payments_file_no_amount_column');
  }
}

export function payeeProblemText(lookup: { code: string; message: string }): string {
  switch (lookup.code) {
    case 'NOT_FOUND':
      return t('payments_payee_not_found');
    case 'ACCOUNT_FROZEN':
      return t('payments_payee_frozen');
    case 'RATE_LIMITED':
      return t('payments_payee_budget', lookup.message);
    default:
      return lookup.message;
  }
}

export function rowStatusText(status: RunRowStatus): string {
  switch (status) {
    case 'pending':
      return t('payments_row_pending');
    case 'posted':
      return t('payments_row_posted');
    case 'failed':
      return t('payments_row_failed');
    case 'in_doubt':
      return t('payments_row_in_doubt');
    case 'excluded':
      return t('payments_row_excluded');
  }
}

export function kindText(kind: RunKind): string {
  switch (kind) {
    case 'payments':
      return t('payments_kind_payments');
    case 'deposits':
      return t('payments_kind_deposits');
    case 'withdrawals':
      return t('payments_kind_withdrawals');
  }
}
