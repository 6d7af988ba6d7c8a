import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { User } from '../../../../../../common/schemas/models.js';
import { displayNameSchema, newPasswordSchema } from '../../../../../../common/schemas/primitives.js';
import { ltr, t } from '../../../../shared/i18n.js';
import { call } from '../../../bridge.js';
import { AmountField } from '../../../components/AmountField.js';
import { Button } from '../../../components/Button.js';
import { Modal } from '../../../components/Modal.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { fieldError } from '../../lib/errors.js';
import { formatCount, formatMinorDecimal, parseMoneyInput } from '../../lib/format.js';
import { firstIssue } from '../../../rules.js';
import { sentence } from '../../lib/text.js';

type Field = 'displayName' | 'perTransfer' | 'perDay' | 'password';

export interface EditUserForm {
  displayName: string;
  perTransfer: string;
  perDay: string;
  password: string;
}

export interface EditUserArgs {
  username: string;
  displayName?: string;
  password?: string;
  limits?: { perTransfer?: number; perDay?: number };
}

export function editFormOf(user: User, currency: string): EditUserForm {
  return {
    displayName: user.displayName,
    perTransfer: formatMinorDecimal(user.limits.perTransfer, currency),
    perDay: formatMinorDecimal(user.limits.perDay, currency),
    password: '',
  };
}

/** Only what changed goes to admin.user.update; nothing changed is an error of its own. */
export function validateEditUser(user: User, form: EditUserForm, currency: string): { args?: EditUserArgs; errors: Partial<Record<Field, string>>; formError?: string } {
  const errors: Partial<Record<Field, string>> = {};
  const args: EditUserArgs = { username: user.username };
  const name = displayNameSchema.safeParse(form.displayName);
  if (!name.success) errors.displayName = form.displayName.trim() === '' ? t('user_name_missing') : firstIssue(name.error);
  else if (name.data !== user.displayName) args.displayName = name.data;
  const limits: { perTransfer?: number; perDay?: number } = {};
  for (const key of ['perTransfer', 'perDay'] as const) {
    const amount = parseMoneyInput(form[key], currency, { allowZero: true });
    if (!amount.ok) errors[key] = sentence(amount.error);
    else if (amount.value !== user.limits[key]) limits[key] = amount.value;
  }
  if (Object.keys(limits).length > 0) args.limits = limits;
  if (form.password !== '') {
    const password = newPasswordSchema.safeParse(form.password);
    if (!password.success) errors.password = firstIssue(password.error);
    else args.password = form.password;
  }
  if (Object.keys(errors).length > 0) return { errors };
  if (args.displayName === undefined && args.limits === undefined && args.password === undefined) {
    return { errors, formError: t('edit_user_nothing_changed') };
  }
  return { args, errors };
}

export function EditUserDialog({
  user,
  me,
  onClose,
  onSaved,
}: {
  user: User;
  /** The administrator using the page. */
  me: string | undefined;
  onClose: () => void;
  /** `awaitingApproval`: the new password waits for a second administrator. */
  onSaved: (user: User, awaitingApproval: boolean) => void;
}): JSX.Element {
  const currency = user.accounts[0]?.currency ?? 'USD';
  const isCustomer = user.role === 'user';
  const needsApproval = user.role === 'admin' && user.username !== me;
  const [form, setForm] = useState<EditUserForm>(() => editFormOf(user, currency));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  function edit(patch: Partial<EditUserForm>): void {
    setForm((f) => ({ ...f, ...patch }));
    setFormError(undefined);
    const keys = Object.keys(patch) as Field[];
    if (keys.some((k) => errors[k])) setErrors((e) => ({ ...e, ...Object.fromEntries(keys.map((k) => [k, undefined])) }));
  }

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    const { args, errors: found, formError: problem } = validateEditUser(user, form, currency);
    setErrors(found);
    setFormError(problem);
    if (!args) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    try {
      const result = await call('admin.user.update', args);
      onSaved(result.user as User, args.password !== undefined && needsApproval);
    } catch (err) {
      const fe = fieldError(err, ['displayName', 'perTransfer', 'perDay', 'password'] as const);
      if (fe.field) setErrors({ [fe.field]: sentence(fe.message) });
      else setFormError(fe.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open title={t('users_menu_edit_name', ltr(user.username))} onClose={() => !busy && onClose()}>
      <form ref={formRef} class="o-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t('user_display_name')}
          value={form.displayName}
          onValue={(displayName) => edit({ displayName })}
          error={errors.displayName}
          autoComplete="off"
        />
        {isCustomer ? (
          <fieldset class="o-fieldset">
            <legend>{t('edit_user_limits')}</legend>
            <AmountField
              label={t('edit_user_per_transfer')}
              currency={currency}
              value={form.perTransfer}
              onValue={(perTransfer) => edit({ perTransfer })}
              error={errors.perTransfer}
            />
            <AmountField
              label={t('edit_user_per_day')}
              currency={currency}
              value={form.perDay}
              onValue={(perDay) => edit({ perDay })}
              error={errors.perDay}
              hint={t('edit_user_per_day_hint', formatCount(0))}
            />
          </fieldset>
        ) : null}
        <TextField
          label={t('edit_user_password')}
          type="password"
          value={form.password}
          onValue={(password) => edit({ password })}
          error={errors.password}
          hint={needsApproval ? t('edit_user_password_hint_approval') : t('edit_user_password_hint')}
          autoComplete="new-password"
        />
        {formError ? <Notice tone="error">{formError}</Notice> : null}
        <div class="modal__actions">
          <Button onClick={onClose} disabled={busy}>
            {t('common_cancel')}
          </Button>
          <Button type="submit" variant="primary" loading={busy} loadingText={t('common_saving')}>
            {t('edit_user_save')}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
