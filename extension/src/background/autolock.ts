/*
 * Auto-lock: after `autoLockMinutes` without the person using the extension (an alarm re-armed
 * by every request from a page), or when the system reports them idle for as long or the
 * screen locked (chrome.idle), the session is locked. Alarms survive the service worker being
 * stopped, so a lock that falls due while it sleeps happens when it wakes.
 */

import { t, tPlural } from '../shared/i18n.js';

export const AUTOLOCK_ALARM = 'bank-autolock';
/** chrome.idle refuses intervals under 15 s. */
const MIN_IDLE_SECONDS = 15;

export interface AlarmsApi {
  create(name: string, info: { delayInMinutes?: number; periodInMinutes?: number }): Promise<void>;
  clear(name: string): Promise<boolean>;
}
export interface IdleApi {
  setDetectionInterval(intervalInSeconds: number): void;
}
export type IdleState = 'active' | 'idle' | 'locked';

export interface AutoLockDeps {
  alarms: AlarmsApi;
  idle: IdleApi;
  minutes: () => number;
  signedIn: () => boolean;
  lock: (reason: string) => Promise<void> | void;
  log?: (message: string, err?: unknown) => void;
}

export class AutoLock {
  constructor(private readonly deps: AutoLockDeps) {}

  /** Applies the current autoLockMinutes (at start and when the setting changes). */
  configure(): void {
    const minutes = this.deps.minutes();
    try {
      this.deps.idle.setDetectionInterval(Math.max(MIN_IDLE_SECONDS, Math.round(minutes * 60)));
    } catch (err) {
      this.deps.log?.('idle interval', err);
    }
    if (this.deps.signedIn()) this.touch();
  }

  /** The person did something: the countdown starts again. */
  touch(): void {
    if (!this.deps.signedIn()) return;
    void this.deps.alarms.create(AUTOLOCK_ALARM, { delayInMinutes: this.deps.minutes() }).catch((err: unknown) => this.deps.log?.('autolock alarm', err));
  }

  /** Nobody to lock any more. */
  disarm(): void {
    void this.deps.alarms.clear(AUTOLOCK_ALARM).catch(() => false);
  }

  onAlarm(alarm: { name: string }): void {
    if (alarm.name !== AUTOLOCK_ALARM) return;
    this.lockNow(this.inactivityReason());
  }

  onIdleState(state: IdleState): void {
    if (state === 'idle') this.lockNow(this.inactivityReason());
    else if (state === 'locked') this.lockNow(t('lock_reason_screen'));
  }

  private inactivityReason(): string {
    return tPlural('lock_reason_inactive', this.deps.minutes());
  }

  private lockNow(reason: string): void {
    if (!this.deps.signedIn()) return;
    void Promise.resolve(this.deps.lock(reason)).catch((err: unknown) => this.deps.log?.('auto-lock failed', err));
  }
}
