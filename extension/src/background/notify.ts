import type { AppNotification, AppState } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { NOTIFICATION_ICON } from './notification-icon.js';

/*
 * What the person sees outside the pages: system notifications for money received and admin
 * alerts (when Settings allow), and the toolbar badge with the unread count.
 */

export interface NotificationOptions {
  type: 'basic';
  iconUrl: string;
  title: string;
  message: string;
  contextMessage?: string;
  priority?: number;
}

/** The part of chrome.notifications / chrome.action we use. */
export interface NotificationsApi {
  create(id: string, options: NotificationOptions): Promise<unknown>;
}
export interface BadgeApi {
  setBadgeText(details: { text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { color: string }): Promise<void>;
}

export function badgeText(unread: number): string {
  if (unread <= 0) return '';
  return unread > 99 ? '99+' : String(unread);
}

export class Notifier {
  private shownBadge: string | undefined;

  constructor(
    private readonly notifications: NotificationsApi,
    private readonly badge: BadgeApi,
    private readonly log: (message: string, err?: unknown) => void = () => {},
  ) {
    void this.badge.setBadgeBackgroundColor({ color: '#1d4ed8' }).catch((err: unknown) => this.log('badge colour', err));
  }

  /** New in-app notifications become system ones, if the person allows them. */
  show(list: readonly AppNotification[], state: AppState): void {
    if (!state.settings.notifications) return;
    for (const n of list) {
      this.create(n.id, {
        type: 'basic',
        iconUrl: NOTIFICATION_ICON,
        title: n.title,
        message: n.body,
        priority: n.kind === 'alert' ? 2 : 1,
      });
    }
  }

  /** Says why the person was signed out when the relay ended the session. */
  signedOut(reason: string, state: AppState): void {
    if (!state.settings.notifications) return;
    this.create(`signed-out:${Date.now()}`, { type: 'basic', iconUrl: NOTIFICATION_ICON, title: t('notice_signed_out_title'), message: reason, priority: 2 });
  }

  /** Keeps the action badge equal to the unread count (empty at 0). */
  syncBadge(state: AppState): void {
    const text = badgeText(state.unread);
    if (text === this.shownBadge) return;
    this.shownBadge = text;
    void this.badge.setBadgeText({ text }).catch((err: unknown) => {
      this.shownBadge = undefined;
      this.log('badge text', err);
    });
  }

  private create(id: string, options: NotificationOptions): void {
    void this.notifications.create(id, options).catch((err: unknown) => this.log('notification', err));
  }
}
