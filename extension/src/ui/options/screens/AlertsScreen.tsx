import type { JSX } from 'preact';
import { t } from '../../../shared/i18n.js';
import { send } from '../../bridge.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Badge, type BadgeTone } from '../components/Badge.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { alertKindLabel, type AlertItem } from '../lib/alerts.js';
import { formatDateTime } from '../lib/format.js';

const TONES: Record<string, BadgeTone> = { registration: 'accent', lockout: 'warn', large_transfer: 'warn', frozen: 'danger' };

/** The relay's admin alerts, newest first: live ones as they arrive, and those the background kept. */
export function AlertsScreen({ alerts, unread }: { alerts: readonly AlertItem[]; unread: number }): JSX.Element {
  return (
    <>
      <ScreenHeader
        title={t('route_alerts')}
        description={t('alerts_description')}
        actions={
          unread > 0 ? (
            <Button onClick={() => void send({ type: 'notifications.read' }).catch(() => undefined)}>{t('alerts_mark_read')}</Button>
          ) : undefined
        }
      />
      <div aria-live="polite" aria-relevant="additions">
        {alerts.length === 0 ? (
          <EmptyState title={t('alerts_empty_title')} icon="bell">
            {t('alerts_empty_text')}
          </EmptyState>
        ) : (
          <ol class="o-alerts">
            {alerts.map((a) => (
              <li key={a.id} class="o-alert">
                <Badge tone={TONES[a.kind] ?? 'neutral'}>{alertKindLabel(a.kind)}</Badge>
                <span class="o-alert__message">{a.message}</span>
                <time class="o-alert__time" dateTime={a.ts}>
                  {formatDateTime(a.ts)}
                </time>
              </li>
            ))}
          </ol>
        )}
      </div>
    </>
  );
}
