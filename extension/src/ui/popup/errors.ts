import type { UiErrorCode } from '../../shared/api.js';
import { t } from '../../shared/i18n.js';
import { capitalize } from '../format.js';

/*
 * Errors as the popup shows them. The relay's messages are written for people ("invalid
 * username or password"), so they are shown as they come; the code decides where and how.
 */

/** Codes the background gives for a request it never sent: it cannot reach the relay, or refuses to talk to it. */
export const CONNECTION_CODES: ReadonlySet<string> = new Set<UiErrorCode>(['OFFLINE', 'KEY_CHANGED']);

export interface ShownError {
  code: UiErrorCode;
  message: string;
}

/** Any thrown value as {code, message}: a UiCallError keeps the relay's code. */
export function toShownError(e: unknown): ShownError {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    const message = (e as { message?: unknown }).message;
    // Thrown by the bridge (UiCallError), whose code is the background's UiErrorCode.
    return { code: (e as { code: UiErrorCode }).code, message: capitalize(typeof message === 'string' && message ? message : t('common_something_wrong')) };
  }
  return { code: 'INTERNAL', message: capitalize(e instanceof Error ? e.message : t('common_something_wrong_retry')) };
}

/** A BAD_REQUEST message names its field first ("username: must be …"): which field, and the rest. */
export function splitFieldMessage(message: string): { field?: string; text: string } {
  const m = /^([A-Za-z][\w.]*): (.+)$/s.exec(message);
  if (!m) return { text: capitalize(message) };
  return { field: m[1]!.toLowerCase(), text: capitalize(m[2]!) };
}

/** "Can't reach your bank": the heading for connection problems, whatever the exact code. */
export function connectionTitle(code: string): string {
  if (code === 'KEY_CHANGED') return t('error_key_changed_title');
  return t('error_offline_title');
}
