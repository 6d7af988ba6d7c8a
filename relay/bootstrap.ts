import { randomBytes } from 'node:crypto';
import type { UserStore } from './auth/users.js';

export interface BootstrappedAdmin {
  username: string;
  /** Present only when the relay made the password up and must show it once. */
  generatedPassword?: string;
}

/** On a bank with no administrator, creates `admin` so someone can sign in and run it. */
export async function ensureAdmin(users: UserStore, envPassword: string | undefined): Promise<BootstrappedAdmin | undefined> {
  if (await users.hasAdmin()) return undefined;
  const generated = envPassword ? undefined : randomBytes(18).toString('base64url');
  const password = envPassword ?? generated!;
  if (password.length < 8) throw new Error('BANK_RELAY_ADMIN_PASSWORD must be at least 8 characters');
  await users.create(
    { username: 'admin', password, displayName: 'Administrator', role: 'admin', status: 'active' },
    { actor: 'system', role: 'system' },
    'admin.bootstrap',
  );
  return generated ? { username: 'admin', generatedPassword: generated } : { username: 'admin' };
}
