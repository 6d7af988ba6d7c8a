import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { newPasswordSchema } from '../../../../../../common/schemas/primitives.js';
import { call } from '../../../bridge.js';
import { Button } from '../../../components/Button.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { Panel } from '../../components/ScreenHeader.js';
import { errorCode, fieldError } from '../../lib/errors.js';
import { firstIssue, sentence } from '../../lib/text.js';

type Field = 'oldPassword' | 'newPassword' | 'confirm';
type Errors = Partial<Record<Field, string>>;

export function validatePasswordChange(form: Record<Field, string>): Errors {
  const errors: Errors = {};
  if (form.oldPassword === '') errors.oldPassword = 'Enter your current password';
  const parsed = newPasswordSchema.safeParse(form.newPassword);
  if (!parsed.success) errors.newPassword = form.newPassword === '' ? 'Enter a new password' : firstIssue(parsed.error);
  else if (form.newPassword === form.oldPassword) errors.newPassword = 'Must differ from the current password';
  if (!errors.newPassword && form.confirm !== form.newPassword) errors.confirm = 'Does not match the new password';
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
        setErrors({ oldPassword: 'The current password is not correct' });
        refs.oldPassword.current?.focus();
      } else setFormError(fe.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel title="Change password" id="settings-password">
      <form class="o-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={form.oldPassword}
          onValue={(v) => edit('oldPassword', v)}
          error={errors.oldPassword}
          inputRef={refs.oldPassword}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          value={form.newPassword}
          onValue={(v) => edit('newPassword', v)}
          error={errors.newPassword}
          hint="At least 8 characters."
          inputRef={refs.newPassword}
        />
        <TextField
          label="Repeat the new password"
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
            Password changed. Your other signed-in sessions were signed out.
          </p>
        ) : null}
        <div class="o-form__actions">
          <Button type="submit" variant="primary" loading={busy} loadingText="Changing…">
            Change password
          </Button>
        </div>
      </form>
    </Panel>
  );
}
