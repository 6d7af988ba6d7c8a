import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { isValidAccountNumber, normalizeAccountNumber } from '../../../../../../common/account-number.js';
import { formatMinorPlain, fractionDigitsOf } from '../../../../../../common/money.js';
import { memoSchema } from '../../../../../../common/schemas/primitives.js';
import { t } from '../../../../shared/i18n.js';
import { AmountField } from '../../../components/AmountField.js';
import { Button } from '../../../components/Button.js';
import { Modal } from '../../../components/Modal.js';
import { TextField } from '../../../components/TextField.js';
import { firstIssue } from '../../../rules.js';
import { formatCount, parseMoneyInput } from '../../lib/format.js';
import type { PreviewRow } from '../../lib/payments.js';
import { sentence } from '../../lib/text.js';

/** Fixes one row of the preview: its account, amount and memo (the file itself is not changed). */
export function EditRowDialog({
  row,
  currency,
  onSave,
  onClose,
}: {
  row: PreviewRow;
  currency: string;
  onSave: (row: PreviewRow) => void;
  onClose: () => void;
}): JSX.Element {
  const [account, setAccount] = useState(row.account);
  const [amount, setAmount] = useState(row.amount === null ? '' : formatMinorPlain(row.amount, fractionDigitsOf(currency)));
  const [memo, setMemo] = useState(row.memo ?? '');
  const [errors, setErrors] = useState<{ account?: string; amount?: string; memo?: string }>({});

  function save(e: Event): void {
    e.preventDefault();
    const found: typeof errors = {};
    const normalized = normalizeAccountNumber(account);
    if (normalized === '') found.account = t('payments_problem_account_missing');
    else if (!isValidAccountNumber(normalized)) found.account = t('transactions_account_invalid');
    const parsed = parseMoneyInput(amount, currency);
    if (!parsed.ok) found.amount = sentence(parsed.error);
    const memoCheck = memoSchema.safeParse(memo);
    if (!memoCheck.success) found.memo = firstIssue(memoCheck.error);
    setErrors(found);
    if (found.account || found.amount || found.memo || !parsed.ok || !memoCheck.success) return;
    const { memo: _m, ...rest } = row;
    onSave({
      ...rest,
      account: normalized,
      amount: parsed.value,
      ...(memoCheck.data !== '' && { memo: memoCheck.data }),
      problems: [],
      edited: true,
      excluded: false,
    });
  }

  return (
    <Modal open title={t('payments_edit_title', formatCount(row.line))} onClose={onClose}>
      <form class="o-form" onSubmit={save} noValidate>
        <TextField label={t('payments_col_account')} value={account} onValue={setAccount} error={errors.account} spellcheck={false} autoComplete="off" dir="ltr" />
        <AmountField label={t('common_amount')} currency={currency} value={amount} onValue={setAmount} error={errors.amount} />
        <TextField label={t('common_memo_optional')} value={memo} onValue={setMemo} error={errors.memo} maxLength={140} />
        <div class="modal__actions">
          <Button onClick={onClose}>{t('common_cancel')}</Button>
          <Button type="submit" variant="primary">
            {t('payments_edit_save')}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
