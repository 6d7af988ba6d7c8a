import type { ComponentChildren, JSX } from 'preact';
import type { AppState } from '../../shared/api.js';
import { StatusPill } from '../components/StatusPill.js';

export interface TopBarProps {
  state: AppState;
  /** The signed-in person's name, when there is one. */
  name?: string | undefined;
  /** Icon buttons on the right (notifications, settings, lock). */
  children?: ComponentChildren;
}

/** Relay status on the left, who is signed in, and the page's icon buttons on the right. */
export function TopBar({ state, name, children }: TopBarProps): JSX.Element {
  return (
    <header class="topbar">
      <StatusPill status={state.status} syncedAt={state.syncedAt} detail={state.statusDetail} />
      {name ? (
        <span class="topbar__name" title={name}>
          {name}
        </span>
      ) : null}
      <span class="topbar__spacer" />
      {children}
    </header>
  );
}
