import type { JSX } from 'preact';
import { useRef } from 'preact/hooks';
import { CASH_ACCOUNT, formatAccountNumber } from '../../../../common/account-number.js';
import type { Entry, LegacyEntry } from '../../../../common/schemas/models.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { Icon } from '../components/Icon.js';
import { Money } from '../components/Money.js';
import { Notice } from '../components/Notice.js';
import { ltr, t } from '../../shared/i18n.js';
import { formatMoney, formatSignedMoney, formatTime, groupByDay } from '../format.js';
import type { History } from './use-history.js';

/** What a person calls the other side: deposits and withdrawals are with the bank itself. */
export function describeEntry(entry: Entry): string {
  const incoming = entry.amount > 0;
  if (entry.counterparty === CASH_ACCOUNT) return incoming ? t('activity_deposit') : t('activity_withdrawal');
  const account = ltr(formatAccountNumber(entry.counterparty));
  return incoming ? t('activity_from', account) : t('activity_to', account);
}

function ActivityRow({ entry, currency, fresh }: { entry: Entry; currency: string; fresh: boolean }): JSX.Element {
  const incoming = entry.amount > 0;
  const after = t('activity_balance_after', formatMoney(entry.balanceAfter, currency));
  return (
    <li class={['row', incoming ? 'row--in' : 'row--out', fresh ? 'row--new' : ''].filter(Boolean).join(' ')} title={after}>
      <span class="row__icon">
        <Icon name={incoming ? 'in' : 'out'} size={16} />
      </span>
      <span class="row__main">
        <span class="row__title">{entry.memo || describeEntry(entry)}</span>
        <span class="row__sub">
          <time dateTime={entry.ts}>{formatTime(entry.ts)}</time>
          {entry.memo ? `${t('common_list_separator')}${describeEntry(entry)}` : ''}
        </span>
      </span>
      <Money minor={entry.amount} currency={currency} signed class="row__amount" />
      <span class="sr-only">
        {t(incoming ? 'activity_received_sr' : 'activity_sent_sr', formatSignedMoney(entry.amount, currency), after)}
      </span>
    </li>
  );
}

/** An entry imported from the old bank: read-only, marked as imported, with its old id and account. */
function ImportedRow({ entry, currency }: { entry: LegacyEntry; currency: string }): JSX.Element {
  const incoming = entry.amount > 0;
  return (
    <li class={['row', 'row--imported', incoming ? 'row--in' : 'row--out'].join(' ')}>
      <span class="row__icon">
        <Icon name={incoming ? 'in' : 'out'} size={16} />
      </span>
      <span class="row__main">
        <span class="row__title">
          {t('activity_imported_entry', ltr(entry.legacyId))} <span class="tag">{t('activity_imported_tag')}</span>
        </span>
        <span class="row__sub">
          <time dateTime={entry.date}>{entry.date}</time>
          {t('common_list_separator')}
          <span dir="ltr">{entry.legacyAccount}</span>
        </span>
      </span>
      <Money minor={entry.amount} currency={currency} signed class="row__amount" />
    </li>
  );
}

export interface ActivityListProps {
  history: History;
  currency: string;
  now?: Date;
}

/** Newest first, in day groups; incoming money green with "+", outgoing neutral with "−". */
export function ActivityList({ history, currency, now }: ActivityListProps): JSX.Element {
  const { entries, imported, hasMore, loading, error, loadMore } = history;
  // Rows that arrive while the popup is open (live events) get a brief highlight; older pages don't.
  const newestAtOpen = useRef<number>();
  newestAtOpen.current ??= entries.length > 0 ? Date.parse(entries[0]!.ts) : -Infinity;
  const groups = groupByDay(entries, (e) => e.ts, now);
  return (
    <section class="activity" aria-labelledby="activity-title">
      <h2 id="activity-title" class="section-title">
        {t('activity_title')}
      </h2>
      {entries.length === 0 && !hasMore ? (
        <EmptyState title={t('activity_empty_title')}>{t('activity_empty_text')}</EmptyState>
      ) : (
        groups.map((g) => (
          <div class="day" key={g.key}>
            <h3 class="day__label">{g.label}</h3>
            <ul class="rows">
              {g.items.map((e) => (
                <ActivityRow key={e.transferId} entry={e} currency={currency} fresh={Date.parse(e.ts) > newestAtOpen.current!} />
              ))}
            </ul>
          </div>
        ))
      )}
      {imported.length > 0 ? (
        <div class="day day--imported">
          <h3 class="day__label">{t('activity_imported_title')}</h3>
          <ul class="rows">
            {imported.map((e, i) => (
              <ImportedRow key={`${e.legacyId}-${i}`} entry={e} currency={currency} />
            ))}
          </ul>
        </div>
      ) : null}
      {error ? (
        <Notice tone="error" title={t('activity_older_error')}>
          {error.message}
        </Notice>
      ) : null}
      {hasMore ? (
        <Button block variant="ghost" loading={loading} loadingText={t('common_loading')} onClick={loadMore}>
          {error ? t('common_try_again') : t('activity_load_more')}
        </Button>
      ) : entries.length > 0 ? (
        <p class="muted center small">{t('activity_end')}</p>
      ) : null}
    </section>
  );
}
