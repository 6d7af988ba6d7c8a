import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { t, tPlural } from '../../../../shared/i18n.js';
import { Button } from '../../../components/Button.js';
import { Money } from '../../../components/Money.js';
import { Badge } from '../../components/Badge.js';
import { CheckboxField } from '../../components/CheckboxField.js';
import { Pager, TableState } from '../../components/TableState.js';
import { formatAccount, formatCount } from '../../lib/format.js';
import { rowIssues, type LimitCheck, type PayeeLookup, type PreviewRow } from '../../lib/payments.js';
import { useLocalPages } from './local-pages.js';

export const PREVIEW_PAGE = 100;

/** Every row of the file with what is wrong with it; each can be left out or fixed. */
export function PreviewTable({
  rows,
  lookups,
  limits,
  currency,
  onExclude,
  onEdit,
}: {
  rows: readonly PreviewRow[];
  lookups: ReadonlyMap<string, PayeeLookup>;
  /** The payer's limits against the file, when known (payments only). */
  limits?: LimitCheck | undefined;
  currency: string;
  onExclude: (line: number, excluded: boolean) => void;
  onEdit: (row: PreviewRow) => void;
}): JSX.Element {
  const [onlyIssues, setOnlyIssues] = useState(false);
  const shown = onlyIssues ? rows.filter((r) => r.excluded || rowIssues(r, lookups.get(r.account), limits).length > 0) : rows;
  const pages = useLocalPages(shown, PREVIEW_PAGE, [onlyIssues]);
  return (
    <>
      <CheckboxField label={t('payments_only_issues')} checked={onlyIssues} onChecked={setOnlyIssues} />
      <TableState label={t('payments_preview_table')} loading={false} error={undefined} count={shown.length} emptyTitle={t('payments_no_issues')}>
        <table class="o-table">
          <caption class="sr-only">{t('payments_preview_caption', formatCount(pages.page))}</caption>
          <thead>
            <tr>
              <th scope="col" class="o-num">
                {t('payments_col_line')}
              </th>
              <th scope="col">{t('payments_col_account')}</th>
              <th scope="col">{t('payments_col_name')}</th>
              <th scope="col">{t('payments_col_payee')}</th>
              <th scope="col" class="o-num">
                {t('common_amount')}
              </th>
              <th scope="col">{t('payments_col_memo')}</th>
              <th scope="col">{t('payments_col_check')}</th>
              <th scope="col">{t('payments_col_include')}</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((row) => (
              <PreviewRowView key={row.line} row={row} lookup={lookups.get(row.account)} limits={limits} currency={currency} onExclude={onExclude} onEdit={onEdit} />
            ))}
          </tbody>
        </table>
      </TableState>
      <Pager pages={pages} label={t('payments_preview_pager')} shown={tPlural('payments_rows_count', shown.length)} />
    </>
  );
}

function PreviewRowView({
  row,
  lookup,
  limits,
  currency,
  onExclude,
  onEdit,
}: {
  row: PreviewRow;
  lookup: PayeeLookup | undefined;
  limits: LimitCheck | undefined;
  currency: string;
  onExclude: (line: number, excluded: boolean) => void;
  onEdit: (row: PreviewRow) => void;
}): JSX.Element {
  const issues = rowIssues(row, lookup, limits);
  const line = formatCount(row.line);
  return (
    <tr class={row.excluded ? 'o-row--excluded' : undefined}>
      <td class="o-num">{line}</td>
      <td class="o-mono" dir="ltr">
        {row.account ? formatAccount(row.account) : <span class="o-muted">{t('common_none_dash')}</span>}
      </td>
      <td class="o-wrap">{row.name ?? <span class="o-muted">{t('common_none_dash')}</span>}</td>
      <td>{lookup?.ok ? lookup.displayName : <span class="o-muted">{t('common_none_dash')}</span>}</td>
      <td class="o-num">{row.amount === null ? <span class="o-muted">{t('common_none_dash')}</span> : <Money minor={row.amount} currency={currency} />}</td>
      <td class="o-wrap">{row.memo ?? <span class="o-muted">{t('common_none_dash')}</span>}</td>
      <td class="o-wrap">
        {row.excluded ? (
          <Badge>{t('payments_row_excluded')}</Badge>
        ) : issues.length === 0 ? (
          <Badge tone="ok">{row.edited ? t('payments_row_fixed') : t('payments_row_ok')}</Badge>
        ) : (
          <ul class="o-issues">
            {issues.map((i) => (
              <li key={i.text}>
                <Badge tone={i.tone === 'error' ? 'danger' : 'warn'}>{i.tone === 'error' ? t('payments_issue_error') : t('payments_issue_warning')}</Badge> {i.text}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <div class="o-row-actions">
          <input type="checkbox" class="o-check__input" checked={!row.excluded} onChange={(e) => onExclude(row.line, !e.currentTarget.checked)} aria-label={t('payments_include_line', line)} />
          <Button size="sm" variant="ghost" onClick={() => onEdit(row)} aria-label={t('payments_fix_line', line)}>
            {t('payments_fix')}
          </Button>
        </div>
      </td>
    </tr>
  );
}
