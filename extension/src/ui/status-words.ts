import type { UserStatus } from '../../../common/schemas/primitives.js';
import { t, type MessageKey } from '../shared/i18n.js';

/* The relay names statuses for code ("frozen"); people read them as words in their language. */

const STATUS_WORDS: Record<UserStatus, MessageKey> = {
  pending: 'status_word_pending',
  active: 'status_word_active',
  frozen: 'status_word_frozen',
  closed: 'status_word_closed',
};

/** "Frozen": a user's or an account's status as a label; a status this page does not know is shown as it comes. */
export function statusWord(status: string): string {
  return status in STATUS_WORDS ? t(STATUS_WORDS[status as UserStatus]) : status;
}
