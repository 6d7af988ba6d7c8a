import type { AppNotification } from '../../../shared/api.js';

export interface AlertItem {
  id: string;
  kind: string;
  message: string;
  ts: string;
  /** Seen live on this page (as opposed to kept by the background). */
  live: boolean;
}

const KIND_LABELS: Record<string, string> = {
  registration: 'Registration',
  lockout: 'Lockout',
  large_transfer: 'Large transfer',
  frozen: 'Frozen',
};

export function alertKindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? (kind ? kind[0]!.toUpperCase() + kind.slice(1).replaceAll('_', ' ') : 'Alert');
}

/** Reads an `admin.alert` push; anything else (or a malformed one) is undefined. */
export function alertFromEvent(event: string, data: unknown, ts: string, id: string): AlertItem | undefined {
  if (event !== 'admin.alert' || !data || typeof data !== 'object') return undefined;
  const { kind, message } = data as { kind?: unknown; message?: unknown };
  if (typeof kind !== 'string' || typeof message !== 'string') return undefined;
  return { id, kind, message, ts, live: true };
}

/** The background's notifications of kind alert; the kind is guessed from the title when it names one. */
export function alertsFromNotifications(notifications: readonly AppNotification[]): AlertItem[] {
  return notifications
    .filter((n) => n.kind === 'alert')
    .map((n) => {
      const title = n.title.toLowerCase();
      const kind = Object.keys(KIND_LABELS).find((k) => title.includes(k.replace('_', ' '))) ?? 'alert';
      return { id: `n:${n.id}`, kind, message: n.body || n.title, ts: n.ts, live: false };
    });
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
