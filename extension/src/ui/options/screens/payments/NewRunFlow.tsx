import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { fractionDigitsOf } from '../../../../../../common/money.js';
import { parsePaymentFile, type PaymentFile } from '../../../../../../common/payments/payment-file.js';
import type { Allowance, RunKind } from '../../../../../../common/schemas/models.js';
import { BATCH_MAX } from '../../../../../../common/schemas/ops.js';
import type { AppState, PreviewLookups, RunsFound, RunSummary } from '../../../../shared/api.js';
import { t, tPlural } from '../../../../shared/i18n.js';
import { call, send } from '../../../bridge.js';
import { Button } from '../../../components/Button.js';
import { ConfirmDialog } from '../../../components/Modal.js';
import { Notice } from '../../../components/Notice.js';
import { CheckboxField } from '../../components/CheckboxField.js';
import { Panel } from '../../components/ScreenHeader.js';
import { errorMessage } from '../../lib/errors.js';
import { currencyOf, formatCount, formatDateTime, formatMoney } from '../../lib/format.js';
import {
  fileProblemText,
  isValidRow,
  limitCheck,
  lookupsByAccount,
  newRunOf,
  previewDigest,
  previewRows,
  previewTotals,
  withDuplicates,
  type PayeeLookup,
  type PreviewRow,
} from '../../lib/payments.js';
import { EditRowDialog } from './EditRowDialog.js';
import { PreviewTable } from './PreviewTable.js';
import { UploadPanel } from './UploadPanel.js';

type Lookups = { state: 'idle' | 'loading' | 'done'; error?: string; remaining?: number };
/** The payer's limits and today's spending (account.list), for payments only. */
type Limits = { state: 'idle' | 'loading' } | { state: 'done'; allowance: Allowance | undefined } | { state: 'failed'; error: string };
type Found = { state: 'idle' | 'loading' } | { state: 'done'; found: RunsFound } | { state: 'failed'; error: string };

