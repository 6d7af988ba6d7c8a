import { randomBytes } from 'node:crypto';
import { passwordSchema } from '../common/schemas/primitives.js';
import { describeZodError } from '../common/schemas/messages.js';
import type { UserStore } from './auth/users.js';
import { StartupError } from './startup/startup-error.js';

export interface BootstrappedAdmin {
  username: string;
  /** Present only when the relay made the password up and must show it once. */
  generatedPassword?: string;
}

/** On a bank with no administrator, creates `admin` so someone can sign in and run it. */
export async function ensureAdmin(users: UserStore, envPassword: string | undefined): Promise<BootstrappedAdmin | undefined> {
  if (await users.hasAdmin()) return undefined;
  const generated = envPassword ? undefined : randomBytes(18).toString('base64url');
  let password = generated!;
  if (envPassword) {
    // The same rules as any new password; a StartupError is shown as one line, not a stack trace.
    const parsed = passwordSchema.safeParse(envPassword);
    if (!parsed.success) throw new StartupError(`BANK_RELAY_ADMIN_PASSWORD: ${describeZodError(parsed.error)}`);
    password = parsed.data;
  }
  const taken = await users.get('admin');
  if (taken) {
    // Only a bank made before the relay served nothing while starting can hold such a user.
    throw new StartupError(
      `this bank has no administrator, and the username "admin" is taken by a ${taken.role === 'user' ? 'customer' : 'user'} (${taken.status}), so none can be made: add one with \`bank-relay user add --role admin --username NAME\` and start again`,
    );
  }
  await users.create(
    { username: 'admin', password, displayName: 'Administrator', role: 'admin', status: 'active' },
    { actor: 'system', role: 'system' },
    'admin.bootstrap',
  );
  return generated ? { username: 'admin', generatedPassword: generated } : { username: 'admin' };
}
