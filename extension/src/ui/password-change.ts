import type { RefObject } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { newPasswordSchema } from '../../../common/schemas/primitives.js';
import { t } from '../shared/i18n.js';
import { call } from './bridge.js';
import { errorCode, fieldError } from './options/lib/errors.js';
import { sentence } from './options/lib/text.js';
import { firstIssue } from './rules.js';

/*
 * Changing one's password (auth.changePassword), the same on every page that offers it: the
 * options page's Password panel, and the popup when the relay asks for a new password before
 * anything else (an imported password below today's rules).
 */

export type PasswordField = 'oldPassword' | 'newPassword' | 'confirm';
export type PasswordErrors = Partial<Record<PasswordField, string>>;

export function validatePasswordChange(form: Record<PasswordField, string>): PasswordErrors {
  const errors: PasswordErrors = {};
  if (form.oldPassword === '') errors.oldPassword = t('password_current_missing');
  const parsed = newPasswordSchema.safeParse(form.newPassword);
  if (!parsed.success) errors.newPassword = form.newPassword === '' ? t('password_new_missing') : firstIssue(parsed.error);
  else if (form.newPassword === form.oldPassword) errors.newPassword = t('password_new_same');
  if (!errors.newPassword && form.confirm !== form.newPassword) errors.confirm = t('password_confirm_mismatch');
  return errors;
}

const EMPTY = { oldPassword: '', newPassword: '', confirm: '' };
const FIELDS = ['oldPassword', 'newPassword', 'confirm'] as const;

export interface PasswordChange {
  form: Record<PasswordField, string>;
  errors: PasswordErrors;
  /** A problem that is about no one field (the relay unreachable, say). */
  formError: string | undefined;
  done: boolean;
  busy: boolean;
  refs: Record<PasswordField, RefObject<HTMLInputElement>>;
  edit(field: PasswordField, value: string): void;
  submit(e: Event): Promise<void>;
}

/** The form's state: checked here first, then sent; the first field in error gets the focus. */
export function usePasswordChange(): PasswordChange {
  const [form, setForm] = useState<Record<PasswordField, string>>(EMPTY);
  const [errors, setErrors] = useState<PasswordErrors>({});
  const [formError, setFormError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const refs = { oldPassword: useRef<HTMLInputElement>(null), newPassword: useRef<HTMLInputElement>(null), confirm: useRef<HTMLInputElement>(null) };

  function edit(field: PasswordField, value: string): void {
    setForm((f) => ({ ...f, [field]: value }));
    setDone(false);
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  }

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setFormError(undefined);
    const found = validatePasswordChange(form);
    setErrors(found);
    const first = FIELDS.find((f) => found[f]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    setBusy(true);
    try {
      await call('auth.changePassword', { oldPassword: form.oldPassword, newPassword: form.newPassword });
      setForm(EMPTY);
      setDone(true);
    } catch (err) {
      const fe = fieldError(err, ['oldPassword', 'newPassword'] as const);
      if (fe.field) setErrors({ [fe.field]: sentence(fe.message) });
      else if (errorCode(err) === 'UNAUTHENTICATED' && /current password/i.test(fe.message)) {
        setErrors({ oldPassword: t('password_current_wrong') });
        refs.oldPassword.current?.focus();
      } else setFormError(fe.message);
    } finally {
      setBusy(false);
    }
  }

  return { form, errors, formError, done, busy, refs, edit, submit };
}
