import type { JSX } from 'preact';
import type { AppState } from '../../shared/api.js';
import { t } from '../../shared/i18n.js';
import { send } from '../bridge.js';
import { Button, IconButton } from '../components/Button.js';
import { Icon } from '../components/Icon.js';
import { Notice } from '../components/Notice.js';
import { TextField } from '../components/TextField.js';
import { usePasswordChange } from '../password-change.js';
import { TopBar } from './TopBar.js';

/**
 * The relay asks this person for a new password before anything else (one brought from the old
 * bank that today's rules would not take): the wallet opens once it is changed.
 */
export function ChoosePassword({ state }: { state: AppState }): JSX.Element {
  const { form, errors, formError, busy, refs, edit, submit } = usePasswordChange();
  return (
    <div class="screen">
      <TopBar state={state}>
        <IconButton label={t('common_lock')} onClick={() => void send({ type: 'lock' }).catch(() => undefined)}>
          <Icon name="lock" />
        </IconButton>
      </TopBar>
      <main class="content">
        <form class="stack" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="choose-password-title">
          <h1 id="choose-password-title" class="screen-title">
            {t('choose_password_title')}
          </h1>
          <p class="muted">{t('choose_password_text')}</p>
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
          <Button type="submit" variant="primary" block loading={busy} loadingText={t('password_changing')}>
            {t('password_title')}
          </Button>
        </form>
      </main>
    </div>
  );
}
