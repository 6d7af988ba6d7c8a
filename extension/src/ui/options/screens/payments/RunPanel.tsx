import type { JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { runResultsCsv } from '../../../../../../common/payments/results-csv.js';
import type { LocalRun, RunSummary } from '../../../../shared/api.js';
import type { RunRowStatus } from '../../../../shared/runs.js';
import { t, tPlural } from '../../../../shared/i18n.js';
import { send } from '../../../bridge.js';
import { Button } from '../../../components/Button.js';
import { ConfirmDialog } from '../../../components/Modal.js';
import { Money } from '../../../components/Money.js';
import { Notice } from '../../../components/Notice.js';
import { Badge, type BadgeTone } from '../../components/Badge.js';
import { Panel } from '../../components/ScreenHeader.js';
import { SelectField } from '../../components/SelectField.js';
import { Pager, TableState } from '../../components/TableState.js';
import { downloadText } from '../../lib/download.js';
import { errorMessage } from '../../lib/errors.js';
import { formatAccount, formatCount, formatDateTime, formatMoney } from '../../lib/format.js';
import { useAsync } from '../../lib/hooks.js';
import { kindText, rowStatusText } from '../../lib/payments.js';
import { useLocalPages } from './local-pages.js';
import { Stat } from './NewRunFlow.js';
import { runStateText } from './RunHistory.js';

export const RESULTS_PAGE = 100;

const ROW_TONES: Record<RunRowStatus, BadgeTone> = { posted: 'ok', failed: 'danger', in_doubt: 'warn', pending: 'neutral', excluded: 'neutral' };

type Filter = 'all' | RunRowStatus;

/** A run being sent or done: progress, pause and resume, each row's result, the results file. */
export function RunPanel({ summary, onClose }: { summary: RunSummary; onClose: () => void }): JSX.Element {
  const id = `r${useId()}`;
  const [busy, setBusy] = useState<'pause' | 'resume'>();
  const [actionError, setActionError] = useState<string>();
  const [discarding, setDiscarding] = useState(false);
  const [filter, setFilter] = useState<Filter>('all');
  // The rows are read again whenever the background stores a change.
  const detail = useAsync(() => send<LocalRun>({ type: 'runs.get', runId: summary.runId }), [summary.runId, summary.updatedAt, summary.state]);
  const rows = detail.data?.rows ?? [];
  const shown = filter === 'all' ? rows : rows.filter((r) => r.status === filter);
  const pages = useLocalPages(shown, RESULTS_PAGE, [filter, summary.runId]);

  const done = summary.posted + summary.failed;
  const running = summary.state === 'running' || summary.state === 'pausing';
  const progressText = t(
    'payments_progress',
    tPlural('payments_rows_done', done, formatCount(summary.rows)),
    formatMoney(summary.sent, summary.currency),
    tPlural('payments_failures', summary.failed),
  );

  async function act(kind: 'pause' | 'resume'): Promise<void> {
    setBusy(kind);
    setActionError(undefined);
    try {
      await send<RunSummary>({ type: kind === 'pause' ? 'runs.pause' : 'runs.start', runId: summary.runId });
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  }

  function download(): void {
    const run = detail.data;
    if (!run) return;
    const day = run.createdAt.slice(0, 10);
    downloadText(`${run.kind}-run-${day}-${run.runId.slice(0, 8)}-results.csv`, runResultsCsv(run.rows, run.currency));
  }

  return (
    <Panel
      title={t('payments_run_title', kindText(summary.kind), formatDateTime(summary.createdAt))}
      id="payments-run"
      actions={
        <Button size="sm" variant="ghost" onClick={onClose}>
          {t('payments_new_run')}
        </Button>
      }
    >
      <p>
        <Badge tone={summary.state === 'done' ? (summary.failed > 0 ? 'warn' : 'ok') : summary.state === 'paused' ? 'warn' : 'accent'}>{runStateText(summary.state)}</Badge>{' '}
        {summary.atomic ? t('payments_atomic_run') : null}
      </p>
      <div class="o-progress">
        <label id={`${id}-label`} for={`${id}-bar`} class="o-progress__label">
          {progressText}
        </label>
        <progress id={`${id}-bar`} max={Math.max(1, summary.rows)} value={done} aria-labelledby={`${id}-label`} />
      </div>
      {/* Announced when the run finishes or stops, not at every batch. */}
      <p class="sr-only" role="status">
        {summary.state === 'done' || summary.state === 'paused' ? `${runStateText(summary.state)}. ${progressText}` : ''}
      </p>
      <dl class="o-stats o-stats--money">
        <Stat label={t('payments_stat_total')} value={formatMoney(summary.total, summary.currency)} sub={tPlural('payments_rows_count', summary.rows)} />
        <Stat label={t('payments_stat_sent')} value={formatMoney(summary.sent, summary.currency)} sub={tPlural('payments_posted_count', summary.posted)} />
        <Stat label={t('payments_stat_failed')} value={formatCount(summary.failed)} />
        <Stat label={t('payments_stat_in_doubt')} value={formatCount(summary.inDoubt)} sub={summary.pending > 0 ? tPlural('payments_pending_count', summary.pending) : undefined} />
      </dl>
      {summary.problem && !running ? (
        <Notice tone="warning" title={t('payments_run_stopped')}>
          {summary.problem.message}
        </Notice>
      ) : null}
      {summary.inDoubt > 0 && !running ? <Notice tone="warning">{t('payments_in_doubt_note')}</Notice> : null}
      {actionError ? <Notice tone="error">{actionError}</Notice> : null}
      <div class="o-form__actions">
        {running ? (
          <Button onClick={() => void act('pause')} loading={busy === 'pause' || summary.state === 'pausing'} loadingText={t('payments_pausing')}>
            {t('payments_pause')}
          </Button>
        ) : summary.state !== 'done' ? (
          <Button variant="primary" onClick={() => void act('resume')} loading={busy === 'resume'} loadingText={t('payments_resuming')}>
            {summary.state === 'ready' ? t('payments_start') : t('payments_resume')}
          </Button>
        ) : null}
        <Button onClick={download} disabled={!detail.data}>
          {t('payments_download_results')}
        </Button>
        {!running ? (
          <Button variant="danger" onClick={() => setDiscarding(true)}>
            {t('payments_discard')}
          </Button>
        ) : null}
      </div>
      <div class="o-field--short">
        <SelectField
          label={t('payments_results_filter')}
          value={filter}
          onValue={(v) => setFilter(v as Filter)}
          options={(['all', 'posted', 'failed', 'in_doubt', 'pending', 'excluded'] as const).map((f) => ({ value: f, label: f === 'all' ? t('payments_filter_all') : rowStatusText(f) }))}
        />
      </div>
      <TableState
        label={t('payments_results_table')}
        loading={detail.loading}
        error={detail.error}
        onRetry={detail.reload}
        count={shown.length}
        emptyTitle={t('payments_results_empty')}
      >
        <table class="o-table">
          <caption class="sr-only">{t('payments_results_caption', formatCount(pages.page))}</caption>
          <thead>
            <tr>
              <th scope="col" class="o-num">
                {t('payments_col_line')}
              </th>
              <th scope="col">{t('payments_col_account')}</th>
              <th scope="col">{t('payments_col_name')}</th>
              <th scope="col" class="o-num">
                {t('common_amount')}
              </th>
              <th scope="col">{t('payments_col_memo')}</th>
              <th scope="col">{t('payments_col_result')}</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((r) => (
              <tr key={r.transferId}>
                <td class="o-num">{formatCount(r.line)}</td>
                <td class="o-mono" dir="ltr">
                  {formatAccount(r.account)}
                </td>
                <td class="o-wrap">{r.name ?? <span class="o-muted">{t('common_none_dash')}</span>}</td>
                <td class="o-num">
                  <Money minor={r.amount} currency={summary.currency} />
                </td>
                <td class="o-wrap">{r.memo ?? <span class="o-muted">{t('common_none_dash')}</span>}</td>
                <td class="o-wrap">
                  <Badge tone={ROW_TONES[r.status]}>{rowStatusText(r.status)}</Badge>
                  {r.error ? <span class="o-cell-sub">{r.error.message}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableState>
      <Pager pages={pages} label={t('payments_results_pager')} shown={tPlural('payments_rows_count', shown.length)} />
      <ConfirmDialog
        open={discarding}
        title={t('payments_discard_title')}
        confirmLabel={t('payments_discard')}
        onConfirm={async () => {
          await send({ type: 'runs.discard', runId: summary.runId });
          setDiscarding(false);
          onClose();
        }}
        onCancel={() => setDiscarding(false)}
      >
        <p>{summary.state === 'done' ? t('payments_discard_done_text') : t('payments_discard_text')}</p>
      </ConfirmDialog>
    </Panel>
  );
}
