import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ltr, t, tPlural } from '../../../../shared/i18n.js';
import { call, UiCallError } from '../../../bridge.js';
import { Button } from '../../../components/Button.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { Panel } from '../../components/ScreenHeader.js';
import { statementCsv } from '../../lib/csv.js';
import { parseDateRange, toDateInput } from '../../lib/dates.js';
import { downloadText } from '../../lib/download.js';
import { errorMessage } from '../../lib/errors.js';
import { formatAccount, formatCount } from '../../lib/format.js';
import { EXPORT_PAGE, collectImported, collectStatement } from '../../lib/paging.js';

/** Own statement as CSV for a date range, read page by page from account.history. */
export function StatementPanel({ account, currency }: { account: string; currency: string }): JSX.Element {
  const today = new Date();
  const [from, setFrom] = useState(() => toDateInput(new Date(today.getFullYear(), today.getMonth(), 1)));
  const [to, setTo] = useState(() => toDateInput(today));
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});
  const [progress, setProgress] = useState<number>();
  const [result, setResult] = useState<{ tone: 'success' | 'info' | 'error'; text: string }>();

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setResult(undefined);
    const range = parseDateRange({ from, to }, { required: true });
    setErrors(range.errors);
    if (range.errors.from || range.errors.to) return;
    setProgress(0);
    try {
      const entries = await collectStatement(
        (before) => call('account.history', { account, limit: EXPORT_PAGE, ...(before !== undefined && { before }) }),
        range,
        setProgress,
      );
      // History imported from the old bank, when there is any (a relay without it refuses `legacy`).
      const imported = await collectImported((before) => call('account.history', { account, limit: EXPORT_PAGE, legacy: true, before }), range).catch((err: unknown) => {
        if (err instanceof UiCallError && err.code === 'BAD_REQUEST') return [];
        throw err;
      });
      if (entries.length + imported.length === 0) {
        setResult({ tone: 'info', text: t('statement_nothing') });
        return;
      }
      downloadText(`statement-${account}-${from}-to-${to}.csv`, statementCsv(entries, currency, imported));
      setResult({ tone: 'success', text: tPlural('statement_saved', entries.length + imported.length) });
    } catch (err) {
      setResult({ tone: 'error', text: errorMessage(err) });
    } finally {
      setProgress(undefined);
    }
  }

  const busy = progress !== undefined;
  return (
    <Panel title={t('statement_title')} id="settings-statement">
      <p class="o-muted">{t('statement_intro', ltr(formatAccount(account)))}</p>
      <form class="o-form o-form--inline" onSubmit={(e) => void submit(e)} noValidate>
        <TextField label={t('common_from')} type="date" value={from} onValue={setFrom} error={errors.from} max={to || undefined} />
        <TextField label={t('common_to')} type="date" value={to} onValue={setTo} error={errors.to} min={from || undefined} />
        <div class="o-form__actions">
          <Button type="submit" variant="primary" loading={busy} loadingText={t('statement_reading', formatCount(progress ?? 0))}>
            {t('export_csv')}
          </Button>
        </div>
      </form>
      {result ? <Notice tone={result.tone}>{result.text}</Notice> : null}
    </Panel>
  );
}
