import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppNotification } from '../../shared/api.js';
import { send } from '../bridge.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { Icon } from '../components/Icon.js';
import { t } from '../../shared/i18n.js';
import { formatDateTime, relativeTime } from '../format.js';

export interface NotificationsPanelProps {
  notifications: readonly AppNotification[];
  unread: number;
  onClose: () => void;
  now?: Date;
}

/**
 * Money received and alerts, newest first. Opening the panel marks them all read (clearing the
 * toolbar badge); the ones that were new stay highlighted while it is open.
 */
export function NotificationsPanel({ notifications, unread, onClose, now }: NotificationsPanelProps): JSX.Element {
  const [wasUnread] = useState(() => new Set(notifications.filter((n) => !n.read).map((n) => n.id)));
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    title.current?.focus();
    if (unread > 0) void send({ type: 'notifications.read' }).catch(() => undefined);
  }, []);
  const sorted = [...notifications].sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
  return (
    <section
      class="stack"
      aria-labelledby="notifications-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <div class="section-head">
        <h1 id="notifications-title" class="screen-title" tabIndex={-1} ref={title}>
          {t('common_notifications')}
        </h1>
        <Button variant="ghost" size="sm" onClick={onClose}>
          {t('common_close')}
        </Button>
      </div>
      {sorted.length === 0 ? (
        <EmptyState icon="bell" title={t('notifications_empty_title')}>
          {t('notifications_empty_text')}
        </EmptyState>
      ) : (
        <ul class="notes">
          {sorted.map((n) => (
            <li key={n.id} class={['note', `note--${n.kind}`, wasUnread.has(n.id) ? 'note--unread' : ''].filter(Boolean).join(' ')}>
              <span class="note__icon">
                <Icon name={n.kind === 'received' ? 'in' : 'warning'} size={16} />
              </span>
              <span class="note__main">
                <span class="note__title">
                  {/* Said in a word, not only by the row's colour. */}
                  {wasUnread.has(n.id) ? (
                    <>
                      <span class="tag tag--new">{t('notifications_new_tag')}</span>{' '}
                    </>
                  ) : null}
                  {n.title}
                </span>
                <span class="note__body">{n.body}</span>
                <time class="note__time" dateTime={n.ts} title={formatDateTime(n.ts)}>
                  {relativeTime(n.ts, now)}
                </time>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
