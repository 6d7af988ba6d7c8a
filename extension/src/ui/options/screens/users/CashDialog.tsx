import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { User } from '../../../../../../common/schemas/models.js';
import { memoSchema } from '../../../../../../common/schemas/primitives.js';
import { ltr, t } from '../../../../shared/i18n.js';
import { call } from '../../../bridge.js';
import { AmountField } from '../../../components/AmountField.js';
import { Button } from '../../../components/Button.js';
import { Modal } from '../../../components/Modal.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { errorCode, fieldError } from '../../lib/errors.js';
import { formatAccount, formatMoney, parseMoneyInput } from '../../lib/format.js';
import { firstIssue } from '../../../rules.js';
import { sentence } from '../../lib/text.js';

export type CashDirection = 'deposit' | 'withdraw';

/** Refusals after which the relay recorded nothing, so the same transfer id is still unused. */
const REFUSED = new Set(['OFFLINE', 'KEY_CHANGED', 'BAD_REQUEST', 'INSUFFICIENT_FUNDS', 'ACCOUNT_FROZEN', 'NOT_FOUND', 'LIMIT_EXCEEDED', 'FORBIDDEN', 'UNAUTHENTICATED']);

/**
 * A deposit or withdrawal against the bank's cash account. The transfer id is made once when
 * the dialog opens, so pressing the button again after a lost answer can never move the money
 * twice; after such an unclear failure the fields lock so the retry is the same request.
 */
export function CashDialog({
  user,
  account,
  currency,
  direction,
  onClose,
  newId = () => crypto.randomUUID(),
}: {
  user: User;
  account: string;
  currency: string;
  direction: CashDirection;
  onClose: (changed: boolean) => void;
  newId?: () => string;
}): JSX.Element {
  const [transferId] = useState(newId);
  const [amount, setAmount] = useState('');
  const [memo, setMemo] = useState('');
  const [errors, setErrors] = useState<{ amount?: string; memo?: string }>({});
  const [formError, setFormError] = useState<string>();
  const [unclear, setUnclear] = useState(false);
  const [busy, setBusy] = useState(false);
  const [posted, setPosted] = useState<{ amount: number; balance: number }>();
  const deposit = direction === 'deposit';

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setFormError(undefined);
    const found: { amount?: string; memo?: string } = {};
    const parsed = parseMoneyInput(amount, currency);
    if (!parsed.ok) found.amount = sentence(parsed.error);
    const memoCheck = memoSchema.safeParse(memo);
    if (!memoCheck.success) found.memo = firstIssue(memoCheck.error);
    setErrors(found);
    if (!parsed.ok || found.memo) return;
    setBusy(true);
    try {
      const args = { transferId, account, amount: parsed.value, ...(memo.trim() !== '' && { memo: memo.trim() }) };
      const result = deposit ? await call('admin.account.deposit', args) : await call('admin.account.withdraw', args);
      setPosted({ amount: result.transfer.amount, balance: result.balance });
    } catch (err) {
      const code = errorCode(err);
      const fe = fieldError(err, ['amount', 'memo'] as const);
      if (code === 'CONFLICT') {
        setFormError(t('cash_conflict'));
      } else if (code === 'INSUFFICIENT_FUNDS') {
        setErrors({ amount: sentence(fe.message) });
      } else if (fe.field) {
        setErrors({ [fe.field]: sentence(fe.message) });
      } else {
        setFormError(fe.message);
      }
      if (code === undefined || !REFUSED.has(code)) setUnclear(code !== 'CONFLICT');
    } finally {
      setBusy(false);
    }
  }

  const title = deposit ? t('users_deposit_name', ltr(user.username)) : t('users_withdraw_name', ltr(user.username));
  if (posted) {
    const amount = formatMoney(posted.amount, currency);
    const balance = formatMoney(posted.balance, currency);
    const shownAccount = ltr(formatAccount(account));
    return (
      <Modal open title={title} onClose={() => onClose(true)}>
        <Notice tone="success" title={deposit ? t('cash_deposited') : t('cash_withdrawn')}>
          {deposit ? t('cash_deposited_text', amount, shownAccount, balance) : t('cash_withdrawn_text', amount, shownAccount, balance)}
        </Notice>
        <div class="modal__actions">
          <Button variant="primary" onClick={() => onClose(true)}>
            {t('common_done')}
          </Button>
        </div>
      </Modal>
    );
  }
  return (
    <Modal open title={title} onClose={() => !busy && onClose(false)}>
      <form class="o-form" onSubmit={(e) => void submit(e)} noValidate>
        <p class="o-muted">
          {t(deposit ? 'cash_deposit_intro' : 'cash_withdraw_intro', ltr(formatAccount(account)), user.displayName)}
        </p>
        <AmountField label={t('common_amount')} currency={currency} value={amount} onValue={setAmount} error={errors.amount} readOnly={unclear} />
        <TextField
          label={t('common_memo_optional')}
          value={memo}
          onValue={setMemo}
          error={errors.memo}
          maxLength={140}
          readOnly={unclear}
          placeholder={deposit ? t('cash_deposit_memo_placeholder') : t('cash_withdraw_memo_placeholder')}
        />
        {formError ? <Notice tone="error">{formError}</Notice> : null}
        {unclear ? <Notice tone="warning">{t('cash_unclear', ltr(`${transferId.slice(0, 8)}…`))}</Notice> : null}
        <div class="modal__actions">
          <Button onClick={() => onClose(unclear)} disabled={busy}>
            {t('common_cancel')}
          </Button>
          <Button type="submit" variant="primary" loading={busy} loadingText={deposit ? t('cash_depositing') : t('cash_withdrawing')}>
            {unclear ? t('common_try_again') : deposit ? t('users_deposit') : t('users_withdraw')}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
