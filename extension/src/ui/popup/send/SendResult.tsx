import type { ComponentChildren, JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { Icon } from '../../components/Icon.js';
import { Money } from '../../components/Money.js';
import { t } from '../../../shared/i18n.js';
import { formatMoney } from '../../format.js';
import { connectionTitle, type ShownError } from '../errors.js';

export interface SendDoneProps {
  amount: number;
  currency: string;
  payeeName: string;
  balance: number;
  memo?: string | undefined;
  onDone: () => void;
  onSendAnother: () => void;
}

function useFocusTitle() {
  const title = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => title.current?.focus(), []);
  return title;
}

/** Step 3: posted. */
export function SendDone({ amount, currency, payeeName, balance, memo, onDone, onSendAnother }: SendDoneProps): JSX.Element {
  const title = useFocusTitle();
  return (
    <section class="stack center result result--ok" aria-labelledby="done-title">
      <span class="result__icon">
        <Icon name="check" size={28} />
      </span>
      <h1 id="done-title" class="screen-title" tabIndex={-1} ref={title}>
        {t('send_done_title', formatMoney(amount, currency), payeeName)}
      </h1>
      {memo ? <p class="memo">{t('quoted', memo)}</p> : null}
      <p class="muted">
        {t('send_done_new_balance')} <Money minor={balance} currency={currency} />
      </p>
      <Button variant="primary" block onClick={onDone}>
        {t('common_done')}
      </Button>
      <Button variant="ghost" block onClick={onSendAnother}>
        {t('send_done_another')}
      </Button>
    </section>
  );
}

/** What the person can do about a refusal: fix a field, try the same transfer again, or start over. */
export type ErrorRemedy = 'retry' | 'edit-amount' | 'edit-payee' | 'edit' | 'start-over';

interface Explained {
  title: string;
  text: ComponentChildren;
  remedy: ErrorRemedy;
  /** The transfer may have been posted: "Not confirmed" rather than "Not sent". */
  uncertain?: boolean;
}

/** The relay writes limits in minor units ("limit of 50000"); people read "$500.00". */
export function moneyInLimitMessage(message: string, currency: string): string {
  return message.replace(/(limit of |already sent today: )(\d+)/g, (_, lead: string, digits: string) => lead + formatMoney(Number(digits), currency));
}

/** The error screen's wording and main action for each code. */
export function explainSendError(error: ShownError, currency: string, balance: number): Explained {
  switch (error.code) {
    case 'INSUFFICIENT_FUNDS':
      return { title: t('send_error_funds_title'), text: t('send_error_funds_text', formatMoney(balance, currency)), remedy: 'edit-amount' };
    case 'LIMIT_EXCEEDED':
      return { title: t('send_error_limit_title'), text: t('send_error_limit_text', moneyInLimitMessage(error.message, currency)), remedy: 'edit-amount' };
    case 'ACCOUNT_FROZEN':
      return { title: t('send_error_frozen_title'), text: t('send_error_frozen_text', error.message), remedy: 'edit' };
    case 'NOT_FOUND':
      return { title: t('send_error_not_found_title'), text: t('send_error_not_found_text'), remedy: 'edit-payee' };
    case 'CONFLICT':
      return { title: t('send_error_conflict_title'), text: t('send_error_conflict_text', error.message), remedy: 'start-over' };
    case 'BAD_REQUEST':
      return { title: t('send_error_bad_request_title'), text: error.message, remedy: 'edit' };
    case 'UNAUTHENTICATED':
      return { title: t('send_error_signed_out_title'), text: t('send_error_signed_out_text'), remedy: 'edit' };
    case 'FORBIDDEN':
      return { title: t('send_error_forbidden_title'), text: error.message, remedy: 'edit' };
    case 'RATE_LIMITED':
      return { title: t('send_error_rate_limited_title'), text: t('send_error_rate_limited_text', error.message), remedy: 'retry' };
    case 'OFFLINE':
    case 'KEY_CHANGED':
      return { title: connectionTitle(error.code), text: t('send_error_offline_text', error.message), remedy: 'retry' };
    case 'IN_DOUBT':
      // The answer was lost (or the bank could not confirm its write): the same id is sent again as soon as the bank is reachable.
      return { title: t('send_error_in_doubt_title'), text: t('send_error_in_doubt_text', error.message), remedy: 'retry', uncertain: true };
    default:
      // INTERNAL…: the relay may have posted it before the answer was lost.
      return { title: t('send_error_no_answer_title'), text: t('send_error_no_answer_text', error.message), remedy: 'retry', uncertain: true };
  }
}

export interface SendErrorProps {
  error: ShownError;
  currency: string;
  balance: number;
  retrying: boolean;
  onRetry: () => void;
  onEdit: (field?: 'to' | 'amount') => void;
  onStartOver: () => void;
  onExit: () => void;
}

/** Step 3, refused or unanswered: why, in plain words, and the way on. What was typed is kept. */
export function SendError({ error, currency, balance, retrying, onRetry, onEdit, onStartOver, onExit }: SendErrorProps): JSX.Element {
  const title = useFocusTitle();
  const { title: heading, text, remedy, uncertain } = explainSendError(error, currency, balance);
  return (
    <section class="stack center result result--error" aria-labelledby="error-title" data-code={error.code}>
      <span class="result__icon">
        <Icon name="warning" size={28} />
      </span>
      <h1 id="error-title" class="screen-title" tabIndex={-1} ref={title}>
        {t(uncertain ? 'send_error_heading_unconfirmed' : 'send_error_heading_not_sent', heading)}
      </h1>
      <p role="alert">{text}</p>
      {remedy === 'retry' ? (
        <Button variant="primary" block loading={retrying} loadingText={t('send_error_retrying')} onClick={onRetry}>
          {t('common_try_again')}
        </Button>
      ) : remedy === 'edit-amount' ? (
        <Button variant="primary" block onClick={() => onEdit('amount')}>
          {t('send_error_change_amount')}
        </Button>
      ) : remedy === 'edit-payee' ? (
        <Button variant="primary" block onClick={() => onEdit('to')}>
          {t('send_error_change_payee')}
        </Button>
      ) : remedy === 'start-over' ? (
        <Button variant="primary" block onClick={onStartOver}>
          {t('send_error_start_over')}
        </Button>
      ) : null}
      <Button variant={remedy === 'edit' ? 'primary' : 'ghost'} block disabled={retrying} onClick={() => onEdit()}>
        {t('common_back')}
      </Button>
      <Button variant="ghost" block disabled={retrying} onClick={onExit}>
        {t('send_back_to_wallet')}
      </Button>
    </section>
  );
}
