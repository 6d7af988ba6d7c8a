import type { JSX } from 'preact';
import type { AppState } from '../../../shared/api.js';
import { t } from '../../../shared/i18n.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { ConnectionPanel } from './settings/ConnectionPanel.js';
import { PasswordPanel } from './settings/PasswordPanel.js';
import { StatementPanel } from './settings/StatementPanel.js';
import { TrustPanel } from './settings/TrustPanel.js';

export function SettingsScreen({ state }: { state: AppState }): JSX.Element {
  const account = state.accounts[0];
  return (
    <>
      <ScreenHeader title={t('route_settings')} description={t('settings_description')} />
      <div class="o-stack">
        <ConnectionPanel settings={state.settings} policy={state.policy} />
        <TrustPanel state={state} />
        {state.user ? <PasswordPanel /> : null}
        {state.user && account ? <StatementPanel account={account.account} currency={account.currency} /> : null}
        {state.user && !account ? (
          <p class="o-muted o-note">{t('settings_admin_no_statement')}</p>
        ) : null}
      </div>
    </>
  );
}
