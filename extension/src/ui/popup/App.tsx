import type { JSX } from 'preact';
import { useAppState } from '../bridge.js';
import { useActivityPing } from './activity.js';
import { ChoosePassword } from './ChoosePassword.js';
import { KeyChangedPanel } from './KeyChangedPanel.js';
import { LoadingScreen } from './LoadingScreen.js';
import { SignedOut } from './SignedOut.js';
import { Wallet } from './Wallet.js';

/** The toolbar popup: everything it shows comes from the background's AppState. */
export function PopupApp(): JSX.Element {
  const state = useAppState();
  useActivityPing(Boolean(state?.user));
  if (!state) return <LoadingScreen />;
  // A changed relay key blocks everything, signed in or not, until the person decides.
  if (state.status === 'key-changed') return <KeyChangedPanel state={state} />;
  if (!state.user) return <SignedOut state={state} />;
  if (state.mustChangePassword) return <ChoosePassword state={state} />;
  return <Wallet key={state.user.username} state={state} />;
}
