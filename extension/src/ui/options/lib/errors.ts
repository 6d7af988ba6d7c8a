import { t, type MessageKey } from '../../../shared/i18n.js';

/*
 * Errors from the bridge carry the relay's code (UiCallError). Checked by shape rather than
 * instanceof, so it holds whichever copy of the class threw.
 */

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}

/** For an error that came without a message of its own. */
const FRIENDLY: Partial<Record<string, MessageKey>> = {
  UNAUTHENTICATED: 'error_unauthenticated',
  FORBIDDEN: 'error_forbidden',
  RATE_LIMITED: 'error_rate_limited',
  INTERNAL: 'error_internal',
};

/** One sentence for a person. The relay's messages are written for people, so they are kept. */
export function errorMessage(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  if (message) return message;
  const key = code === undefined ? undefined : FRIENDLY[code];
  return t(key ?? 'error_generic');
}

export interface FieldError<F extends string> {
  field?: F;
  message: string;
}

/**
 * The relay names the field first in BAD_REQUEST messages ("username: must be …",
 * "limits.perDay: …"); put such a message next to that field when the form has it.
 */
export function fieldError<F extends string>(err: unknown, fields: readonly F[], aliases: Partial<Record<string, F>> = {}): FieldError<F> {
  const message = errorMessage(err);
  const m = /^([A-Za-z][\w.[\]]*): (.+)$/.exec(message);
  if (m && m[1] !== undefined && m[2] !== undefined) {
    const path = m[1];
    const candidates = [path, path.split('.').slice(-1)[0] ?? path, path.split('.')[0] ?? path];
    for (const candidate of candidates) {
      const field = aliases[candidate] ?? (fields as readonly string[]).find((f) => f === candidate);
      if (field) return { field: field as F, message: m[2] };
    }
  }
  return { message };
}
