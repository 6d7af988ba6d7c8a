import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { formatAccountNumber } from '../../../../common/account-number.js';
import type { AppState } from '../../shared/api.js';
import { send } from '../bridge.js';
import { Button, IconButton } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { Icon } from '../components/Icon.js';
import { Notice } from '../components/Notice.js';
import { ltr, t } from '../../shared/i18n.js';
import { ActivityList } from './ActivityList.js';
import { BalanceAnnouncer } from './BalanceAnnouncer.js';
import { BalanceCard } from './BalanceCard.js';
import { NotificationsPanel } from './NotificationsPanel.js';
import { TopBar } from './TopBar.js';
import { openOptionsPage } from './platform.js';
import { SendFlow } from './send/SendFlow.js';
import { clearSendSession, getSendSession, restoreSendSession, type SendSession } from './send/send-session.js';
import { useHistory } from './use-history.js';

type View = 'home' | 'send' | 'notifications';

/** The signed-in popup: top bar, then the wallet home, the send flow or the notifications. */
export function Wallet({ state }: { state: AppState }): JSX.Element {
  const user = state.user!;
  const account = state.accounts[0];
  const [view, setView] = useState<View>('home');
  const [cameBack, setCameBack] = useState(false);
  const history = useHistory(state.recent, state.recentNext, user.legacy?.account !== undefined);
  const [unfinished, setUnfinished] = useState<SendSession | undefined>(() => getSendSession(user.username));

  useEffect(() => {
    void restoreSendSession(user.username).then(setUnfinished);
  }, []);

  useEffect(() => {
    if (view !== 'home') return;
    setUnfinished(getSendSession(user.username));
    // Back from a sub-screen: put the keyboard where the person left off.
    if (cameBack) document.getElementById('send-button')?.focus();
  }, [view]);

  function go(next: View): void {
    setCameBack(next === 'home');
    setView(next);
  }

  // An unanswered transfer that has since shown up in the activity was paid: nothing is pending.
  const postedMeanwhile = Boolean(unfinished?.transferId && state.recent.some((e) => e.transferId === unfinished.transferId));
  useEffect(() => {
    if (postedMeanwhile && view === 'home') {
      clearSendSession();
      setUnfinished(undefined);
    }
  }, [postedMeanwhile, view]);

  function signOut(): void {
    // A draft goes with the person; a transfer whose outcome is unknown is kept, so its retry
    // after signing in again still carries the same transferId.
    if (!getSendSession(user.username)?.uncertain) clearSendSession();
    void send({ type: 'logout' }).catch(() => undefined);
  }

  const stale = state.status !== 'live';
  const pending = unfinished?.uncertain && unfinished.transferId && !postedMeanwhile ? unfinished : undefined;

  let body: JSX.Element;
  if (view === 'notifications') {
    body = <NotificationsPanel notifications={state.notifications} unread={state.unread} onClose={() => go('home')} />;
  } else if (view === 'send' && account) {
    body = <SendFlow state={state} owner={user.username} account={account} onExit={() => go('home')} />;
  } else if (!account) {
    body = (
      <EmptyState icon="user" title={t('wallet_no_account_title')}>
        {user.role === 'admin' ? t('wallet_no_account_admin') : t('wallet_no_account_customer')}
      </EmptyState>
    );
  } else {
    body = (
      <>
        {account.status !== 'active' ? (
          <Notice tone="warning" title={account.status === 'closed' ? t('wallet_account_closed') : t('wallet_account_frozen')}>
            {t('wallet_account_inactive_text')}
          </Notice>
        ) : null}
        <BalanceCard account={account} entries={history.entries} stale={stale} legacyAccount={user.legacy?.account} />
        {pending ? (
          <Notice
            tone="warning"
            title={t('wallet_pending_title')}
            actions={
              <Button size="sm" onClick={() => go('send')}>
                {t('wallet_pending_check')}
              </Button>
            }
          >
            {t('wallet_pending_text', ltr(pending.draft.amount), ltr(formatAccountNumber(pending.draft.to)))}
          </Notice>
        ) : null}
        <button id="send-button" type="button" class="btn btn--primary btn--block btn--lg" disabled={account.status !== 'active'} onClick={() => go('send')}>
          <Icon name="send" />
          {t('wallet_send')}
        </button>
        <ActivityList history={history} currency={account.currency} />
      </>
    );
  }

  return (
    <div class="screen">
      <TopBar state={state} name={user.displayName}>
        <IconButton label={t('common_notifications')} badge={state.unread} aria-pressed={view === 'notifications'} onClick={() => go(view === 'notifications' ? 'home' : 'notifications')}>
          <Icon name="bell" />
        </IconButton>
        <IconButton label={t('common_settings')} onClick={() => openOptionsPage()}>
          <Icon name="gear" />
        </IconButton>
        <IconButton label={t('common_lock')} onClick={() => void send({ type: 'lock' }).catch(() => undefined)}>
          <Icon name="lock" />
        </IconButton>
      </TopBar>
      <main class="content">{body}</main>
      {view === 'home' ? (
        <footer class="footer">
          {user.role === 'admin' ? (
            <button type="button" class="link" onClick={() => openOptionsPage()}>
              {t('wallet_admin_dashboard')}
            </button>
          ) : (
            <span />
          )}
          <button type="button" class="link" onClick={signOut}>
            {t('wallet_sign_out')}
          </button>
        </footer>
      ) : null}
      {account ? <BalanceAnnouncer account={account} notifications={state.notifications} /> : null}
    </div>
  );
}
