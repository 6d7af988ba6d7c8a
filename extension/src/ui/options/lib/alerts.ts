import type { AppNotification } from '../../../shared/api.js';
import { t, type MessageKey } from '../../../shared/i18n.js';

export interface AlertItem {
  id: string;
  kind: string;
  message: string;
  ts: string;
  /** Seen live on this page (as opposed to kept by the background). */
  live: boolean;
}

const KIND_LABELS: Record<string, MessageKey> = {
  registration: 'alert_kind_registration',
  lockout: 'alert_kind_lockout',
  large_transfer: 'alert_kind_large_transfer',
  frozen: 'alert_kind_frozen',
  password_reset: 'alert_kind_password_reset',
};

/** The kind's name; one this page does not know yet is shown as the relay names it ("new_kind" → "New kind"). */
export function alertKindLabel(kind: string): string {
  const key = KIND_LABELS[kind];
  if (key) return t(key);
  return kind ? kind[0]!.toUpperCase() + kind.slice(1).replaceAll('_', ' ') : t('alert_kind_other');
}

/** Reads an `admin.alert` push; anything else (or a malformed one) is undefined. */
export function alertFromEvent(event: string, data: unknown, ts: string, id: string): AlertItem | undefined {
  if (event !== 'admin.alert' || !data || typeof data !== 'object') return undefined;
  const { kind, message } = data as { kind?: unknown; message?: unknown };
  if (typeof kind !== 'string' || typeof message !== 'string') return undefined;
  return { id, kind, message, ts, live: true };
}

/** The background's notifications of kind alert, with the relay's kind of each. */
export function alertsFromNotifications(notifications: readonly AppNotification[]): AlertItem[] {
  return notifications
    .filter((n) => n.kind === 'alert')
    .map((n) => ({ id: `n:${n.id}`, kind: n.alertKind ?? 'alert', message: n.body || n.title, ts: n.ts, live: false }));
}

const SAME_ALERT_MS = 10_000;

/**
 * Live alerts and the background's kept ones, newest first. The background turns the same
 * relay event into a notification, so one with the same message within a few seconds of a
 * live one is the same alert, shown once.
 */
export function mergeAlerts(live: readonly AlertItem[], kept: readonly AlertItem[]): AlertItem[] {
  const out = [...live];
  for (const k of kept) {
    const t = Date.parse(k.ts);
    const duplicate = live.some((l) => l.message === k.message && Math.abs(Date.parse(l.ts) - t) <= SAME_ALERT_MS);
    if (!duplicate) out.push(k);
  }
  return out.sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
}
