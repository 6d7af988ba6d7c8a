import { createHash, randomBytes } from 'node:crypto';

/** A 256-bit random bearer token, base64url (43 chars). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Sessions are stored under the token's SHA-256, so a copy of the database yields no usable token. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
