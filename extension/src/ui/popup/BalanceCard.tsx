import type { JSX } from 'preact';
import { formatAccountNumber } from '../../../../common/account-number.js';
import type { Account, Entry } from '../../../../common/schemas/models.js';
import { CopyButton } from '../components/CopyButton.js';
import { Money } from '../components/Money.js';
import { Sparkline } from '../components/Sparkline.js';
import { formatMoney } from '../format.js';

export interface BalanceCardProps {
  account: Account;
  /** Entries newest first; their balanceAfter draws the sparkline. */
  entries: readonly Entry[];
  /** Not live: the balance is the last one the relay confirmed. */
  stale: boolean;
}

/** The balance, the account number with Copy, and how the balance moved lately. */
export function BalanceCard({ account, entries, stale }: BalanceCardProps): JSX.Element {
  const series = entries
    .slice(0, 30)
    .map((e) => e.balanceAfter)
    .reverse();
  const first = series[0];
  const last = series[series.length - 1];
  const label =
    series.length >= 2 && first !== undefined && last !== undefined
      ? `Balance over your last ${series.length} transactions: from ${formatMoney(first, account.currency)} to ${formatMoney(last, account.currency)}`
      : '';
  return (
    <section class={stale ? 'card balance balance--stale' : 'card balance'} aria-labelledby="balance-title">
      <h2 id="balance-title" class="balance__label">
        {stale ? 'Last known balance' : 'Balance'}
        {account.status !== 'active' ? <span class="tag tag--warn">{account.status}</span> : null}
      </h2>
      <Money minor={account.balance} currency={account.currency} size="xl" class="balance__amount" />
      <div class="balance__account">
        <span class="sr-only">Account number </span>
        <span class="mono">{formatAccountNumber(account.account)}</span>
        <CopyButton text={account.account} label="Copy account number" />
      </div>
      {series.length >= 2 ? <Sparkline values={series} label={label} class="balance__spark" height={44} /> : null}
    </section>
  );
}
