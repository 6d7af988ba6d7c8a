import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AppState } from '../../shared/api.js';
import { send } from '../bridge.js';
import { Button } from '../components/Button.js';
import { Icon } from '../components/Icon.js';
import { ConfirmDialog } from '../components/Modal.js';
import { t } from '../../shared/i18n.js';
import { formatFingerprint } from '../format.js';
import { TopBar } from './TopBar.js';
import { openOptionsPage } from './platform.js';

/**
 * The relay presented a different identity key from the one pinned on first use. That is what
 * an impostor would look like, so everything stops here until the person decides.
 */
export function KeyChangedPanel({ state }: { state: AppState }): JSX.Element {
  const [confirming, setConfirming] = useState(false);
  const { pinned, offered } = state.trust;
  return (
    <div class="screen">
      <TopBar state={state} />
      <main class="content">
        <section class="blocker" aria-labelledby="key-changed-title">
          <Icon name="shield" size={32} class="blocker__icon" />
          <h1 id="key-changed-title" class="blocker__title">
            {t('key_changed_title')}
          </h1>
          <p class="blocker__warning" role="alert">
            <strong>{t('key_changed_warning_strong')}</strong> {t('key_changed_warning')}
          </p>
          <dl class="fingerprints">
            <div>
              <dt>{t('key_changed_pinned')}</dt>
              <dd class="mono" dir="ltr">
                {pinned ? formatFingerprint(pinned) : t('common_unknown')}
              </dd>
            </div>
            <div>
              <dt>{t('key_changed_offered')}</dt>
              <dd class="mono" dir="ltr">
                {offered ? formatFingerprint(offered) : t('common_unknown')}
              </dd>
            </div>
          </dl>
          <div class="stack">
            <Button variant="primary" block onClick={() => openOptionsPage()}>
              {t('key_changed_open_settings')}
            </Button>
            <Button variant="danger" block onClick={() => setConfirming(true)}>
              {t('key_changed_trust_button')}
            </Button>
          </div>
        </section>
      </main>
      <ConfirmDialog
        open={confirming}
        title={t('key_changed_confirm_title')}
        confirmLabel={t('key_changed_confirm_label')}
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          await send({ type: 'trust.accept' });
          setConfirming(false);
        }}
      >
        <p>
          {t('key_changed_confirm_text')}{' '}
          <span class="mono" dir="ltr">
            {offered ? formatFingerprint(offered) : ''}
          </span>
          {t('sentence_end')}
        </p>
      </ConfirmDialog>
    </div>
  );
}
