import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { CASH_ACCOUNT, isValidAccountNumber, normalizeAccountNumber } from '../../../../../common/account-number.js';
import type { Transfer } from '../../../../../common/schemas/models.js';
import type { AppState } from '../../../shared/api.js';
import { t, tPlural } from '../../../shared/i18n.js';
import { call } from '../../bridge.js';
import { Button } from '../../components/Button.js';
import { Money } from '../../components/Money.js';
import { Notice } from '../../components/Notice.js';
import { TextField } from '../../components/TextField.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { Pager, TableState } from '../components/TableState.js';
import { transfersCsv } from '../lib/csv.js';
import { parseDateRange } from '../lib/dates.js';
import { downloadText } from '../lib/download.js';
import { errorMessage } from '../lib/errors.js';
import { currencyOf, formatAccount, formatCount, formatDateTime } from '../lib/format.js';
import { useCursorPages } from '../lib/hooks.js';
import { EXPORT_PAGE, collectTransfers } from '../lib/paging.js';
import { AllRunsPanel } from './payments/RunHistory.js';

export const TRANSACTIONS_PAGE = 50;

interface Filters {
  account?: string;
  since?: string;
  until?: string;
}

function filterArgs(f: Filters) {
  return {
    ...(f.account !== undefined && { account: f.account }),
    ...(f.since !== undefined && { since: f.since }),
    ...(f.until !== undefined && { until: f.until }),
  };
}

/** Every posted transfer, newest first, filtered by account and days; exportable as CSV. */
export function TransactionsScreen({ state }: { state: AppState }): JSX.Element {
  const currency = currencyOf(state.accounts);
  const [form, setForm] = useState({ account: '', from: '', to: '' });
  const [errors, setErrors] = useState<{ account?: string; from?: string; to?: string }>({});
  const [filters, setFilters] = useState<Filters>({});
  const [exporting, setExporting] = useState<number>();
  const [exportResult, setExportResult] = useState<{ tone: 'success' | 'info' | 'error'; text: string }>();

  const pages = useCursorPages(
    (cursor) => call('admin.transfer.list', { ...filterArgs(filters), limit: TRANSACTIONS_PAGE, ...(cursor !== undefined && { cursor }) }),
    [filters],
  );
  const transfers = pages.data?.transfers ?? [];

  function apply(e: Event): void {
    e.preventDefault();
    const found: typeof errors = {};
    const account = form.account.trim() === '' ? undefined : normalizeAccountNumber(form.account);
    if (account !== undefined && !isValidAccountNumber(account)) found.account = t('transactions_account_invalid');
    const range = parseDateRange({ from: form.from, to: form.to });
    Object.assign(found, range.errors);
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    setExportResult(undefined);
    setFilters({
      ...(account !== undefined && { account }),
      ...(range.since !== undefined && { since: range.since }),
      ...(range.until !== undefined && { until: range.until }),
    });
  }

  async function exportCsv(): Promise<void> {
    setExportResult(undefined);
    setExporting(0);
    try {
      const all = await collectTransfers(
        (cursor) => call('admin.transfer.list', { ...filterArgs(filters), limit: EXPORT_PAGE, ...(cursor !== undefined && { cursor }) }),
        setExporting,
      );
      if (all.length === 0) {
        setExportResult({ tone: 'info', text: t('transactions_export_nothing') });
        return;
      }
      const day = new Date().toISOString().slice(0, 10);
      downloadText(`transactions-${filters.account ?? 'all'}-${day}.csv`, transfersCsv(all, currency));
      setExportResult({ tone: 'success', text: tPlural('transactions_export_saved', all.length) });
    } catch (err) {
      setExportResult({ tone: 'error', text: errorMessage(err) });
    } finally {
      setExporting(undefined);
    }
  }

  const filtered = filters.account !== undefined || filters.since !== undefined || filters.until !== undefined;
  return (
    <>
      <ScreenHeader
        title={t('route_transactions')}
        description={t('transactions_description')}
        actions={
          <Button onClick={() => void exportCsv()} loading={exporting !== undefined} loadingText={t('transactions_exporting', formatCount(exporting ?? 0))}>
            {t('export_csv')}
          </Button>
        }
      />
      <form class="o-filters" role="search" aria-label={t('transactions_filter_label')} onSubmit={apply} noValidate>
        <TextField
          label={t('transactions_account')}
          value={form.account}
          onValue={(account) => setForm((f) => ({ ...f, account }))}
          error={errors.account}
          placeholder={t('transactions_account_placeholder')}
          spellcheck={false}
          autoComplete="off"
          dir="ltr"
        />
        <TextField label={t('common_from')} type="date" value={form.from} onValue={(from) => setForm((f) => ({ ...f, from }))} error={errors.from} />
        <TextField label={t('common_to')} type="date" value={form.to} onValue={(to) => setForm((f) => ({ ...f, to }))} error={errors.to} />
        <div class="o-filters__actions">
          <Button type="submit">{t('common_apply')}</Button>
          {filtered ? (
            <Button
              variant="ghost"
              onClick={() => {
                setForm({ account: '', from: '', to: '' });
                setErrors({});
                setFilters({});
              }}
            >
              {t('common_clear')}
            </Button>
          ) : null}
        </div>
      </form>
      {exportResult ? <Notice tone={exportResult.tone}>{exportResult.text}</Notice> : null}
      <TableState
        label={t('transactions_table_label')}
        loading={pages.loading}
        error={pages.error}
        count={transfers.length}
        onRetry={pages.reload}
        loadingLabel={t('transactions_loading')}
        emptyTitle={filtered ? t('transactions_empty_filtered_title') : t('transactions_empty_title')}
        emptyText={filtered ? t('transactions_empty_filtered_text') : t('transactions_empty_text')}
      >
        <table class="o-table">
          <caption class="sr-only">{t('transactions_caption', formatCount(pages.page))}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit_col_time')}</th>
              <th scope="col">{t('common_from')}</th>
              <th scope="col">{t('common_to')}</th>
              <th scope="col" class="o-num">
                {t('common_amount')}
              </th>
              <th scope="col">{t('send_review_memo')}</th>
              <th scope="col">{t('transactions_col_id')}</th>
            </tr>
          </thead>
          <tbody>
            {transfers.map((t) => (
              <TransferRow key={t.id} transfer={t} currency={currency} />
            ))}
          </tbody>
        </table>
      </TableState>
      <Pager
        pages={pages}
        label={t('transactions_pager_label')}
        shown={tPlural('transfers_count', transfers.length)}
      />
      <AllRunsPanel currency={currency} />
    </>
  );
}

function AccountCell({ account }: { account: string }): JSX.Element {
  if (account === CASH_ACCOUNT) return <span title={formatAccount(account)}>{t('transactions_bank_cash')}</span>;
  return (
    <span class="o-mono" dir="ltr">
      {formatAccount(account)}
    </span>
  );
}

function TransferRow({ transfer, currency }: { transfer: Transfer; currency: string }): JSX.Element {
  return (
    <tr>
      <td class="o-nowrap">{formatDateTime(transfer.ts)}</td>
      <td>
        <AccountCell account={transfer.from} />
      </td>
      <td>
        <AccountCell account={transfer.to} />
      </td>
      <td class="o-num">
        <Money minor={transfer.amount} currency={currency} />
      </td>
      <td class="o-wrap">{transfer.memo ?? <span class="o-muted">{t('common_none_dash')}</span>}</td>
      <td class="o-mono" title={transfer.id}>
        {transfer.id.slice(0, 8)}…
      </td>
    </tr>
  );
}
