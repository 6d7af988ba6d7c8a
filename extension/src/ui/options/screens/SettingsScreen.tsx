import type { JSX } from 'preact';
import type { AppState } from '../../../shared/api.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { ConnectionPanel } from './settings/ConnectionPanel.js';
import { PasswordPanel } from './settings/PasswordPanel.js';
import { StatementPanel } from './settings/StatementPanel.js';
import { TrustPanel } from './settings/TrustPanel.js';

export function SettingsScreen({ state }: { state: AppState }): JSX.Element {
  const account = state.accounts[0];
  return (
    <>
      <ScreenHeader title="Settings" description="How this browser connects to your bank, your password and your statements." />
      <div class="o-stack">
        <ConnectionPanel settings={state.settings} policy={state.policy} />
        <TrustPanel state={state} />
        {state.user ? <PasswordPanel /> : null}
        {state.user && account ? <StatementPanel account={account.account} currency={account.currency} /> : null}
        {state.user && !account ? (
          <p class="o-muted o-note">Administrators have no account of their own, so there is no statement to export.</p>
        ) : null}
      </div>
    </>
  );
}
