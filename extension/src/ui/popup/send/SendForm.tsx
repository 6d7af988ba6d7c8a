import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { formatAccountNumber } from '../../../../../common/account-number.js';
import { AmountField } from '../../components/AmountField.js';
import { Button } from '../../components/Button.js';
import { Notice } from '../../components/Notice.js';
import { TextField } from '../../components/TextField.js';
import { ltr, t } from '../../../shared/i18n.js';
import { charCount, formatMoney, formatNumber } from '../../format.js';
import { isDraftEmpty, type SendDraft, type SendSession } from './send-session.js';
import { MEMO_MAX, amountError, memoError, payeeComplete, payeeError } from './validate.js';

type Field = keyof SendDraft;

export interface SendFormProps {
  session: SendSession;
  ownAccount: string;
  currency: string;
  balance: number;
  /** Problems the relay found (no such payee, a field it refused), shown next to their fields until edited. */
  serverProblems?: Partial<Record<Field, string>> | undefined;
  /** The earlier, uncertain try (session.earlierUncertain) has since shown up as posted. */
  earlierPosted?: boolean;
  /** Which field to put the cursor in when the form appears. */
  focus?: Field | undefined;
  onChange: (draft: SendDraft) => void;
  onReview: () => void;
  onCancel: () => void;
}

/** Step 1: payee, amount, memo; each checked as the person goes, all of them on Review. */
export function SendForm({ session, ownAccount, currency, balance, serverProblems, earlierPosted = false, focus, onChange, onReview, onCancel }: SendFormProps): JSX.Element {
  const draft = session.draft;
  const [touched, setTouched] = useState<Record<Field, boolean>>({ to: false, amount: false, memo: false });
  const refs = { to: useRef<HTMLInputElement>(null), amount: useRef<HTMLInputElement>(null), memo: useRef<HTMLInputElement>(null) };

  useLayoutEffect(() => {
    const target = focus ?? (draft.to ? (draft.amount ? 'memo' : 'amount') : 'to');
    refs[target].current?.focus();
    // A field the person comes back to fix shows its problem straight away.
    if (focus) setTouched((t) => ({ ...t, [focus]: true }));
  }, []);

  const problems: Record<Field, string | undefined> = {
    to: payeeError(draft.to, ownAccount) ?? serverProblems?.to,
    amount: amountError(draft.amount, currency) ?? serverProblems?.amount,
    memo: memoError(draft.memo) ?? serverProblems?.memo,
  };
  const shown = (f: Field): string | undefined => {
    if (serverProblems?.[f]) return problems[f];
    if (f === 'to' && payeeComplete(draft.to) && problems.to) return problems.to;
    return touched[f] ? problems[f] : undefined;
  };

  function set(field: Field, value: string): void {
    onChange({ ...draft, [field]: value });
  }

  function onSubmit(e: Event): void {
    e.preventDefault();
    setTouched({ to: true, amount: true, memo: true });
    const first = (['to', 'amount', 'memo'] as const).find((f) => problems[f]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    onReview();
  }

  const memoLength = charCount(draft.memo.trim());
  return (
    <form class="stack" onSubmit={onSubmit} noValidate aria-labelledby="send-title">
      <h1 id="send-title" class="screen-title">
        {t('send_title')}
      </h1>
      {session.uncertain && session.transferId ? (
        <Notice tone="warning" title={t('send_last_try_title')}>
          {t('send_last_try_text')}
        </Notice>
      ) : session.earlierUncertain ? (
        <Notice tone="warning" title={earlierPosted ? t('send_earlier_paid_title') : t('send_earlier_unsure_title')}>
          {t(
            earlierPosted ? 'send_earlier_paid_text' : 'send_earlier_unsure_text',
            ltr(session.earlierUncertain.amount),
            ltr(formatAccountNumber(session.earlierUncertain.to)),
          )}
        </Notice>
      ) : null}
      <TextField
        label={t('send_payee_label')}
        name="payee"
        autoComplete="off"
        autoCapitalize="characters"
        spellcheck={false}
        dir="ltr"
        placeholder={t('send_payee_placeholder')}
        class="field--mono"
        value={draft.to}
        onValue={(v) => set('to', v)}
        onBlur={() => setTouched((t) => ({ ...t, to: true }))}
        error={shown('to')}
        inputRef={refs.to}
      />
      <AmountField
        label={t('common_amount')}
        name="amount"
        currency={currency}
        value={draft.amount}
        onValue={(v) => set('amount', v)}
        onBlur={() => setTouched((t) => ({ ...t, amount: true }))}
        error={shown('amount')}
        hint={t('send_available', formatMoney(balance, currency))}
        inputRef={refs.amount}
      />
      <TextField
        label={t('common_memo_optional')}
        name="memo"
        autoComplete="off"
        placeholder={t('send_memo_placeholder')}
        value={draft.memo}
        onValue={(v) => set('memo', v)}
        onBlur={() => setTouched((t) => ({ ...t, memo: true }))}
        error={shown('memo') ?? (memoLength > MEMO_MAX ? problems.memo : undefined)}
        aside={
          <span class={memoLength > MEMO_MAX ? 'counter counter--over' : 'counter'}>
            {t('send_memo_counter', formatNumber(memoLength), formatNumber(MEMO_MAX))}
          </span>
        }
        inputRef={refs.memo}
      />
      <Button type="submit" variant="primary" block>
        {t('send_review_button')}
      </Button>
      <div class="row-actions">
        <Button variant="ghost" onClick={onCancel}>
          {t('send_back_to_wallet')}
        </Button>
        {!isDraftEmpty(draft) ? (
          <Button variant="ghost" onClick={() => onChange({ to: '', amount: '', memo: '' })}>
            {t('common_clear')}
          </Button>
        ) : null}
      </div>
    </form>
  );
}
