import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { User } from '../../../../../../common/schemas/models.js';
import { memoSchema } from '../../../../../../common/schemas/primitives.js';
import { call } from '../../../bridge.js';
import { AmountField } from '../../../components/AmountField.js';
import { Button } from '../../../components/Button.js';
import { Modal } from '../../../components/Modal.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { errorCode, fieldError } from '../../lib/errors.js';
import { formatAccount, formatMoney, parseMoneyInput } from '../../lib/format.js';
import { firstIssue, sentence } from '../../lib/text.js';

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
  const verb = deposit ? 'Deposit' : 'Withdraw';

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
        setFormError('This transfer id was already used with other details, so an earlier attempt went through. Close this dialog and check the balance.');
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

  const title = `${verb} ${deposit ? 'to' : 'from'} ${user.username}`;
  if (posted) {
    return (
      <Modal open title={title} onClose={() => onClose(true)}>
        <Notice tone="success" title={deposit ? 'Deposited' : 'Withdrawn'}>
          {formatMoney(posted.amount, currency)} {deposit ? 'paid into' : 'paid out of'} {formatAccount(account)}. New balance:{' '}
          {formatMoney(posted.balance, currency)}.
        </Notice>
        <div class="modal__actions">
          <Button variant="primary" onClick={() => onClose(true)}>
            Done
          </Button>
        </div>
      </Modal>
    );
  }
  return (
    <Modal open title={title} onClose={() => !busy && onClose(false)}>
      <form class="o-form" onSubmit={(e) => void submit(e)} noValidate>
        <p class="o-muted">
          {deposit ? 'Cash paid in to' : 'Cash paid out of'} account {formatAccount(account)} ({user.displayName}), against the bank's cash account.
        </p>
        <AmountField label="Amount" currency={currency} value={amount} onValue={setAmount} error={errors.amount} readOnly={unclear} />
        <TextField
          label="Memo (optional)"
          value={memo}
          onValue={setMemo}
          error={errors.memo}
          maxLength={140}
          readOnly={unclear}
          placeholder={deposit ? 'e.g. Cash at the counter' : 'e.g. Paid out at the counter'}
        />
        {formError ? <Notice tone="error">{formError}</Notice> : null}
        {unclear ? (
          <Notice tone="warning">
            The first attempt may have gone through. Trying again sends the very same request (transfer id {transferId.slice(0, 8)}…), which never
            moves the money twice.
          </Notice>
        ) : null}
        <div class="modal__actions">
          <Button onClick={() => onClose(unclear)} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={busy} loadingText={deposit ? 'Depositing…' : 'Withdrawing…'}>
            {unclear ? 'Try again' : verb}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
