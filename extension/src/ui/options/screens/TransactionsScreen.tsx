import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { CASH_ACCOUNT, isValidAccountNumber, normalizeAccountNumber } from '../../../../../common/account-number.js';
import type { Transfer } from '../../../../../common/schemas/models.js';
import type { AppState } from '../../../shared/api.js';
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
import { currencyOf, formatAccount, formatDateTime } from '../lib/format.js';
import { useCursorPages } from '../lib/hooks.js';
import { EXPORT_PAGE, collectTransfers } from '../lib/paging.js';
import { plural } from '../lib/text.js';

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
    if (account !== undefined && !isValidAccountNumber(account)) found.account = 'Not a valid account number (check the digits), e.g. DB18 0000 0000 01';
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
        setExportResult({ tone: 'info', text: 'No transfers match these filters, so there is nothing to export.' });
        return;
      }
      const day = new Date().toISOString().slice(0, 10);
      downloadText(`transactions-${filters.account ?? 'all'}-${day}.csv`, transfersCsv(all, currency));
      setExportResult({ tone: 'success', text: `Saved ${plural(all.length, 'transfer')} as CSV.` });
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
        title="Transactions"
        description="Every posted transfer, deposit and withdrawal, newest first."
        actions={
          <Button onClick={() => void exportCsv()} loading={exporting !== undefined} loadingText={`Exporting… ${exporting ?? 0}`}>
            Export CSV
          </Button>
        }
      />
      <form class="o-filters" role="search" aria-label="Filter transactions" onSubmit={apply} noValidate>
        <TextField
          label="Account"
          value={form.account}
          onValue={(account) => setForm((f) => ({ ...f, account }))}
          error={errors.account}
          placeholder="DB18 0000 0000 01"
          spellcheck={false}
          autoComplete="off"
        />
        <TextField label="From" type="date" value={form.from} onValue={(from) => setForm((f) => ({ ...f, from }))} error={errors.from} />
        <TextField label="To" type="date" value={form.to} onValue={(to) => setForm((f) => ({ ...f, to }))} error={errors.to} />
        <div class="o-filters__actions">
          <Button type="submit">Apply</Button>
          {filtered ? (
            <Button
              variant="ghost"
              onClick={() => {
                setForm({ account: '', from: '', to: '' });
                setErrors({});
                setFilters({});
              }}
            >
              Clear
            </Button>
          ) : null}
        </div>
      </form>
      {exportResult ? <Notice tone={exportResult.tone}>{exportResult.text}</Notice> : null}
      <TableState
        label="Transfers"
        loading={pages.loading}
        error={pages.error}
        count={transfers.length}
        onRetry={pages.reload}
        loadingLabel="Loading transfers…"
        emptyTitle={filtered ? 'No transfers match' : 'No transfers yet'}
        emptyText={filtered ? 'Try another account or other days.' : 'Transfers appear here once money moves.'}
      >
        <table class="o-table">
          <caption class="sr-only">Transfers, page {pages.page}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col" class="o-num">
                Amount
              </th>
              <th scope="col">Memo</th>
              <th scope="col">Transfer id</th>
            </tr>
          </thead>
          <tbody>
            {transfers.map((t) => (
              <TransferRow key={t.id} transfer={t} currency={currency} />
            ))}
          </tbody>
        </table>
      </TableState>
      <Pager page={pages.page} hasPrevious={pages.hasPrevious} hasNext={pages.hasNext} onPrevious={pages.previous} onNext={pages.next} noun="transfers" shown={transfers.length} />
    </>
  );
}

function AccountCell({ account }: { account: string }): JSX.Element {
  if (account === CASH_ACCOUNT) return <span title={formatAccount(account)}>Bank cash</span>;
  return <span class="o-mono">{formatAccount(account)}</span>;
}

function TransferRow({ transfer: t, currency }: { transfer: Transfer; currency: string }): JSX.Element {
  return (
    <tr>
      <td class="o-nowrap">{formatDateTime(t.ts)}</td>
      <td>
        <AccountCell account={t.from} />
      </td>
      <td>
        <AccountCell account={t.to} />
      </td>
      <td class="o-num">
        <Money minor={t.amount} currency={currency} />
      </td>
      <td class="o-wrap">{t.memo ?? <span class="o-muted">—</span>}</td>
      <td class="o-mono" title={t.id}>
        {t.id.slice(0, 8)}…
      </td>
    </tr>
  );
}
