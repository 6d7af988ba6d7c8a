import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Account } from '../../../../common/schemas/models.js';
import type { AppNotification } from '../../shared/api.js';
import { t } from '../../shared/i18n.js';
import { formatMoney } from '../format.js';

/**
 * A balance update and its "money received" notice come as separate pushes from the
 * background; waiting this long after the last of them says both in one announcement.
 */
const SETTLE_MS = 400;

/** "Received $5.00 from DB18 0000 0000 01 — “lunch”. Your balance is now $4,192.50." */
export function announcement(received: readonly string[], balance: string): string {
  const stop = t('sentence_end');
  const sentences = received.map((text) => (/[.!?。؟]$/.test(text) ? text : `${text}${stop}`));
  return [...sentences, t('announce_balance_now', balance)].join(' ');
}

export interface BalanceAnnouncerProps {
  account: Account;
  notifications: readonly AppNotification[];
}

/**
 * A polite live region, always in the page (screen readers only follow regions that were there
 * before they changed), that says when money arrives and what the balance becomes while the
 * popup is open, on whatever screen of it the person is. Silent on opening: the balance is read
 * with the page then. Only "money received" notices count: the background adds them for live
 * events, never for history it loads.
 */
export function BalanceAnnouncer({ account, notifications }: BalanceAnnouncerProps): JSX.Element {
  const [seen] = useState(() => new Set(notifications.map((n) => n.id)));
  const announcedBalance = useRef(account.balance);
  const received = useRef<string[]>([]);
  const latest = useRef(account);
  latest.current = account;
  const [message, setMessage] = useState('');

  useEffect(() => {
    for (const n of notifications) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      if (n.kind === 'received') received.current.push(n.body);
    }
    if (received.current.length === 0 && account.balance === announcedBalance.current) return;
    const timer = setTimeout(() => {
      const { balance, currency } = latest.current;
      setMessage(announcement(received.current, formatMoney(balance, currency)));
      received.current = [];
      announcedBalance.current = balance;
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [notifications, account.balance]);

  return (
    <p class="sr-only" role="status" aria-live="polite" aria-atomic="true" aria-label={t('announce_region_label')}>
      {message}
    </p>
  );
}
