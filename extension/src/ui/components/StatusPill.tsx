import type { JSX } from 'preact';
import type { ConnectionStatus } from '../../shared/api.js';
import { formatAsOf, formatDateTime } from '../format.js';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  'key-changed': 'Blocked',
};

export interface StatusPillProps {
  status: ConnectionStatus;
  /** When the shown data was last confirmed (ISO); shown as "as of 14:32" whenever not live. */
  syncedAt?: string | undefined;
  /** The last connection problem ("relay unreachable"), as a tooltip. */
  detail?: string | undefined;
  now?: Date;
}

/** The relay connection at a glance: a coloured dot and a word, announced politely when it changes. */
export function StatusPill({ status, syncedAt, detail, now }: StatusPillProps): JSX.Element {
  const asOf = status !== 'live' && syncedAt ? formatAsOf(syncedAt, now) : '';
  const title = [detail, syncedAt && status !== 'live' ? `Last confirmed ${formatDateTime(syncedAt)}` : ''].filter(Boolean).join(' · ');
  return (
    <span class={`pill pill--${status}`} role="status" title={title || undefined}>
      <span class="pill__dot" aria-hidden="true" />
      <span class="pill__label">{LABELS[status]}</span>
      {asOf ? <span class="pill__asof">as of {asOf}</span> : null}
    </span>
  );
}
