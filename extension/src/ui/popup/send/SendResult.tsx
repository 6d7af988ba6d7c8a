import type { ComponentChildren, JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { Icon } from '../../components/Icon.js';
import { Money } from '../../components/Money.js';
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
        Sent {formatMoney(amount, currency)} to {payeeName}
      </h1>
      {memo ? <p class="memo">“{memo}”</p> : null}
      <p class="muted">
        New balance <Money minor={balance} currency={currency} />
      </p>
      <Button variant="primary" block onClick={onDone}>
        Done
      </Button>
      <Button variant="ghost" block onClick={onSendAnother}>
        Send another
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
      return {
        title: 'Not enough money',
        text: `Your balance is ${formatMoney(balance, currency)}. Send a smaller amount, or wait for money to arrive.`,
        remedy: 'edit-amount',
      };
    case 'LIMIT_EXCEEDED':
      return { title: 'Over your limit', text: `${moneyInLimitMessage(error.message, currency)}. Try a smaller amount, or ask your bank about your limits.`, remedy: 'edit-amount' };
    case 'ACCOUNT_FROZEN':
      return { title: 'Account frozen', text: `${error.message}. No money can move until your bank unfreezes it.`, remedy: 'edit' };
    case 'NOT_FOUND':
      return { title: 'Payee not found', text: "There's no open account with this number. Check it with the person you're paying.", remedy: 'edit-payee' };
    case 'CONFLICT':
      return { title: "This transfer couldn't be matched", text: `${error.message}. Start over to send it as a new transfer.`, remedy: 'start-over' };
    case 'BAD_REQUEST':
      return { title: 'Something needs fixing', text: error.message, remedy: 'edit' };
    case 'UNAUTHENTICATED':
      return { title: "You're signed out", text: 'Sign in again, then try again; nothing was sent.', remedy: 'edit' };
    case 'FORBIDDEN':
      return { title: 'Not allowed', text: error.message, remedy: 'edit' };
    case 'RATE_LIMITED':
      return { title: 'Too many requests', text: `${error.message}. Wait a moment, then try again.`, remedy: 'retry' };
    case 'OFFLINE':
    case 'KEY_CHANGED':
      return { title: connectionTitle(error.code), text: `${error.message}. Try again once you're back online.`, remedy: 'retry' };
    case 'IN_DOUBT':
      // The answer was lost (or the bank could not confirm its write): the same id is sent again as soon as the bank is reachable.
      return {
        title: "Your bank didn't confirm it",
        text: `${error.message}, so it may or may not have gone through. It is checked again as soon as your bank is reachable; trying again is safe: this transfer will never be paid twice.`,
        remedy: 'retry',
        uncertain: true,
      };
    default:
      // INTERNAL…: the relay may have posted it before the answer was lost.
      return {
        title: 'No answer from your bank',
        text: `${error.message}, so it may or may not have gone through. Trying again is safe: this transfer will never be paid twice.`,
        remedy: 'retry',
        uncertain: true,
      };
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
        {uncertain ? 'Not confirmed' : 'Not sent'}: {heading}
      </h1>
      <p role="alert">{text}</p>
      {remedy === 'retry' ? (
        <Button variant="primary" block loading={retrying} loadingText="Trying again…" onClick={onRetry}>
          Try again
        </Button>
      ) : remedy === 'edit-amount' ? (
        <Button variant="primary" block onClick={() => onEdit('amount')}>
          Change the amount
        </Button>
      ) : remedy === 'edit-payee' ? (
        <Button variant="primary" block onClick={() => onEdit('to')}>
          Change the payee
        </Button>
      ) : remedy === 'start-over' ? (
        <Button variant="primary" block onClick={onStartOver}>
          Start over
        </Button>
      ) : null}
      <Button variant={remedy === 'edit' ? 'primary' : 'ghost'} block disabled={retrying} onClick={() => onEdit()}>
        Back
      </Button>
      <Button variant="ghost" block disabled={retrying} onClick={onExit}>
        Back to wallet
      </Button>
    </section>
  );
}
