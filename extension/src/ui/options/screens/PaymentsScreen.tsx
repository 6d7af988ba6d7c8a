import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AppState } from '../../../shared/api.js';
import { t } from '../../../shared/i18n.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { currencyOf } from '../lib/format.js';
import { NewRunFlow } from './payments/NewRunFlow.js';
import { LocalRunsPanel, RelayRunsPanel } from './payments/RunHistory.js';
import { RunPanel } from './payments/RunPanel.js';

/**
 * Bulk payments from a CSV file (a customer's payroll or supplier run), or an administrator's
 * deposits or withdrawals: upload → preview (checked here and against the relay) → confirm the
 * total → the background sends it in batches, exactly once → results, and the history of runs.
 */
export function PaymentsScreen({ state }: { state: AppState }): JSX.Element {
  const isAdmin = state.user?.role === 'admin';
  const [openRunId, setOpenRunId] = useState<string>();
  const runs = state.runs ?? [];
  const open = openRunId === undefined ? undefined : runs.find((r) => r.runId === openRunId);

  if (!state.user) {
    return (
      <>
        <ScreenHeader title={t('route_payments')} description={t('payments_description')} />
        <EmptyState title={t('payments_signed_out_title')}>{t('payments_signed_out_text')}</EmptyState>
      </>
    );
  }
  return (
    <>
      <ScreenHeader title={t('route_payments')} description={isAdmin ? t('payments_description_admin') : t('payments_description')} />
      <div class="o-stack">
        {open ? (
          <RunPanel summary={open} onClose={() => setOpenRunId(undefined)} />
        ) : (
          <NewRunFlow state={state} onStarted={setOpenRunId} onOpenRun={setOpenRunId} />
        )}
        <LocalRunsPanel runs={runs} openRunId={open?.runId} onOpen={setOpenRunId} />
        <RelayRunsPanel username={state.user.username} currency={currencyOf(state.accounts)} />
      </div>
    </>
  );
}
