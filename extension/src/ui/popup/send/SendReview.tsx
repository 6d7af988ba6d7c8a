import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { formatAccountNumber } from '../../../../../common/account-number.js';
import { Button } from '../../components/Button.js';
import { Money } from '../../components/Money.js';
import { Notice } from '../../components/Notice.js';
import { Skeleton } from '../../components/Skeleton.js';
import { t } from '../../../shared/i18n.js';
import { formatMoney } from '../../format.js';
import type { ShownError } from '../errors.js';

export type PayeeLookup =
  | { account: string; status: 'loading' }
  | { account: string; status: 'ok'; name: string }
  | { account: string; status: 'error'; error: ShownError };

export interface SendReviewProps {
  to: string;
  amount: number;
  memo: string;
  from: string;
  currency: string;
  lookup: PayeeLookup;
  sending: boolean;
  onConfirm: () => void;
  onRetryLookup: () => void;
  onBack: () => void;
}

/** Step 2: who (the payee's masked name from the relay), how much, what for; then Confirm. */
export function SendReview({ to, amount, memo, from, currency, lookup, sending, onConfirm, onRetryLookup, onBack }: SendReviewProps): JSX.Element {
  const title = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => title.current?.focus(), []);
  return (
    <section class="stack" aria-labelledby="review-title">
      <h1 id="review-title" class="screen-title" tabIndex={-1} ref={title}>
        {t('send_review_title')}
      </h1>
      <div class="review-amount">
        <span class="muted">{t('send_review_sending')}</span>
        <Money minor={amount} currency={currency} size="xl" />
      </div>
      <dl class="summary">
        <div>
          <dt>{t('common_to')}</dt>
          <dd aria-live="polite" aria-busy={lookup.status === 'loading'}>
            {lookup.status === 'ok' ? (
              <strong class="payee-name">{lookup.name}</strong>
            ) : lookup.status === 'loading' ? (
              <span class="inline-loading">
                <Skeleton width="90px" />
                <span class="sr-only">{t('send_review_checking')}</span>
              </span>
            ) : (
              <span class="muted">{t('send_review_no_name')}</span>
            )}
            <span class="mono small" dir="ltr">
              {formatAccountNumber(to)}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('common_from')}</dt>
          <dd>
            <span>{t('send_review_your_account')}</span>
            <span class="mono small" dir="ltr">
              {formatAccountNumber(from)}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('send_review_memo')}</dt>
          <dd>{memo.trim() ? <span class="memo">{memo.trim()}</span> : <span class="muted">{t('send_review_no_memo')}</span>}</dd>
        </div>
      </dl>
      {lookup.status === 'error' ? (
        <Notice
          tone="error"
          title={t('send_review_lookup_failed')}
          actions={
            <Button size="sm" onClick={onRetryLookup}>
              {t('common_try_again')}
            </Button>
          }
        >
          {lookup.error.message}
        </Notice>
      ) : lookup.status === 'ok' ? (
        <p class="muted small">{t('send_review_make_sure', lookup.name)}</p>
      ) : null}
      <Button variant="primary" block disabled={lookup.status !== 'ok'} loading={sending} loadingText={t('common_sending')} onClick={onConfirm}>
        {t('send_review_confirm', formatMoney(amount, currency))}
      </Button>
      <Button variant="ghost" block disabled={sending} onClick={onBack}>
        {t('send_review_edit')}
      </Button>
    </section>
  );
}
