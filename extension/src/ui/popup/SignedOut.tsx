import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AppState } from '../../shared/api.js';
import { IconButton } from '../components/Button.js';
import { Icon } from '../components/Icon.js';
import { Notice } from '../components/Notice.js';
import { t } from '../../shared/i18n.js';
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
        <IconButton label={t('common_settings')} onClick={() => openOptionsPage()}>
          <Icon name="gear" />
        </IconButton>
      </TopBar>
      <main class="content">
        <div class="brand">
          <span class="brand__mark" aria-hidden="true">
            {t('brand_mark')}
          </span>
          <span class="brand__name">{t('extName')}</span>
        </div>
        {unreachable ? (
          <Notice tone="warning" title={t('signed_out_unreachable_title')}>
            {state.statusDetail ? `${capitalize(state.statusDetail.replace(/\.$/, ''))}${t('sentence_end')} ` : ''}
            {t('signed_out_unreachable_text')}
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
