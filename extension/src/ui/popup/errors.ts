import { capitalize } from '../format.js';

/*
 * Errors as the popup shows them. The relay's messages are written for people ("invalid
 * username or password"), so they are shown as they come; the code decides where and how.
 */

/** Codes the background itself gives when it cannot reach the relay or refuses to talk to it. */
export const CONNECTION_CODES: ReadonlySet<string> = new Set(['OFFLINE', 'DISCONNECTED', 'KEY_CHANGED', 'TIMEOUT']);

export interface ShownError {
  code: string;
  message: string;
}

/** Any thrown value as {code, message}: a UiCallError keeps the relay's code. */
export function toShownError(e: unknown): ShownError {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    const message = (e as { message?: unknown }).message;
    return { code: (e as { code: string }).code, message: capitalize(typeof message === 'string' && message ? message : 'Something went wrong') };
  }
  return { code: 'INTERNAL', message: capitalize(e instanceof Error ? e.message : 'Something went wrong; try again') };
}

/** A BAD_REQUEST message names its field first ("username: must be …"): which field, and the rest. */
export function splitFieldMessage(message: string): { field?: string; text: string } {
  const m = /^([A-Za-z][\w.]*): (.+)$/s.exec(message);
  if (!m) return { text: capitalize(message) };
  return { field: m[1]!.toLowerCase(), text: capitalize(m[2]!) };
}

/** "Can't reach your bank": the heading for connection problems, whatever the exact code. */
export function connectionTitle(code: string): string {
  if (code === 'KEY_CHANGED') return "Your bank's identity key changed";
  if (code === 'DISCONNECTED') return 'The connection dropped';
  return "Can't reach your bank right now";
}
