import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AppState } from '../../shared/api.js';
import { IconButton } from '../components/Button.js';
import { Icon } from '../components/Icon.js';
import { Notice } from '../components/Notice.js';
import { capitalize } from '../format.js';
import { Register } from './Register.js';
import { SignIn } from './SignIn.js';
import { TopBar } from './TopBar.js';
import { WaitingApproval } from './WaitingApproval.js';
import { openOptionsPage } from './platform.js';

type View = { kind: 'sign-in'; username?: string } | { kind: 'register' } | { kind: 'waiting'; username: string };

/** Sign in, register, and the "waiting for approval" screen after registering. */
export function SignedOut({ state }: { state: AppState }): JSX.Element {
  const [view, setView] = useState<View>({ kind: 'sign-in' });
  const unreachable = state.status === 'offline' || state.status === 'reconnecting';
  return (
    <div class="screen">
      <TopBar state={state}>
        <IconButton label="Settings" onClick={() => openOptionsPage()}>
          <Icon name="gear" />
        </IconButton>
      </TopBar>
      <main class="content">
        <div class="brand">
          <span class="brand__mark" aria-hidden="true">
            DB
          </span>
          <span class="brand__name">Distributed Bank</span>
        </div>
        {unreachable ? (
          <Notice tone="warning" title="Can't reach your bank's relay">
            {state.statusDetail ? `${capitalize(state.statusDetail.replace(/\.$/, ''))}. ` : ''}Still trying; you can sign in once it's back.
          </Notice>
        ) : view.kind === 'sign-in' && state.signedOutReason ? (
          <Notice tone="info" announce>
            {state.signedOutReason}
          </Notice>
        ) : null}
        {view.kind === 'sign-in' ? (
          <SignIn key={view.username ?? ''} initialUsername={view.username} onRegister={() => setView({ kind: 'register' })} />
        ) : view.kind === 'register' ? (
          <Register onRegistered={(username) => setView({ kind: 'waiting', username })} onCancel={() => setView({ kind: 'sign-in' })} />
        ) : (
          <WaitingApproval username={view.username} onDone={() => setView({ kind: 'sign-in', username: view.username })} />
        )}
      </main>
    </div>
  );
}
