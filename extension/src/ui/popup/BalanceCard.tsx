import type { JSX } from 'preact';
import { formatAccountNumber } from '../../../../common/account-number.js';
import type { Account, Entry } from '../../../../common/schemas/models.js';
import { CopyButton } from '../components/CopyButton.js';
import { Money } from '../components/Money.js';
import { Sparkline } from '../components/Sparkline.js';
import { statusWord } from '../status-words.js';
import { ltr, t } from '../../shared/i18n.js';
import { formatMoney, formatNumber } from '../format.js';

export interface BalanceCardProps {
  account: Account;
  /** Entries newest first; their balanceAfter draws the sparkline. */
  entries: readonly Entry[];
  /** Not live: the balance is the last one the relay confirmed. */
  stale: boolean;
  /** The account number in the old bank, for a person imported from it. */
  legacyAccount?: string | undefined;
}

/** The balance, the account number with Copy, and how the balance moved lately. */
export function BalanceCard({ account, entries, stale, legacyAccount }: BalanceCardProps): JSX.Element {
  const series = entries
    .slice(0, 30)
    .map((e) => e.balanceAfter)
    .reverse();
  const first = series[0];
  const last = series[series.length - 1];
  const label =
    series.length >= 2 && first !== undefined && last !== undefined
      ? t('balance_sparkline_label', formatNumber(series.length), formatMoney(first, account.currency), formatMoney(last, account.currency))
      : '';
  return (
    <section class={stale ? 'card balance balance--stale' : 'card balance'} aria-labelledby="balance-title">
      <h2 id="balance-title" class="balance__label">
        {stale ? t('balance_title_stale') : t('balance_title')}
        {account.status !== 'active' ? <span class="tag tag--warn">{statusWord(account.status)}</span> : null}
      </h2>
      <Money minor={account.balance} currency={account.currency} size="xl" class="balance__amount" />
      <div class="balance__account">
        <span class="sr-only">{t('balance_account_number_sr')} </span>
        <span class="mono" dir="ltr">
          {formatAccountNumber(account.account)}
        </span>
        <CopyButton text={account.account} label={t('balance_copy_account')} />
        {legacyAccount ? <span class="muted small balance__legacy">{t('balance_old_account', ltr(legacyAccount))}</span> : null}
      </div>
      {series.length >= 2 ? <Sparkline values={series} label={label} class="balance__spark" height={44} /> : null}
    </section>
  );
}
