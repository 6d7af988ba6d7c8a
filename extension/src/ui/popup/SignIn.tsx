import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { send } from '../bridge.js';
import { Button } from '../components/Button.js';
import { Notice } from '../components/Notice.js';
import { TextField } from '../components/TextField.js';
import { t, type MessageKey } from '../../shared/i18n.js';
import { CONNECTION_CODES, connectionTitle, splitFieldMessage, toShownError, type ShownError } from './errors.js';

/** Titles for refusals that are about the person's access, not a typo; the relay's message follows. */
const ACCESS_TITLES: Partial<Record<string, MessageKey>> = {
  LOCKED_OUT: 'sign_in_locked_out',
  FORBIDDEN: 'sign_in_forbidden',
  ACCOUNT_FROZEN: 'sign_in_frozen',
  RATE_LIMITED: 'sign_in_rate_limited',
};

function refusalTitle(code: string): string {
  if (CONNECTION_CODES.has(code)) return connectionTitle(code);
  const key = ACCESS_TITLES[code];
  return key ? t(key) : t('sign_in_failed');
}

export interface SignInProps {
  initialUsername?: string;
  onRegister: () => void;
}

export function SignIn({ initialUsername = '', onRegister }: SignInProps): JSX.Element {
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ username?: string; password?: string }>({});
  const [formError, setFormError] = useState<ShownError>();
  const [busy, setBusy] = useState(false);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useLayoutEffect(() => {
    (initialUsername ? passwordRef : usernameRef).current?.focus();
  }, []);

  async function onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (busy) return;
    const next: typeof errors = {};
    if (!username.trim()) next.username = t('sign_in_username_missing');
    if (!password) next.password = t('sign_in_password_missing');
    setErrors(next);
    setFormError(undefined);
    if (next.username || next.password) {
      (next.username ? usernameRef : passwordRef).current?.focus();
      return;
    }
    setBusy(true);
    try {
      await send({ type: 'login', username: username.trim(), password });
      // Signed in: the background pushes the new state and the wallet replaces this screen.
    } catch (err) {
      const shown = toShownError(err);
      setBusy(false);
      if (shown.code === 'UNAUTHENTICATED') {
        setErrors({ password: shown.message });
        setPassword('');
        passwordRef.current?.focus();
      } else if (shown.code === 'BAD_REQUEST') {
        const { field, text } = splitFieldMessage(shown.message);
        if (field === 'username') setErrors({ username: text });
        else if (field === 'password') setErrors({ password: text });
        else setFormError(shown);
      } else {
        setFormError(shown);
      }
    }
  }

  return (
    <form class="stack" onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="sign-in-title">
      <h1 id="sign-in-title" class="screen-title">
        {t('sign_in_title')}
      </h1>
      <TextField
        label={t('common_username')}
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellcheck={false}
        dir="ltr"
        value={username}
        onValue={(v) => {
          setUsername(v);
          if (errors.username) setErrors({ ...errors, username: undefined });
        }}
        error={errors.username}
        inputRef={usernameRef}
      />
      <TextField
        label={t('common_password')}
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onValue={(v) => {
          setPassword(v);
          if (errors.password) setErrors({ ...errors, password: undefined });
        }}
        error={errors.password}
        inputRef={passwordRef}
      />
      {formError ? (
        <Notice tone="error" title={refusalTitle(formError.code)}>
          {formError.message}
        </Notice>
      ) : null}
      <Button type="submit" variant="primary" block loading={busy} loadingText={t('sign_in_busy')}>
        {t('sign_in_submit')}
      </Button>
      <p class="muted center">
        {t('sign_in_new_here')}{' '}
        <button type="button" class="link" onClick={onRegister}>
          {t('register_title')}
        </button>
      </p>
    </form>
  );
}
