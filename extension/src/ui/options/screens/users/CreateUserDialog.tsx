import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { User } from '../../../../../../common/schemas/models.js';
import { displayNameSchema, passwordSchema, usernameSchema } from '../../../../../../common/schemas/primitives.js';
import { t } from '../../../../shared/i18n.js';
import { call } from '../../../bridge.js';
import { AmountField } from '../../../components/AmountField.js';
import { Button } from '../../../components/Button.js';
import { Modal } from '../../../components/Modal.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { SelectField } from '../../components/SelectField.js';
import { errorCode, fieldError } from '../../lib/errors.js';
import { DEFAULT_CURRENCY, parseMoneyInput } from '../../lib/format.js';
import { firstIssue } from '../../../rules.js';
import { sentence } from '../../lib/text.js';

type Field = 'username' | 'displayName' | 'password' | 'role' | 'openingDeposit';
const FIELDS: readonly Field[] = ['username', 'displayName', 'password', 'role', 'openingDeposit'];

export interface CreateUserForm {
  username: string;
  displayName: string;
  password: string;
  role: 'user' | 'admin';
  openingDeposit: string;
}

export type CreateUserArgs = {
  username: string;
  displayName: string;
  password: string;
  role: 'user' | 'admin';
  openingDeposit?: number;
};

/** The args for admin.user.create, or the message for each field that is wrong. */
export function validateCreateUser(form: CreateUserForm, currency = DEFAULT_CURRENCY): { args?: CreateUserArgs; errors: Partial<Record<Field, string>> } {
  const errors: Partial<Record<Field, string>> = {};
  const username = usernameSchema.safeParse(form.username);
  if (!username.success) errors.username = form.username.trim() === '' ? t('create_user_username_missing') : firstIssue(username.error);
  const displayName = displayNameSchema.safeParse(form.displayName);
  if (!displayName.success) errors.displayName = form.displayName.trim() === '' ? t('user_name_missing') : firstIssue(displayName.error);
  const password = passwordSchema.safeParse(form.password);
  if (!password.success) errors.password = form.password === '' ? t('create_user_password_missing') : firstIssue(password.error);
  let openingDeposit: number | undefined;
  if (form.role === 'user' && form.openingDeposit.trim() !== '') {
    const amount = parseMoneyInput(form.openingDeposit, currency);
    if (amount.ok) openingDeposit = amount.value;
    else errors.openingDeposit = sentence(amount.error);
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    args: {
      username: form.username.trim(),
      displayName: form.displayName.trim(),
      password: form.password,
      role: form.role,
      ...(openingDeposit !== undefined && { openingDeposit }),
    },
    errors,
  };
}

export function CreateUserDialog({ onClose, onCreated, currency = DEFAULT_CURRENCY }: { onClose: () => void; onCreated: (user: User) => void; currency?: string }): JSX.Element {
  const [form, setForm] = useState<CreateUserForm>({ username: '', displayName: '', password: '', role: 'user', openingDeposit: '' });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  function edit(patch: Partial<CreateUserForm>): void {
    setForm((f) => ({ ...f, ...patch }));
    const keys = Object.keys(patch) as Field[];
    if (keys.some((k) => errors[k])) setErrors((e) => ({ ...e, ...Object.fromEntries(keys.map((k) => [k, undefined])) }));
  }

  function focusFirstError(): void {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setFormError(undefined);
    const { args, errors: found } = validateCreateUser(form, currency);
    setErrors(found);
    if (!args) {
      focusFirstError();
      return;
    }
    setBusy(true);
    try {
      const result = await call('admin.user.create', args);
      onCreated(result.user as User);
    } catch (err) {
      const fe = fieldError(err, FIELDS);
      if (fe.field) setErrors({ [fe.field]: sentence(fe.message) });
      else if (errorCode(err) === 'CONFLICT') setErrors({ username: sentence(fe.message) });
      else setFormError(fe.message);
      focusFirstError();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open title={t('users_create')} onClose={() => !busy && onClose()}>
      <form ref={formRef} class="o-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t('common_username')}
          value={form.username}
          onValue={(username) => edit({ username })}
          error={errors.username}
          hint={t('create_user_username_hint')}
          autoComplete="off"
          spellcheck={false}
          dir="ltr"
        />
        <TextField
          label={t('user_display_name')}
          value={form.displayName}
          onValue={(displayName) => edit({ displayName })}
          error={errors.displayName}
          autoComplete="off"
        />
        <TextField
          label={t('create_user_password')}
          type="password"
          value={form.password}
          onValue={(password) => edit({ password })}
          error={errors.password}
          hint={t('create_user_password_hint')}
          autoComplete="new-password"
        />
        <SelectField
          label={t('sessions_col_role')}
          value={form.role}
          options={[
            { value: 'user', label: t('create_user_role_customer') },
            { value: 'admin', label: t('create_user_role_admin') },
          ]}
          onValue={(role) => edit({ role: role === 'admin' ? 'admin' : 'user' })}
          error={errors.role}
        />
        {form.role === 'user' ? (
          <AmountField
            label={t('create_user_opening_deposit')}
            currency={currency}
            value={form.openingDeposit}
            onValue={(openingDeposit) => edit({ openingDeposit })}
            error={errors.openingDeposit}
            hint={t('create_user_opening_deposit_hint')}
          />
        ) : null}
        {formError ? <Notice tone="error">{formError}</Notice> : null}
        <div class="modal__actions">
          <Button onClick={onClose} disabled={busy}>
            {t('common_cancel')}
          </Button>
          <Button type="submit" variant="primary" loading={busy} loadingText={t('create_user_creating')}>
            {t('users_create')}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
