import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatAccountNumber, normalizeAccountNumber } from '../../../../../common/account-number.js';
import type { Account } from '../../../../../common/schemas/models.js';
import { ERROR_CODES } from '../../../../../common/errors.js';
import type { AppState } from '../../../shared/api.js';
import { t } from '../../../shared/i18n.js';
import { call } from '../../bridge.js';
import { parseAmountInput } from '../../format.js';
import { splitFieldMessage, toShownError, type ShownError } from '../errors.js';
import { SendDone, SendError } from './SendResult.js';
import { SendForm } from './SendForm.js';
import { SendReview, type PayeeLookup } from './SendReview.js';
import { EMPTY_DRAFT, clearSendSession, getSendSession, setSendSession, withDraft, type SendDraft, type SendSession } from './send-session.js';

type Field = keyof SendDraft;

type Step =
  | { kind: 'form'; problems?: Partial<Record<Field, string>>; focus?: Field }
  | { kind: 'review' }
  | { kind: 'done'; amount: number; payeeName: string; balance: number; memo?: string | undefined }
  | { kind: 'error'; error: ShownError };

/**
 * Refusals after which the relay certainly did not post the transfer (it checks everything
 * before moving money), and OFFLINE / KEY_CHANGED, which the background gives only for a request
 * it never sent. Anything else (IN_DOUBT, INTERNAL) may have been posted, so the transfer stays
 * "uncertain" and a retry reuses its id.
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set<string>([
  // Every relay refusal except IN_DOUBT and INTERNAL (either may come after the change was made)…
  ...ERROR_CODES.filter((code) => code !== 'INTERNAL' && code !== 'IN_DOUBT'),
  // …and the background's own "never sent" codes.
  'OFFLINE',
  'KEY_CHANGED',
]);


export interface SendFlowProps {
  state: AppState;
  owner: string;
  account: Account;
  onExit: () => void;
}

/** Send money: details → review (the payee's masked name) → sent, or a clear error; Back keeps everything typed. */
export function SendFlow({ state, owner, account, onExit }: SendFlowProps): JSX.Element {
  const [session, setSession] = useState<SendSession>(() => getSendSession(owner) ?? { owner, draft: EMPTY_DRAFT });
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [lookup, setLookup] = useState<PayeeLookup>();
  const [sending, setSending] = useState(false);
  // Each return to the form is a fresh mount, so it puts the cursor where it should be.
  const [formVisit, setFormVisit] = useState(0);
  const currency = account.currency;

  const to = normalizeAccountNumber(session.draft.to);
  const parsedAmount = parseAmountInput(session.draft.amount, currency);
  const amount = parsedAmount.ok ? parsedAmount.minor : 0;
  const memo = session.draft.memo.trim();

  function update(next: SendSession): void {
    setSendSession(next);
    setSession(next);
  }

  function toForm(next: Extract<Step, { kind: 'form' }> = { kind: 'form' }): void {
    setFormVisit((v) => v + 1);
    setStep(next);
  }

  function reset(): void {
    clearSendSession();
    setSession({ owner, draft: EMPTY_DRAFT });
    setLookup(undefined);
  }

  // In doubt because the socket dropped: once the bank is reachable again the same id is sent
  // again, once, and its answer (posted, or a replay of the posting) settles it.
  const awaitingLive = useRef(false);
  useEffect(() => {
    const inDoubt = step.kind === 'error' && step.error.code === 'IN_DOUBT';
    if (!inDoubt) awaitingLive.current = false;
    else if (state.status !== 'live') awaitingLive.current = true;
    else if (awaitingLive.current && !sending) {
      awaitingLive.current = false;
      void confirm();
    }
  }, [state.status, step, sending]);

  // A transfer whose answer was lost shows up in the live activity once it is posted: then it is done.
  useEffect(() => {
    if (sending || !session.uncertain || !session.transferId) return;
    const entry = state.recent.find((e) => e.transferId === session.transferId);
    if (!entry) return;
    const name = lookup?.status === 'ok' && lookup.account === entry.counterparty ? lookup.name : formatAccountNumber(entry.counterparty);
    reset();
    setStep({ kind: 'done', amount: Math.abs(entry.amount), payeeName: name, balance: entry.balanceAfter, memo: entry.memo });
  }, [state.recent, session, sending]);

  function startLookup(payee: string): void {
    setLookup({ account: payee, status: 'loading' });
    call('account.lookup', { account: payee }).then(
      (r) => setLookup((cur) => (cur?.account === payee ? { account: payee, status: 'ok', name: r.displayName } : cur)),
      (e: unknown) => {
        const error = toShownError(e);
        if (error.code === 'NOT_FOUND' || error.code === 'BAD_REQUEST') {
          setLookup(undefined);
          toForm({ kind: 'form', problems: { to: error.code === 'NOT_FOUND' ? t('send_no_such_payee') : splitFieldMessage(error.message).text }, focus: 'to' });
        } else {
          setLookup((cur) => (cur?.account === payee ? { account: payee, status: 'error', error } : cur));
        }
      },
    );
  }

  function review(from: SendSession = session): void {
    // The id is made here, once, and kept for every retry of this same transfer.
    if (!from.transferId) update({ ...from, transferId: crypto.randomUUID() });
    setStep({ kind: 'review' });
    if (!lookup || lookup.account !== to || lookup.status === 'error') startLookup(to);
  }

  async function confirm(): Promise<void> {
    if (sending || !session.transferId) return;
    const attempt: SendSession = { ...session, uncertain: true };
    update(attempt);
    setSending(true);
    const payeeName = lookup?.status === 'ok' ? lookup.name : formatAccountNumber(to);
    try {
      const result = await call('transfer.create', {
        transferId: attempt.transferId!,
        to,
        amount,
        ...(memo && { memo }),
      });
      reset();
      setStep({ kind: 'done', amount, payeeName, balance: result.balance, memo: memo || undefined });
    } catch (e) {
      const error = toShownError(e);
      if (NOT_SENT_CODES.has(error.code)) update({ ...attempt, uncertain: false });
      setStep({ kind: 'error', error });
    } finally {
      setSending(false);
    }
  }

  function edit(field?: Field): void {
    if (step.kind !== 'error') return toForm({ kind: 'form', ...(field && { focus: field }) });
    const { error } = step;
    const problems: Partial<Record<Field, string>> = {};
    if (error.code === 'NOT_FOUND') problems.to = t('send_no_such_payee');
    if (error.code === 'BAD_REQUEST') {
      const { field: named, text } = splitFieldMessage(error.message);
      if (named === 'to' || named === 'amount' || named === 'memo') problems[named] = text;
    }
    const focus = field ?? (Object.keys(problems)[0] as Field | undefined);
    toForm({ kind: 'form', problems, ...(focus && { focus }) });
  }

  function onKeyDown(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || e.defaultPrevented || sending) return;
    e.preventDefault();
    if (step.kind === 'form' || step.kind === 'done') {
      if (step.kind === 'done') reset();
      onExit();
    } else toForm();
  }

  let body: JSX.Element;
  switch (step.kind) {
    case 'form':
      body = (
        <SendForm
          key={formVisit}
          session={session}
          ownAccount={account.account}
          currency={currency}
          balance={account.balance}
          serverProblems={step.problems}
          earlierPosted={Boolean(session.earlierUncertain && state.recent.some((e) => e.transferId === session.earlierUncertain?.transferId))}
          focus={step.focus}
          onChange={(draft) => {
            const changed = (['to', 'amount', 'memo'] as const).filter((f) => draft[f] !== session.draft[f]);
            update(withDraft(session, draft));
            if (step.problems && changed.some((f) => step.problems?.[f])) {
              const problems = { ...step.problems };
              for (const f of changed) delete problems[f];
              setStep({ kind: 'form', problems });
            }
          }}
          onReview={() => review()}
          onCancel={onExit}
        />
      );
      break;
    case 'review':
      body = (
        <SendReview
          to={to}
          amount={amount}
          memo={memo}
          from={account.account}
          currency={currency}
          lookup={lookup ?? { account: to, status: 'loading' }}
          sending={sending}
          onConfirm={() => void confirm()}
          onRetryLookup={() => startLookup(to)}
          onBack={() => toForm()}
        />
      );
      break;
    case 'done':
      body = (
        <SendDone
          amount={step.amount}
          currency={currency}
          payeeName={step.payeeName}
          balance={step.balance}
          memo={step.memo}
          onDone={onExit}
          onSendAnother={() => toForm()}
        />
      );
      break;
    case 'error':
      body = (
        <SendError
          error={step.error}
          currency={currency}
          balance={account.balance}
          retrying={sending}
          onRetry={() => void confirm()}
          onEdit={edit}
          onStartOver={() => {
            const fresh: SendSession = { owner, draft: session.draft };
            update(fresh);
            review(fresh);
          }}
          onExit={onExit}
        />
      );
      break;
  }

  return (
    <div class="send-flow" onKeyDown={onKeyDown}>
      {body}
    </div>
  );
}
