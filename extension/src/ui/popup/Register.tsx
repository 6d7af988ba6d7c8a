import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { displayNameSchema, passwordSchema, usernameSchema } from '../../../../common/schemas/primitives.js';
import { send } from '../bridge.js';
import { Button } from '../components/Button.js';
import { Notice } from '../components/Notice.js';
import { TextField } from '../components/TextField.js';
import { t } from '../../shared/i18n.js';
import { firstIssue } from '../rules.js';
import { CONNECTION_CODES, connectionTitle, splitFieldMessage, toShownError, type ShownError } from './errors.js';

type Field = 'username' | 'displayName' | 'password' | 'confirm';
type Errors = Partial<Record<Field, string>>;

/** The relay's own field rules (common/schemas), so the form says what the relay would. */
function problemOf(schema: z.ZodType, value: string): string | undefined {
  const r = schema.safeParse(value);
  return r.success ? undefined : firstIssue(r.error);
}

export interface RegisterProps {
  onRegistered: (username: string) => void;
  onCancel: () => void;
}

export function Register({ onRegistered, onCancel }: RegisterProps): JSX.Element {
  const [values, setValues] = useState<Record<Field, string>>({ username: '', displayName: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<ShownError>();
  const [busy, setBusy] = useState(false);
  const refs = {
    username: useRef<HTMLInputElement>(null),
    displayName: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
    confirm: useRef<HTMLInputElement>(null),
  };

  useLayoutEffect(() => refs.username.current?.focus(), []);

  function validate(v: Record<Field, string>): Errors {
    const out: Errors = {};
    out.username = v.username.trim() ? problemOf(usernameSchema, v.username) : t('register_username_missing');
    out.displayName = v.displayName.trim() ? problemOf(displayNameSchema, v.displayName) : t('register_name_missing');
    out.password = v.password ? problemOf(passwordSchema, v.password) : t('register_password_missing');
    out.confirm = v.confirm === v.password ? undefined : t('register_confirm_mismatch');
    for (const k of Object.keys(out) as Field[]) if (!out[k]) delete out[k];
    return out;
  }

  function set(field: Field, value: string): void {
    setValues({ ...values, [field]: value });
    if (errors[field]) setErrors({ ...errors, [field]: undefined });
  }

  async function onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (busy) return;
    const found = validate(values);
    setErrors(found);
    setFormError(undefined);
    const first = (['username', 'displayName', 'password', 'confirm'] as const).find((f) => found[f]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    setBusy(true);
    try {
      await send({ type: 'register', username: values.username.trim(), displayName: values.displayName.trim(), password: values.password });
      onRegistered(values.username.trim());
    } catch (err) {
      const shown = toShownError(err);
      setBusy(false);
      if (shown.code === 'CONFLICT') {
        setErrors({ username: shown.message });
        refs.username.current?.focus();
      } else if (shown.code === 'BAD_REQUEST') {
        const { field, text } = splitFieldMessage(shown.message);
        const known = field === 'username' ? 'username' : field === 'displayname' ? 'displayName' : field === 'password' ? 'password' : undefined;
        if (known) {
          setErrors({ [known]: text });
          refs[known].current?.focus();
        } else setFormError(shown);
      } else setFormError(shown);
    }
  }

  const field = (name: Field) => ({
    value: values[name],
    onValue: (v: string) => set(name, v),
    error: errors[name],
    inputRef: refs[name],
    onBlur: () => {
      // Tell about a problem once the person leaves a field they typed in, not while they type.
      if (!values[name]) return;
      const found = validate(values)[name];
      if (found !== errors[name]) setErrors({ ...errors, [name]: found });
    },
  });

  return (
    <form class="stack" onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="register-title">
      <h1 id="register-title" class="screen-title">
        {t('register_title')}
      </h1>
      <TextField
        label={t('common_username')}
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellcheck={false}
        dir="ltr"
        hint={t('register_username_hint')}
        {...field('username')}
      />
      <TextField label={t('register_name_label')} name="name" autoComplete="name" hint={t('register_name_hint')} {...field('displayName')} />
      <TextField label={t('common_password')} name="new-password" type="password" autoComplete="new-password" hint={t('register_password_hint')} {...field('password')} />
      <TextField label={t('register_confirm_label')} name="confirm-password" type="password" autoComplete="new-password" {...field('confirm')} />
      {formError ? (
        <Notice tone="error" title={CONNECTION_CODES.has(formError.code) ? connectionTitle(formError.code) : t('register_failed')}>
          {formError.message}
        </Notice>
      ) : null}
      <Button type="submit" variant="primary" block loading={busy} loadingText={t('common_sending')}>
        {t('register_submit')}
      </Button>
      <p class="muted center">
        {t('register_have_account')}{' '}
        <button type="button" class="link" onClick={onCancel}>
          {t('sign_in_submit')}
        </button>
      </p>
    </form>
  );
}
