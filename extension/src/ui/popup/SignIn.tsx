import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { send } from '../bridge.js';
import { Button } from '../components/Button.js';
import { Notice } from '../components/Notice.js';
import { TextField } from '../components/TextField.js';
import { CONNECTION_CODES, connectionTitle, splitFieldMessage, toShownError, type ShownError } from './errors.js';

/** Titles for refusals that are about the person's access, not a typo; the relay's message follows. */
const ACCESS_TITLES: Record<string, string> = {
  LOCKED_OUT: 'Sign-in is paused',
  FORBIDDEN: "You can't sign in yet",
  ACCOUNT_FROZEN: 'Your account is frozen',
  RATE_LIMITED: 'Too many attempts',
};

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
    if (!username.trim()) next.username = 'Enter your username';
    if (!password) next.password = 'Enter your password';
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
        Sign in
      </h1>
      <TextField
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellcheck={false}
        value={username}
        onValue={(v) => {
          setUsername(v);
          if (errors.username) setErrors({ ...errors, username: undefined });
        }}
        error={errors.username}
        inputRef={usernameRef}
      />
      <TextField
        label="Password"
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
        <Notice
          tone="error"
          title={CONNECTION_CODES.has(formError.code) ? connectionTitle(formError.code) : (ACCESS_TITLES[formError.code] ?? "Couldn't sign in")}
        >
          {formError.message}
        </Notice>
      ) : null}
      <Button type="submit" variant="primary" block loading={busy} loadingText="Signing in…">
        Sign in
      </Button>
      <p class="muted center">
        New to Distributed Bank?{' '}
        <button type="button" class="link" onClick={onRegister}>
          Create an account
        </button>
      </p>
    </form>
  );
}
