import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AppState } from '../../../../shared/api.js';
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
    setDone(kind === 'forget' ? 'The key was forgotten; the next connection pins the key the relay presents.' : 'The new key is trusted; reconnecting.');
  }

  return (
    <Panel title="Relay identity key" id="settings-trust">
      {keyChanged ? (
        <Notice
          tone="error"
          title="The relay's key has changed"
          actions={
            byPolicy ? undefined : (
              <Button variant="danger" onClick={() => setConfirm('accept')} disabled={!offered}>
                Trust new key
              </Button>
            )
          }
        >
          <p>
            The relay at <code>{state.settings.relayUrl}</code> presented a different identity key from the one this browser trusts, so the
            extension refuses to talk to it. Trust the new key only if your bank told you it changed; otherwise someone may be in the middle of
            the connection.
          </p>
          <dl class="o-keys">
            <dt>Trusted (old)</dt>
            <dd>
              <Fingerprint hex={pinned} />
            </dd>
            <dt>Presented now (new)</dt>
            <dd>
              <Fingerprint hex={offered} />
            </dd>
          </dl>
        </Notice>
      ) : null}
      <dl class="o-keys">
        <dt>Pinned fingerprint (SHA-256)</dt>
        <dd>{pinned ? <Fingerprint hex={pinned} /> : <span class="o-muted">None yet: the first connection pins the relay's key.</span>}</dd>
        {current && current !== pinned && !keyChanged ? (
          <>
            <dt>Presented on the last connection</dt>
            <dd>
              <Fingerprint hex={current} />
            </dd>
          </>
        ) : null}
      </dl>
      {byPolicy ? (
        <p class="o-muted">
          Pinned by your organization: the extension talks only to a relay with this key, and it cannot be changed here. If the relay presents
          another, ask your IT department.
        </p>
      ) : (
        <p class="o-muted">Compare it with what your bank's operator reads from <code>bank-relay fingerprint</code>.</p>
      )}
      {done ? (
        <p class="o-ok" role="status">
          {done}
        </p>
      ) : null}
      {byPolicy ? null : (
        <div class="o-form__actions">
          <Button variant="secondary" onClick={() => setConfirm('forget')} disabled={!pinned}>
            Forget key
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={confirm === 'forget'}
        title="Forget the pinned key?"
        confirmLabel="Forget key"
        onConfirm={() => run('forget')}
        onCancel={() => setConfirm(null)}
      >
        <p>
          The next connection will trust whatever key the relay presents and pin it. Do this only when the relay's key was replaced on purpose.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'accept'}
        title="Trust the relay's new key?"
        confirmLabel="Trust new key"
        onConfirm={() => run('accept')}
        onCancel={() => setConfirm(null)}
      >
        <p>Only if your bank told you the key changed and the new fingerprint matches theirs:</p>
        <p>
          <Fingerprint hex={offered} />
        </p>
      </ConfirmDialog>
    </Panel>
  );
}

function Fingerprint({ hex }: { hex: string | undefined }): JSX.Element {
  if (!hex) return <span class="o-muted">unknown</span>;
  return (
    <code class="o-fingerprint" title={hex}>
      {formatFingerprint(hex)}
    </code>
  );
}
