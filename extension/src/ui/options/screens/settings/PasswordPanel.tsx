import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { newPasswordSchema } from '../../../../../../common/schemas/primitives.js';
import { t } from '../../../../shared/i18n.js';
import { call } from '../../../bridge.js';
import { Button } from '../../../components/Button.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { Panel } from '../../components/ScreenHeader.js';
import { errorCode, fieldError } from '../../lib/errors.js';
import { firstIssue } from '../../../rules.js';
import { sentence } from '../../lib/text.js';

type Field = 'oldPassword' | 'newPassword' | 'confirm';
type Errors = Partial<Record<Field, string>>;

export function validatePasswordChange(form: Record<Field, string>): Errors {
  const errors: Errors = {};
  if (form.oldPassword === '') errors.oldPassword = t('password_current_missing');
  const parsed = newPasswordSchema.safeParse(form.newPassword);
  if (!parsed.success) errors.newPassword = form.newPassword === '' ? t('password_new_missing') : firstIssue(parsed.error);
  else if (form.newPassword === form.oldPassword) errors.newPassword = t('password_new_same');
  if (!errors.newPassword && form.confirm !== form.newPassword) errors.confirm = t('password_confirm_mismatch');
  return errors;
}

const EMPTY = { oldPassword: '', newPassword: '', confirm: '' };

export function PasswordPanel(): JSX.Element {
  const [form, setForm] = useState<Record<Field, string>>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const refs = { oldPassword: useRef<HTMLInputElement>(null), newPassword: useRef<HTMLInputElement>(null), confirm: useRef<HTMLInputElement>(null) };

  function edit(field: Field, value: string): void {
    setForm((f) => ({ ...f, [field]: value }));
    setDone(false);
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  }

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setFormError(undefined);
    const found = validatePasswordChange(form);
    setErrors(found);
    const first = (['oldPassword', 'newPassword', 'confirm'] as const).find((f) => found[f]);
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

  return (
    <Panel title={t('password_title')} id="settings-password">
      <form class="o-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t('password_current')}
          type="password"
          autoComplete="current-password"
          value={form.oldPassword}
          onValue={(v) => edit('oldPassword', v)}
          error={errors.oldPassword}
          inputRef={refs.oldPassword}
        />
        <TextField
          label={t('password_new')}
          type="password"
          autoComplete="new-password"
          value={form.newPassword}
          onValue={(v) => edit('newPassword', v)}
          error={errors.newPassword}
          hint={t('password_new_hint')}
          inputRef={refs.newPassword}
        />
        <TextField
          label={t('password_repeat')}
          type="password"
          autoComplete="new-password"
          value={form.confirm}
          onValue={(v) => edit('confirm', v)}
          error={errors.confirm}
          inputRef={refs.confirm}
        />
        {formError ? <Notice tone="error">{formError}</Notice> : null}
        {done ? (
          <p class="o-ok" role="status">
            {t('password_changed')}
          </p>
        ) : null}
        <div class="o-form__actions">
          <Button type="submit" variant="primary" loading={busy} loadingText={t('password_changing')}>
            {t('password_title')}
          </Button>
        </div>
      </form>
    </Panel>
  );
}
