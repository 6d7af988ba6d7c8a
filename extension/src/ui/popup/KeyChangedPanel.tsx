import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AppState } from '../../shared/api.js';
import { send } from '../bridge.js';
import { Button } from '../components/Button.js';
import { Icon } from '../components/Icon.js';
import { ConfirmDialog } from '../components/Modal.js';
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
            The relay's identity key changed
          </h1>
          <p class="blocker__warning" role="alert">
            <strong>Don't sign in or send money yet.</strong> Someone may be pretending to be your bank. Only trust the new key if your bank
            has told you it changed, and the fingerprint below matches what they gave you.
          </p>
          <dl class="fingerprints">
            <div>
              <dt>Key you trusted before</dt>
              <dd class="mono">{pinned ? formatFingerprint(pinned) : 'unknown'}</dd>
            </div>
            <div>
              <dt>Key the relay shows now</dt>
              <dd class="mono">{offered ? formatFingerprint(offered) : 'unknown'}</dd>
            </div>
          </dl>
          <div class="stack">
            <Button variant="primary" block onClick={() => openOptionsPage()}>
              Open settings
            </Button>
            <Button variant="danger" block onClick={() => setConfirming(true)}>
              Trust the new key…
            </Button>
          </div>
        </section>
      </main>
      <ConfirmDialog
        open={confirming}
        title="Trust the new key?"
        confirmLabel="Trust the new key"
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          await send({ type: 'trust.accept' });
          setConfirming(false);
        }}
      >
        <p>
          Do this only if your bank confirmed its new key. From now on this extension will talk to the relay holding the key{' '}
          <span class="mono">{offered ? formatFingerprint(offered) : ''}</span>.
        </p>
      </ConfirmDialog>
    </div>
  );
}
