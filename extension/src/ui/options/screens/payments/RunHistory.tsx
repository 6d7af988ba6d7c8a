import type { JSX } from 'preact';
import type { Run } from '../../../../../../common/schemas/models.js';
import type { RunPage, RunSummary } from '../../../../shared/api.js';
import type { RunState } from '../../../../shared/runs.js';
import { t, tPlural } from '../../../../shared/i18n.js';
import { send } from '../../../bridge.js';
import { Button } from '../../../components/Button.js';
import { Money } from '../../../components/Money.js';
import { Badge } from '../../components/Badge.js';
import { Panel } from '../../components/ScreenHeader.js';
import { Pager, TableState } from '../../components/TableState.js';
import { formatCount, formatDateTime, formatDateTimeShort } from '../../lib/format.js';
import { useCursorPages, type CursorPages } from '../../lib/hooks.js';
import { kindText } from '../../lib/payments.js';

export const RUNS_PAGE = 20;

export function runStateText(state: RunState): string {
  switch (state) {
    case 'ready':
      return t('payments_state_ready');
    case 'running':
      return t('payments_state_running');
    case 'pausing':
      return t('payments_state_pausing');
    case 'paused':
      return t('payments_state_paused');
    case 'done':
      return t('payments_state_done');
  }
}

/** The person's runs kept in this browser (until they sign out): open one to follow, resume or download it. */
export function LocalRunsPanel({ runs, openRunId, onOpen }: { runs: readonly RunSummary[]; openRunId: string | undefined; onOpen: (runId: string) => void }): JSX.Element {
  return (
    <Panel title={t('payments_local_title')} id="payments-local">
      <p class="o-muted o-note">{t('payments_local_note')}</p>
      <TableState label={t('payments_local_table')} loading={false} error={undefined} count={runs.length} emptyTitle={t('payments_local_empty')}>
        <table class="o-table">
          <thead>
            <tr>
              <th scope="col">{t('payments_col_created')}</th>
              <th scope="col">{t('payments_col_kind')}</th>
              <th scope="col" class="o-num">
                {t('payments_col_rows')}
              </th>
              <th scope="col" class="o-num">
                {t('payments_col_total')}
              </th>
              <th scope="col">{t('payments_col_progress')}</th>
              <th scope="col">{t('payments_col_state')}</th>
              <th scope="col">
                <span class="sr-only">{t('payments_col_actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const when = formatDateTime(r.createdAt);
              return (
                <tr key={r.runId} aria-current={r.runId === openRunId ? 'true' : undefined}>
                  <td class="o-nowrap">{when}</td>
                  <td>{kindText(r.kind)}</td>
                  <td class="o-num">{formatCount(r.rows)}</td>
                  <td class="o-num">
                    <Money minor={r.total} currency={r.currency} />
                  </td>
                  <td>
                    {tPlural('payments_posted_of', r.posted, formatCount(r.rows))}
                    {r.failed > 0 ? `${t('common_list_separator')}${tPlural('payments_failures', r.failed)}` : ''}
                    {r.inDoubt > 0 ? `${t('common_list_separator')}${tPlural('payments_in_doubt_count', r.inDoubt)}` : ''}
                  </td>
                  <td>
                    <Badge tone={r.state === 'done' ? 'ok' : r.state === 'paused' ? 'warn' : 'accent'}>{runStateText(r.state)}</Badge>
                  </td>
                  <td>
                    <Button size="sm" variant="ghost" onClick={() => onOpen(r.runId)} aria-label={t('payments_open_run_of', when)}>
                      {r.state === 'paused' || r.state === 'ready' ? t('payments_resume') : t('payments_open_run')}
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableState>
    </Panel>
  );
}

/** The person's runs as the relay recorded them (also those made in another browser). */
export function RelayRunsPanel({ username, currency }: { username: string; currency: string }): JSX.Element {
  const pages = useCursorPages((cursor) => send<RunPage>({ type: 'runs.history', scope: 'own', limit: RUNS_PAGE, ...(cursor !== undefined && { cursor }) }), [username]);
  return (
    <Panel title={t('payments_history_title')} id="payments-history" actions={<Button size="sm" variant="ghost" onClick={pages.reload}>{t('common_refresh')}</Button>}>
      <RunsTable pages={pages} label={t('payments_history_table')} showOwner={false} currency={currency} />
    </Panel>
  );
}

/** Customers' recent runs (Transactions, for administrators): who, when, rows, total, posted, failed. */
export function AllRunsPanel({ currency }: { currency: string }): JSX.Element {
  const pages = useCursorPages((cursor) => send<RunPage>({ type: 'runs.history', scope: 'all', limit: RUNS_PAGE, ...(cursor !== undefined && { cursor }) }), []);
  return (
    <Panel title={t('payments_all_runs_title')} id="transactions-runs" actions={<Button size="sm" variant="ghost" onClick={pages.reload}>{t('common_refresh')}</Button>}>
      <RunsTable pages={pages} label={t('payments_all_runs_table')} showOwner currency={currency} />
    </Panel>
  );
}

function RunsTable({ pages, label, showOwner, currency }: { pages: CursorPages<RunPage>; label: string; showOwner: boolean; currency: string }): JSX.Element {
  const runs: Run[] = pages.data?.runs ?? [];
  return (
    <>
      <TableState label={label} loading={pages.loading} error={pages.error} onRetry={pages.reload} count={runs.length} emptyTitle={t('payments_history_empty')}>
        <table class="o-table">
          <thead>
            <tr>
              {showOwner ? <th scope="col">{t('payments_col_owner')}</th> : null}
              <th scope="col">{t('payments_col_created')}</th>
              <th scope="col">{t('payments_col_kind')}</th>
              <th scope="col" class="o-num">
                {t('payments_col_rows')}
              </th>
              <th scope="col" class="o-num">
                {t('payments_col_total')}
              </th>
              <th scope="col" class="o-num">
                {t('payments_col_posted')}
              </th>
              <th scope="col" class="o-num">
                {t('payments_col_sent')}
              </th>
              <th scope="col" class="o-num">
                {t('payments_col_failed')}
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId}>
                {showOwner ? (
                  <td>
                    <bdi>{r.owner}</bdi>
                  </td>
                ) : null}
                <td class="o-nowrap" title={formatDateTime(r.createdAt)}>
                  {formatDateTimeShort(r.createdAt)}
                </td>
                <td>
                  {kindText(r.kind)}
                  {r.atomic ? <span class="o-cell-sub">{t('payments_atomic_run')}</span> : null}
                </td>
                <td class="o-num">{formatCount(r.rows)}</td>
                <td class="o-num">
                  <Money minor={r.total} currency={currency} />
                </td>
                <td class="o-num">{formatCount(r.posted)}</td>
                <td class="o-num">
                  <Money minor={r.sent} currency={currency} />
                </td>
                <td class="o-num">{formatCount(r.failed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableState>
      <Pager pages={pages} label={t('payments_history_pager')} shown={tPlural('payments_runs_count', runs.length)} />
    </>
  );
}
