import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { formatAccountNumber } from '../../../../../common/account-number.js';
import { Button } from '../../components/Button.js';
import { Money } from '../../components/Money.js';
import { Notice } from '../../components/Notice.js';
import { Skeleton } from '../../components/Skeleton.js';
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
        Review and send
      </h1>
      <div class="review-amount">
        <span class="muted">You're sending</span>
        <Money minor={amount} currency={currency} size="xl" />
      </div>
      <dl class="summary">
        <div>
          <dt>To</dt>
          <dd aria-live="polite" aria-busy={lookup.status === 'loading'}>
            {lookup.status === 'ok' ? (
              <strong class="payee-name">{lookup.name}</strong>
            ) : lookup.status === 'loading' ? (
              <span class="inline-loading">
                <Skeleton width="90px" />
                <span class="sr-only">Checking who holds this account…</span>
              </span>
            ) : (
              <span class="muted">Name not available</span>
            )}
            <span class="mono small">{formatAccountNumber(to)}</span>
          </dd>
        </div>
        <div>
          <dt>From</dt>
          <dd>
            <span>Your account</span>
            <span class="mono small">{formatAccountNumber(from)}</span>
          </dd>
        </div>
        <div>
          <dt>Memo</dt>
          <dd>{memo.trim() ? <span class="memo">{memo.trim()}</span> : <span class="muted">None</span>}</dd>
        </div>
      </dl>
      {lookup.status === 'error' ? (
        <Notice
          tone="error"
          title="Couldn't check the payee"
          actions={
            <Button size="sm" onClick={onRetryLookup}>
              Try again
            </Button>
          }
        >
          {lookup.error.message}
        </Notice>
      ) : lookup.status === 'ok' ? (
        <p class="muted small">Make sure {lookup.name} is who you mean to pay: a transfer can't be taken back.</p>
      ) : null}
      <Button variant="primary" block disabled={lookup.status !== 'ok'} loading={sending} loadingText="Sending…" onClick={onConfirm}>
        Send {formatMoney(amount, currency)}
      </Button>
      <Button variant="ghost" block disabled={sending} onClick={onBack}>
        Edit details
      </Button>
    </section>
  );
}