/** Upload or paste → preview and fix → confirm the total → the run is created and started. */
export function NewRunFlow({ state, onStarted, onOpenRun }: { state: AppState; onStarted: (runId: string) => void; onOpenRun: (runId: string) => void }): JSX.Element {
  const isAdmin = state.user?.role === 'admin';
  const currency = currencyOf(state.accounts);
  const [kind, setKind] = useState<RunKind>(isAdmin ? 'deposits' : 'payments');
  const [file, setFile] = useState<{ parsed: PaymentFile; name: string }>();
  const [rows, setRows] = useState<PreviewRow[]>([]);
  const [lookups, setLookups] = useState<Map<string, PayeeLookup>>(new Map());
  const [lookupState, setLookupState] = useState<Lookups>({ state: 'idle' });
  const [limits, setLimits] = useState<Limits>({ state: 'idle' });
  const [digest, setDigest] = useState<string>();
  const [found, setFound] = useState<Found>({ state: 'idle' });
  const [acknowledged, setAcknowledged] = useState(false);
  const [atomic, setAtomic] = useState(false);
  const [editing, setEditing] = useState<PreviewRow>();
  const [confirming, setConfirming] = useState(false);
  const [attempted, setAttempted] = useState(false);
  /** The run made by a confirmation whose start then failed: trying again starts it, never a second one. */
  const [createdRunId, setCreatedRunId] = useState<string>();

  const allowance = kind === 'payments' && limits.state === 'done' ? limits.allowance : undefined;
  const checked = useMemo(() => (allowance ? limitCheck(rows, lookups, allowance, currency) : undefined), [rows, lookups, allowance, currency]);
  const totals = useMemo(() => previewTotals(rows, lookups, checked), [rows, lookups, checked]);
  // A run made for other choices is not the one to start.
  useEffect(() => setCreatedRunId(undefined), [kind, atomic]);

  async function lookUp(accounts: string[]): Promise<void> {
    const distinct = [...new Set(accounts)];
    if (distinct.length === 0) return;
    setLookupState((s) => ({ ...s, state: 'loading' }));
    try {
      const answer = await send<PreviewLookups>({ type: 'payments.lookup', accounts: distinct });
      setLookups((m) => new Map([...m, ...lookupsByAccount(answer.results)]));
      setLookupState({ state: 'done', remaining: answer.remaining });
    } catch (err) {
      setLookupState({ state: 'done', error: errorMessage(err) });
    }
  }

  /** What the relay would hold this run to: asked anew for each file, as today's spending moves. */
  async function fetchLimits(): Promise<void> {
    setLimits({ state: 'loading' });
    try {
      setLimits({ state: 'done', allowance: (await call('account.list', {}))?.allowance });
    } catch (err) {
      setLimits({ state: 'failed', error: errorMessage(err) });
    }
  }

  function read(text: string, name: string): void {
    const parsed = parsePaymentFile(text, { fractionDigits: fractionDigitsOf(currency) });
    const fresh = previewRows(parsed);
    setFile({ parsed, name });
    setRows(fresh);
    setLookups(new Map());
    setLookupState({ state: 'idle' });
    setAcknowledged(false);
    setAttempted(false);
    setAtomic(false);
    setCreatedRunId(undefined);
    setLimits({ state: 'idle' });
    if (kind === 'payments' && parsed.problems.length === 0) void fetchLimits();
    void lookUp(fresh.filter(isValidRow).map((r) => r.account));
  }

  function update(next: PreviewRow[]): void {
    setRows(withDuplicates(next));
    setAttempted(false);
    setCreatedRunId(undefined);
  }

  // The digest of what would be sent, and the runs of the same rows made before.
  useEffect(() => {
    let current = true;
    if (!rows.some((r) => !r.excluded && isValidRow(r))) {
      setDigest(undefined);
      return;
    }
    void previewDigest(rows).then((d) => current && setDigest(d));
    return () => {
      current = false;
    };
  }, [rows]);

  useEffect(() => {
    let current = true;
    setAcknowledged(false);
    if (digest === undefined) {
      setFound({ state: 'idle' });
      return;
    }
    setFound({ state: 'loading' });
    send<RunsFound>({ type: 'runs.find', digest }).then(
      (f) => current && setFound({ state: 'done', found: f }),
      (err: unknown) => current && setFound({ state: 'failed', error: errorMessage(err) }),
    );
    return () => {
      current = false;
    };
  }, [digest]);

  const earlier = found.state === 'done' ? found.found : undefined;
  const seenBefore = earlier !== undefined && (earlier.relay.length > 0 || earlier.local.length > 0);
  const atomicAllowed = totals.rows <= BATCH_MAX;
  const balance = state.accounts[0]?.balance;
  const balanceAfter = kind === 'payments' && balance !== undefined ? balance - totals.total : undefined;

  const blockers: string[] = [];
  if (totals.rows === 0) blockers.push(t('payments_blocker_no_rows'));
  if (totals.errors > 0) blockers.push(tPlural('payments_blocker_errors', totals.errors));
  if (seenBefore && !acknowledged) blockers.push(t('payments_blocker_acknowledge'));
  if (found.state === 'loading' || digest === undefined) blockers.push(t('payments_blocker_checking'));

  async function confirm(): Promise<void> {
    let runId = createdRunId;
    if (runId === undefined) {
      const run = newRunOf(rows, { kind, currency, atomic: atomic && atomicAllowed, digest: digest! });
      runId = (await send<RunSummary>({ type: 'runs.create', run })).runId;
      setCreatedRunId(runId);
    }
    await send<RunSummary>({ type: 'runs.start', runId });
    setConfirming(false);
    setFile(undefined);
    setRows([]);
    setCreatedRunId(undefined);
    onStarted(runId);
  }

  if (!file) return <UploadPanel isAdmin={isAdmin} kind={kind} onKind={setKind} onText={read} />;

  if (file.parsed.problems.length > 0) {
    return (
      <>
        <UploadPanel isAdmin={isAdmin} kind={kind} onKind={setKind} onText={read} />
        <Notice tone="error" title={t('payments_file_refused_title')}>
          <ul class="o-list">
            {file.parsed.problems.map((p, i) => (
              <li key={i}>{fileProblemText(p)}</li>
            ))}
          </ul>
        </Notice>
      </>
    );
  }

  const totalText = formatMoney(totals.total, currency);
  return (
    <>
      <Panel
        title={t('payments_preview_title')}
        id="payments-preview"
        actions={
          <Button size="sm" variant="ghost" onClick={() => setFile(undefined)}>
            {t('payments_start_over')}
          </Button>
        }
      >
        <p class="o-muted">
          {file.name ? t('payments_preview_of_file', file.name) : t('payments_preview_of_paste')} {tPlural('payments_rows_read', file.parsed.rows.length)}
        </p>
        {lookupState.state === 'loading' ? <p role="status">{t('payments_checking_payees')}</p> : null}
        {lookupState.error ? <Notice tone="warning" title={t('payments_lookup_failed')}>{lookupState.error}</Notice> : null}
        <PreviewTable
          rows={rows}
          lookups={lookups}
          limits={checked}
          currency={currency}
          onExclude={(line, excluded) => update(rows.map((r) => (r.line === line ? { ...r, excluded } : r)))}
          onEdit={setEditing}
        />
      </Panel>
      <Panel title={t('payments_summary_title')} id="payments-summary">
        <dl class="o-stats o-stats--money">
          <Stat label={t('payments_stat_rows')} value={formatCount(totals.rows)} sub={totals.excluded > 0 ? tPlural('payments_excluded_count', totals.excluded) : undefined} />
          <Stat label={t('payments_stat_total')} value={totalText} />
          {balanceAfter !== undefined ? <Stat label={t('payments_stat_balance_after')} value={formatMoney(balanceAfter, currency)} /> : null}
          {checked ? (
            <Stat
              label={t('payments_stat_left_today')}
              value={formatMoney(checked.left, currency)}
              sub={t('payments_limits_of', formatMoney(checked.allowance.perDay, currency), formatMoney(checked.allowance.perTransfer, currency))}
            />
          ) : null}
        </dl>
        {balanceAfter !== undefined && balanceAfter < 0 ? <Notice tone="warning">{t('payments_over_balance')}</Notice> : null}
        {checked?.firstOverDaily !== undefined ? (
          <Notice tone="warning" title={t('payments_daily_limit_title')}>
            {t('payments_daily_limit_first', formatCount(checked.firstOverDaily), formatMoney(checked.left, currency), formatMoney(checked.allowance.perDay, currency))}
          </Notice>
        ) : null}
        {limits.state === 'failed' ? <Notice tone="warning" title={t('payments_limits_failed')}>{limits.error}</Notice> : null}
        {kind === 'payments' ? null : <p class="o-muted o-note">{t('payments_limits_note_admin')}</p>}
        {found.state === 'failed' ? <Notice tone="warning" title={t('payments_find_failed')}>{found.error}</Notice> : null}
        {seenBefore && earlier ? (
          <Notice tone="warning" title={t('payments_seen_before_title')}>
            <ul class="o-list">
              {earlier.relay.map((r) => (
                <li key={r.runId}>
                  {t('payments_seen_before_relay', formatDateTime(r.createdAt), tPlural('payments_posted_of', r.posted, formatCount(r.rows)), formatMoney(r.sent, currency), formatCount(r.failed))}
                </li>
              ))}
              {earlier.local
                .filter((l) => !earlier.relay.some((r) => r.runId === l.runId))
                .map((l) => (
                  <li key={l.runId}>
                    {t('payments_seen_before_local', formatDateTime(l.createdAt))}{' '}
                    <Button size="sm" variant="ghost" onClick={() => onOpenRun(l.runId)}>
                      {t('payments_open_run')}
                    </Button>
                  </li>
                ))}
            </ul>
            <CheckboxField label={t('payments_seen_before_ack')} checked={acknowledged} onChecked={setAcknowledged} />
          </Notice>
        ) : null}
        <CheckboxField
          label={t('payments_atomic_label')}
          checked={atomic && atomicAllowed}
          onChecked={setAtomic}
          disabled={!atomicAllowed}
          hint={atomicAllowed ? t('payments_atomic_hint') : t('payments_atomic_too_many', formatCount(BATCH_MAX))}
        />
        {attempted && blockers.length > 0 ? (
          <Notice tone="error">
            <ul class="o-list">
              {blockers.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          </Notice>
        ) : null}
        <div class="o-form__actions">
          <Button
            variant="primary"
            onClick={() => {
              setAttempted(true);
              if (blockers.length === 0) setConfirming(true);
            }}
          >
            {t('payments_review_send')}
          </Button>
        </div>
      </Panel>
      {editing ? (
        <EditRowDialog
          row={editing}
          currency={currency}
          onClose={() => setEditing(undefined)}
          onSave={(fixed) => {
            setEditing(undefined);
            update(rows.map((r) => (r.line === fixed.line ? fixed : r)));
            if (!lookups.has(fixed.account)) void lookUp([fixed.account]);
          }}
        />
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={t('payments_confirm_title')}
        tone="primary"
        confirmLabel={t('payments_confirm_send', totalText)}
        onConfirm={confirm}
        onCancel={() => setConfirming(false)}
      >
        <p>{confirmText(kind, totals.rows, totalText)}</p>
        {atomic && atomicAllowed ? <p>{t('payments_confirm_atomic')}</p> : null}
      </ConfirmDialog>
    </>
  );
}

function confirmText(kind: RunKind, rows: number, total: string): string {
  switch (kind) {
    case 'payments':
      return tPlural('payments_confirm_payments', rows, total);
    case 'deposits':
      return tPlural('payments_confirm_deposits', rows, total);
    case 'withdrawals':
      return tPlural('payments_confirm_withdrawals', rows, total);
  }
}

export function Stat({ label, value, sub }: { label: string; value: string; sub?: string | undefined }): JSX.Element {
  return (
    <div class="o-stat">
      <dt class="o-stat__label">{label}</dt>
      <dd class="o-stat__value">{value}</dd>
      {sub ? <dd class="o-stat__sub">{sub}</dd> : null}
    </div>
  );
}
