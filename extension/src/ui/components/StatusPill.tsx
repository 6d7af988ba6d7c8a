import type { JSX } from 'preact';
import type { ConnectionStatus } from '../../shared/api.js';
import { t, type MessageKey } from '../../shared/i18n.js';
import { formatAsOf, formatDateTime } from '../format.js';

const LABELS: Record<ConnectionStatus, MessageKey> = {
  connecting: 'status_connecting',
  live: 'status_live',
  reconnecting: 'status_reconnecting',
  offline: 'status_offline',
  'key-changed': 'status_key_changed',
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
  const title = [detail, syncedAt && status !== 'live' ? t('status_last_confirmed', formatDateTime(syncedAt)) : ''].filter(Boolean).join(t('common_list_separator'));
  return (
    <span class={`pill pill--${status}`} role="status" title={title || undefined}>
      <span class="pill__dot" aria-hidden="true" />
      <span class="pill__label">{t(LABELS[status])}</span>
      {asOf ? <span class="pill__asof">{t('status_as_of', asOf)}</span> : null}
    </span>
  );
}
