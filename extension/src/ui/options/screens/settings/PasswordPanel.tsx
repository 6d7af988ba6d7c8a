import type { JSX } from 'preact';
import { t } from '../../../../shared/i18n.js';
import { Button } from '../../../components/Button.js';
import { Notice } from '../../../components/Notice.js';
import { TextField } from '../../../components/TextField.js';
import { usePasswordChange } from '../../../password-change.js';
import { Panel } from '../../components/ScreenHeader.js';

export function PasswordPanel(): JSX.Element {
  const { form, errors, formError, done, busy, refs, edit, submit } = usePasswordChange();

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
