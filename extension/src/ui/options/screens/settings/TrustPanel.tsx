import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AppState } from '../../../../shared/api.js';
import { t } from '../../../../shared/i18n.js';
import { send } from '../../../bridge.js';
import { Button } from '../../../components/Button.js';
import { ConfirmDialog } from '../../../components/Modal.js';
import { Notice } from '../../../components/Notice.js';
import { Panel } from '../../components/ScreenHeader.js';
import { formatFingerprint } from '../../lib/format.js';

/**
 * The relay's identity key, pinned on first use. A changed key blocks the connection until the
 * person decides; both fingerprints are shown so they can be compared with what the bank says
 * (`bank-relay fingerprint`).
 */
export function TrustPanel({ state }: { state: AppState }): JSX.Element {
  const [confirm, setConfirm] = useState<'forget' | 'accept' | null>(null);
  const [done, setDone] = useState<string>();
  const { pinned, current, offered } = state.trust;
  const keyChanged = state.status === 'key-changed';
  // An organization's policy pins the key: nobody here may accept another or forget it.
  const byPolicy = state.policy.relayFingerprint !== undefined;

  async function run(kind: 'forget' | 'accept'): Promise<void> {
    await send({ type: kind === 'forget' ? 'trust.forget' : 'trust.accept' });
    setConfirm(null);
    setDone(kind === 'forget' ? t('trust_forgotten') : t('trust_accepted'));
  }

  return (
    <Panel title={t('trust_title')} id="settings-trust">
      {keyChanged ? (
        <Notice
          tone="error"
          title={t('trust_changed_title')}
          actions={
            byPolicy ? undefined : (
              <Button variant="danger" onClick={() => setConfirm('accept')} disabled={!offered}>
                {t('trust_accept')}
              </Button>
            )
          }
        >
          <p>
            {t('trust_changed_text_before')} <code dir="ltr">{state.settings.relayUrl}</code> {t('trust_changed_text_after')}
          </p>
          <dl class="o-keys">
            <dt>{t('trust_old')}</dt>
            <dd>
              <Fingerprint hex={pinned} />
            </dd>
            <dt>{t('trust_new')}</dt>
            <dd>
              <Fingerprint hex={offered} />
            </dd>
          </dl>
        </Notice>
      ) : null}
      <dl class="o-keys">
        <dt>{t('trust_pinned')}</dt>
        <dd>{pinned ? <Fingerprint hex={pinned} /> : <span class="o-muted">{t('trust_none_yet')}</span>}</dd>
        {current && current !== pinned && !keyChanged ? (
          <>
            <dt>{t('trust_last_presented')}</dt>
            <dd>
              <Fingerprint hex={current} />
            </dd>
          </>
        ) : null}
      </dl>
      {byPolicy ? (
        <p class="o-muted">{t('trust_by_policy')}</p>
      ) : (
        <p class="o-muted">
          {t('trust_compare')} <code dir="ltr">bank-relay fingerprint</code>
          {t('sentence_end')}
        </p>
      )}
      {done ? (
        <p class="o-ok" role="status">
          {done}
        </p>
      ) : null}
      {byPolicy ? null : (
        <div class="o-form__actions">
          <Button variant="secondary" onClick={() => setConfirm('forget')} disabled={!pinned}>
            {t('trust_forget')}
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={confirm === 'forget'}
        title={t('trust_forget_title')}
        confirmLabel={t('trust_forget')}
        onConfirm={() => run('forget')}
        onCancel={() => setConfirm(null)}
      >
        <p>{t('trust_forget_text')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'accept'}
        title={t('trust_accept_title')}
        confirmLabel={t('trust_accept')}
        onConfirm={() => run('accept')}
        onCancel={() => setConfirm(null)}
      >
        <p>{t('trust_accept_text')}</p>
        <p>
          <Fingerprint hex={offered} />
        </p>
      </ConfirmDialog>
    </Panel>
  );
}

function Fingerprint({ hex }: { hex: string | undefined }): JSX.Element {
  if (!hex) return <span class="o-muted">{t('common_unknown')}</span>;
  return (
    <code class="o-fingerprint" title={hex} dir="ltr">
      {formatFingerprint(hex)}
    </code>
  );
}
